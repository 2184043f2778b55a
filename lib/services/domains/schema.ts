import { z } from "zod";
import { descriptionField } from "../kit";
import { MAX_RECORDS, parseRecords, ZONE, zoneProblems, type ParsedRecord } from "./records";

const HOST = /^(?=.{1,253}$)[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)+$/;
/** A hostmaster address: its local part becomes the first label(s) of the SOA's RNAME. */
export const HOSTMASTER = /^[a-z0-9_-]+(?:\.[a-z0-9_-]+)*@[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)+$/;

const hostname = (message: string) =>
  z
    .string()
    .trim()
    .toLowerCase()
    .transform((v) => v.replace(/\.$/, ""))
    .pipe(z.string().regex(HOST, message));

/** Seconds, from a text field; empty gives the default. */
const seconds = (label: string, initial: number, min: number, max: number, hint: string) =>
  z
    .string()
    .trim()
    .default("")
    .transform((v) => (v === "" ? initial : Number(v)))
    .pipe(z.number({ message: "A whole number of seconds." }).int("A whole number of seconds.").min(min, `At least ${min}.`).max(max, `At most ${max}.`))
    .meta({ label, kind: "number", hint, initial: String(initial) });

/**
 * Applied when a zone is created without records: its name servers at @. The primary name server
 * (the SOA's) is the only one known before routes are: add the others (and an address for an in-zone
 * name server) as records.
 */
export const DEFAULT_RECORDS = ["@ NS {primaryNs}."];

export function defaultRecords(input: { primaryNs: string }): ParsedRecord[] {
  return DEFAULT_RECORDS.flatMap((line) => parseRecords(line.replaceAll("{primaryNs}", input.primaryNs)).records.map((r) => ({ ...r, line: 0 })));
}

/** The form: its shape gives the fields, `.meta()` their labels. */
export const domainInput = z.object({
  name: hostname("A domain name such as example.net.").meta({ label: "Zone", mono: true, hint: "The domain, e.g. example.net." }),
  primaryNs: hostname("A host name such as ns1.example.net.").meta({ label: "Primary name server", mono: true, hint: "The SOA's primary name server (MNAME), e.g. ns1.example.net." }),
  records: z
    .string()
    .default("")
    .transform((text, ctx) => {
      const { records, errors } = parseRecords(text);
      errors.forEach((message) => ctx.addIssue({ code: "custom", message }));
      return records;
    })
    .meta({
      label: "Records",
      kind: "textarea",
      mono: true,
      rows: 12,
      wide: true,
      hint: `One per line: name type [ttl] value — e.g. "www A 192.0.2.10", "@ MX 10 mail", "@ TXT \\"v=spf1 -all\\"", "_sip._tcp SRV 10 5 5060 sip", "@ CAA 0 issue \\"letsencrypt.org\\"". Names are relative to the zone (@ is the zone itself); a target ending in a dot is absolute. Empty on a new zone: ${DEFAULT_RECORDS.join(", ").replaceAll("{primaryNs}", "<primary name server>")}.`,
    }),
  hostmaster: z
    .string()
    .trim()
    .toLowerCase()
    .default("")
    .pipe(z.union([z.literal(""), z.string().regex(HOSTMASTER, "An e-mail address such as hostmaster@example.net (no + or quotes).")]))
    .meta({ label: "Hostmaster e-mail", mono: true, hint: "Empty: hostmaster@<zone>." }),
  ttl: seconds("Default TTL", 3600, 1, 604_800, "$TTL: records without their own TTL."),
  refresh: seconds("Refresh", 3600, 60, 604_800, "How often secondaries check the serial."),
  retry: seconds("Retry", 900, 60, 604_800, "How soon a secondary retries after a failed check."),
  expire: seconds("Expire", 1_209_600, 3600, 4_838_400, "When a secondary that cannot reach the primary stops answering."),
  minimum: seconds("Negative TTL", 300, 1, 86_400, "SOA minimum: how long resolvers cache “no such name”."),
  description: descriptionField,
});

export type DomainInput = z.infer<typeof domainInput>;

/** Whole-zone checks (every role): what BIND would refuse, with the lines at fault. A new zone
 * without records is checked with its default records. */
export function zoneRefine(input: DomainInput & { id?: number }, ctx: z.RefinementCtx) {
  if (!input.name || !Array.isArray(input.records)) return;
  if (input.records.length > MAX_RECORDS) return;
  const records = input.records.length === 0 && !input.id ? defaultRecords(input) : input.records;
  zoneProblems(input.name, records).forEach((message) => ctx.addIssue({ code: "custom", path: ["records"], message }));
}

/** A record as backends see it (the type stays a string: the renderer refuses an unknown one by name). */
export const domainRecordSnapshot = z.object({
  id: z.number().int().optional(),
  name: z.string(),
  type: z.string(),
  ttl: z.number().int().nullable(),
  priority: z.number().int().nullable(),
  value: z.string(),
});

/** A stored zone as backends and route expressions see it (records included). */
export const domainSnapshot = z.object({
  id: z.number().int(),
  name: z.string(),
  primaryNs: z.string(),
  hostmaster: z.string(),
  ttl: z.number().int(),
  refresh: z.number().int(),
  retry: z.number().int(),
  expire: z.number().int(),
  minimum: z.number().int(),
  serial: z.number().int(),
  description: z.string().default(""),
  records: z.array(domainRecordSnapshot),
  createdAt: z.string().optional(),
  updatedAt: z.string().optional(),
});

export type DomainSnapshot = z.infer<typeof domainSnapshot>;
export type DomainRecordSnapshot = z.infer<typeof domainRecordSnapshot>;

export { ZONE };
