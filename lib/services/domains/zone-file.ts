// The zone file of a domain, rendered from its snapshot (pure). Every value is validated here again,
// whatever wrote the row — the form checks too, but a backend renders what is in the database — and
// escaped for zone-file syntax: texts are quoted, `"` and `\` escaped, bytes outside printable ASCII
// written as \DDD, and split into strings of at most 255 bytes. A value that cannot be written safely
// is refused: the run is ERROR before anything is executed.
import { RECORD_TYPES, recordProblem, ZONE, type RecordRow, type RecordType } from "./records";
import { HOSTMASTER, type DomainSnapshot } from "./schema";

const HOST = /^(?=.{1,253}$)[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)+$/;
const MAX_SERIAL = 2_147_483_647;

/** Throwing here makes the run ERROR before anything is executed. */
export function refuse(zone: unknown, what: string): never {
  throw new Error(`refusing to render zone ${JSON.stringify(String(zone))}: ${what}.`);
}

/** The zone's name, checked: it names files and goes into named.conf. */
export function zoneName(domain: Pick<DomainSnapshot, "name">): string {
  if (typeof domain.name !== "string" || !ZONE.test(domain.name)) refuse(domain.name, "the zone name is not a domain name");
  return domain.name;
}

/** One zone-file string: quoted, escaped, printable ASCII only. */
function quoted(bytes: Buffer): string {
  let out = '"';
  for (const b of bytes) {
    if (b === 0x22 || b === 0x5c) out += `\\${String.fromCharCode(b)}`;
    else if (b >= 0x20 && b < 0x7f) out += String.fromCharCode(b);
    else out += `\\${String(b).padStart(3, "0")}`;
  }
  return `${out}"`;
}

/** A text as zone-file strings of at most 255 bytes each, never splitting a UTF-8 character. */
export function textStrings(text: string): string {
  const parts: string[] = [];
  let chunk: Buffer[] = [];
  let size = 0;
  for (const char of text) {
    const bytes = Buffer.from(char, "utf8");
    if (size + bytes.length > 255) {
      parts.push(quoted(Buffer.concat(chunk)));
      chunk = [];
      size = 0;
    }
    chunk.push(bytes);
    size += bytes.length;
  }
  parts.push(quoted(Buffer.concat(chunk)));
  return parts.join(" ");
}

function rdata(r: RecordRow): string {
  switch (r.type) {
    case "TXT":
      return textStrings(r.value);
    case "CAA": {
      const [, flags, tag, text] = /^(\d{1,3}) (\S+) (.*)$/s.exec(r.value)!;
      return `${Number(flags)} ${tag} ${quoted(Buffer.from(text, "utf8"))}`;
    }
    case "MX":
    case "SRV":
      return `${r.priority} ${r.value}`;
    default:
      return r.value;
  }
}

/** A record as a zone-file line; refuses one that is not a record (recordProblem). */
export function recordLine(zone: string, record: Record<string, unknown>): string {
  const r = {
    name: record.name,
    type: typeof record.type === "string" ? record.type : "",
    ttl: record.ttl ?? null,
    priority: record.priority ?? null,
    value: record.value,
  } as RecordRow;
  if (!(RECORD_TYPES as readonly string[]).includes(r.type)) refuse(zone, `a record of ${JSON.stringify(r.name)} has the type ${JSON.stringify(r.type)}`);
  const problem = recordProblem(r);
  if (problem) refuse(zone, `the ${r.type as RecordType} record of ${JSON.stringify(r.name)}: ${problem}`);
  return [r.name, ...(r.ttl === null ? [] : [String(r.ttl)]), "IN", r.type, rdata(r)].join(" ");
}

/** The SOA's RNAME of a hostmaster address (dots of the local part escaped). */
export function rname(hostmaster: string, zone: string): string {
  const address = hostmaster || `hostmaster@${zone}`;
  if (!HOSTMASTER.test(address)) refuse(zone, `the hostmaster ${JSON.stringify(address)} is not a plain e-mail address`);
  const [local, domain] = address.split("@");
  return `${local.replace(/\./g, "\\.")}.${domain}.`;
}

function seconds(zone: string, what: string, value: unknown): number {
  if (!Number.isInteger(value) || (value as number) < 0 || (value as number) > MAX_SERIAL) refuse(zone, `the ${what} ${JSON.stringify(value)} is not a number of seconds`);
  return value as number;
}

/** The lines of the zone file (records in the order they were added). */
export function zoneFile(domain: DomainSnapshot): string[] {
  const zone = zoneName(domain);
  if (typeof domain.primaryNs !== "string" || !HOST.test(domain.primaryNs)) refuse(zone, `the primary name server ${JSON.stringify(domain.primaryNs)} is not a host name`);
  if (!Number.isInteger(domain.serial) || domain.serial < 1 || domain.serial > MAX_SERIAL) refuse(zone, `the serial ${JSON.stringify(domain.serial)} is not from 1 to ${MAX_SERIAL}`);
  const soa = [domain.serial, ...(["refresh", "retry", "expire", "minimum"] as const).map((k) => seconds(zone, k, domain[k]))];
  const records = [...domain.records].sort((a, b) => (a.id ?? 0) - (b.id ?? 0));
  return [
    `; managed by Orchestra: zone ${zone}, serial ${domain.serial}`,
    `$ORIGIN ${zone}.`,
    `$TTL ${seconds(zone, "default TTL", domain.ttl)}`,
    `@ IN SOA ${domain.primaryNs}. ${rname(domain.hostmaster, zone)} ( ${soa.join(" ")} )`,
    ...records.map((r) => recordLine(zone, r)),
  ];
}

/** The next serial (YYYYMMDDnn, UTC): today's first, or one more than the current — never lower. */
export function nextSerial(current: number, now = new Date()): number {
  const today = Number(now.toISOString().slice(0, 10).replaceAll("-", "")) * 100;
  return Math.max(current + 1, today + 1);
}
