// The domains service: DNS zones with their records as rows of their own, served by BIND 9 — zone files
// on the primary, transfers to the secondaries the routes send each zone to. The SOA serial is raised
// by `data` in the same write as the change, so a change and its serial are one save operation.
import type { TxDb } from "@/lib/orchestration/unit-of-work";
import { defineService } from "../kit";
import { bindPrimaryBackend } from "./primary";
import { formatRecord, recordKey, type RecordRow } from "./records";
import { defaultRecords, domainInput, domainSnapshot, zoneRefine, type DomainInput, type DomainSnapshot } from "./schema";
import { bindSecondaryBackend } from "./secondary";
import { nextSerial } from "./zone-file";

/** The fields a server sees besides the records (a change of any of them raises the serial). */
const ZONE_FIELDS = ["name", "primaryNs", "hostmaster", "ttl", "refresh", "retry", "expire", "minimum"] as const;

type Data = Omit<DomainInput, "records"> & { serial: number; records: RecordRow[] };

const keys = (records: readonly RecordRow[]) => records.map(recordKey).sort();
const sameRecords = (a: readonly RecordRow[], b: readonly RecordRow[]) => JSON.stringify(keys(a)) === JSON.stringify(keys(b));

export const domains = defineService<DomainSnapshot, DomainInput, TxDb>({
  slug: "domains",
  title: "Domains",
  singular: "domain",
  description: "DNS zones on BIND 9: zone files on the primary, transfers to the secondaries.",
  model: "Domain",
  input: domainInput,
  refine: zoneRefine,
  snapshot: domainSnapshot,
  label: (d) => d.name,
  include: { records: true },
  // Adding, changing or removing a record is a change of its zone.
  related: [{ model: "DomainRecord", mainIds: (row) => [row.domainId as number] }],
  ignoredFields: ["description"],
  backends: [bindPrimaryBackend, bindSecondaryBackend],
  list: {
    columns: [
      { label: "Zone", value: (d) => d.name, mono: true },
      { label: "Serial", value: (d) => d.serial, mono: true },
      { label: "Records", value: (d) => d.records.length },
      { label: "Types", value: (d) => [...new Set(d.records.map((r) => r.type))].sort().join(" "), mono: true },
      { label: "Primary NS", value: (d) => d.primaryNs, mono: true },
    ],
    search: (q, { insensitive }) => {
      const text = { contains: q, ...(insensitive && { mode: "insensitive" }) };
      return { OR: [{ name: { contains: q.toLowerCase() } }, { description: text }, { primaryNs: { contains: q.toLowerCase() } }, { records: { some: { value: text } } }] };
    },
    filters: [
      { name: "mx", label: "Mail (MX)", options: [{ value: "yes", label: "With MX", where: { records: { some: { type: "MX" } } } }, { value: "no", label: "Without MX", where: { records: { none: { type: "MX" } } } }] },
      { name: "caa", label: "CAA", options: [{ value: "yes", label: "With CAA", where: { records: { some: { type: "CAA" } } } }, { value: "no", label: "Without CAA", where: { records: { none: { type: "CAA" } } } }] },
    ],
    sorts: [
      { field: "name", label: "Zone" },
      { field: "serial", label: "Serial" },
      { field: "createdAt", label: "Created" },
      { field: "updatedAt", label: "Updated" },
    ],
  },
  // The serial: today's first for a new zone; one more (never less than today's first) when anything a
  // server sees changed; kept when only the description did. A new zone without records gets the defaults.
  async data({ records, ...fields }, { db, id }): Promise<Data> {
    const rows = (records.length === 0 && !id ? defaultRecords(fields) : records).map(({ line: _line, ...r }) => r);
    let serial = nextSerial(0);
    if (id) {
      const current = await db.domain.findUnique({ where: { id }, include: { records: true } });
      if (current) {
        const same = ZONE_FIELDS.every((k) => current[k] === fields[k]) && sameRecords(current.records as RecordRow[], rows);
        serial = same ? current.serial : nextSerial(current.serial);
      }
    }
    return { ...fields, serial, records: rows };
  },
  async create(data, { db }) {
    const { records, ...fields } = data as Data;
    return db.domain.create({ data: { ...fields, records: { create: records } } });
  },
  // Records are matched by content: unchanged ones keep their rows, the rest are removed and added.
  async update(id, data, { db }) {
    const { records, ...fields } = data as Data;
    const current = await db.domainRecord.findMany({ where: { domainId: id }, orderBy: { id: "asc" } });
    const unmatched = [...current];
    const added: RecordRow[] = [];
    for (const wanted of records) {
      const i = unmatched.findIndex((r) => recordKey(r as RecordRow) === recordKey(wanted));
      if (i >= 0) unmatched.splice(i, 1);
      else added.push(wanted);
    }
    if (unmatched.length) await db.domainRecord.deleteMany({ where: { id: { in: unmatched.map((r) => r.id) } } });
    if (added.length) await db.domainRecord.createMany({ data: added.map((r) => ({ ...r, domainId: id })) });
    await db.domain.update({ where: { id }, data: fields });
  },
  formValues: (d) => ({
    name: d.name,
    primaryNs: d.primaryNs,
    hostmaster: d.hostmaster,
    records: [...d.records].sort((a, b) => (a.id ?? 0) - (b.id ?? 0)).map((r) => formatRecord(r as RecordRow)).join("\n"),
    ttl: d.ttl,
    refresh: d.refresh,
    retry: d.retry,
    expire: d.expire,
    minimum: d.minimum,
    description: d.description,
  }),
});
