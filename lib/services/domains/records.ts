// The records of a zone as an operator types them, one per line: `name type [ttl] value…` (the zone
// file's order `name [ttl] type value…` is read too). Parsed into rows (DomainRecord) and formatted
// back the same way, so the form shows what it stored. Pure: used by the form's schema, the service's
// checks and the zone-file renderer (which validates every row again, whatever wrote it).
import { isIPv4, isIPv6 } from "node:net";

export const RECORD_TYPES = ["A", "AAAA", "CNAME", "MX", "TXT", "SRV", "NS", "CAA"] as const;
export type RecordType = (typeof RECORD_TYPES)[number];

/** A record as stored: `value` is the rdata without the priority (MX/SRV) and, for TXT/CAA, unquoted. */
export type RecordRow = { name: string; type: RecordType; ttl: number | null; priority: number | null; value: string };
export type ParsedRecord = RecordRow & { line: number };

const LABEL = "[a-z0-9_](?:[a-z0-9_-]{0,61}[a-z0-9_])?";
/** An owner name relative to the zone: `@`, labels, or a wildcard `*` / `*.labels`. */
export const OWNER = new RegExp(`^(?:@|\\*|(?:\\*\\.)?${LABEL}(?:\\.${LABEL})*)$`);
/** A zone name (a hostname, lowercase, no trailing dot). */
export const ZONE = /^(?=.{1,253}$)[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)*$/;
/** A target name: `@`, a name relative to the zone, or an absolute one (trailing dot). */
export const TARGET = new RegExp(`^(?:@|${LABEL}(?:\\.${LABEL})*\\.?)$`);
/** A CAA property tag (RFC 8659: letters and digits). */
export const CAA_TAG = /^[a-z0-9]{1,15}$/;
/** Characters that no TXT or CAA text may hold: control characters (newlines included). */
export const CONTROL = /[\u0000-\u001f\u007f]/;

export const MAX_TTL = 2_147_483_647;
export const MAX_TEXT_BYTES = 4000;
export const MAX_RECORDS = 1000;

const uint = (text: string, max: number): number | null => (/^\d{1,10}$/.test(text) && Number(text) <= max ? Number(text) : null);

/** Why a row cannot be a record, or null. The form and the renderer share it. */
export function recordProblem(r: RecordRow): string | null {
  if (typeof r.name !== "string" || !OWNER.test(r.name) || r.name.length > 253) return `the name ${JSON.stringify(r.name)} is not @, a name relative to the zone or a wildcard`;
  if (!(RECORD_TYPES as readonly string[]).includes(r.type)) return `the type ${JSON.stringify(r.type)} is not one of ${RECORD_TYPES.join(", ")}`;
  if (r.ttl !== null && (!Number.isInteger(r.ttl) || r.ttl < 0 || r.ttl > MAX_TTL)) return `the TTL ${JSON.stringify(r.ttl)} is not a number of seconds`;
  const needsPriority = r.type === "MX" || r.type === "SRV";
  if (needsPriority ? !(Number.isInteger(r.priority) && r.priority! >= 0 && r.priority! <= 65535) : r.priority !== null) {
    return needsPriority ? `an ${r.type} record needs a priority from 0 to 65535` : `a ${r.type} record has no priority`;
  }
  const v = r.value;
  if (typeof v !== "string") return "the value is not text";
  switch (r.type) {
    case "A":
      return isIPv4(v) ? null : `an A record needs an IPv4 address, not ${JSON.stringify(v)}`;
    case "AAAA":
      return isIPv6(v) && !v.includes("%") ? null : `an AAAA record needs an IPv6 address, not ${JSON.stringify(v)}`;
    case "CNAME":
    case "NS":
    case "MX":
      return TARGET.test(v) && v.length <= 254 ? null : `the target ${JSON.stringify(v)} is not a host name (relative to the zone, or absolute with a final dot)`;
    case "SRV": {
      const [weight, port, target, ...rest] = v.split(" ");
      if (rest.length || uint(weight ?? "", 65535) === null || uint(port ?? "", 65535) === null) return `an SRV record needs "priority weight port target" (numbers from 0 to 65535), not ${JSON.stringify(v)}`;
      return target === "." || (TARGET.test(target) && target.length <= 254) ? null : `the SRV target ${JSON.stringify(target)} is not a host name or "."`;
    }
    case "TXT":
      if (CONTROL.test(v)) return "the text holds a control character (a newline, a tab…)";
      return Buffer.byteLength(v, "utf8") <= MAX_TEXT_BYTES ? null : `the text is longer than ${MAX_TEXT_BYTES} bytes`;
    case "CAA": {
      const m = /^(\d{1,3}) (\S+) (.*)$/s.exec(v);
      if (!m || Number(m[1]) > 255) return `a CAA record needs "flags tag value" (flags from 0 to 255), not ${JSON.stringify(v)}`;
      if (!CAA_TAG.test(m[2])) return `the CAA tag ${JSON.stringify(m[2])} is not 1 to 15 letters and digits`;
      if (CONTROL.test(m[3])) return "the CAA value holds a control character";
      return Buffer.byteLength(m[3], "utf8") <= 255 ? null : "the CAA value is longer than 255 bytes";
    }
  }
}

// ——— reading lines ———

type Token = { text: string; quoted: boolean; start: number };

/** Splits a line into words and "quoted strings" (\" and \\ are the escapes inside quotes). */
function tokenize(line: string): Token[] | string {
  const tokens: Token[] = [];
  let i = 0;
  while (i < line.length) {
    if (/\s/.test(line[i])) {
      i++;
      continue;
    }
    const start = i;
    if (line[i] === '"') {
      let text = "";
      i++;
      while (i < line.length && line[i] !== '"') {
        if (line[i] === "\\" && i + 1 < line.length) i++;
        text += line[i++];
      }
      if (i >= line.length) return "a quote is not closed";
      i++;
      tokens.push({ text, quoted: true, start });
    } else {
      while (i < line.length && !/\s/.test(line[i]) && line[i] !== '"') i++;
      tokens.push({ text: line.slice(start, i), quoted: false, start });
    }
  }
  return tokens;
}

const VALUE_WORDS: Record<RecordType, number> = { A: 1, AAAA: 1, CNAME: 1, NS: 1, MX: 2, SRV: 4, CAA: 3, TXT: 1 };

/** An owner or target written absolute inside the zone, made relative (`www.example.net.` → `www`). */
function relative(name: string, zone: string | undefined): string {
  if (!zone || !name.endsWith(".")) return name;
  if (name === `${zone}.`) return "@";
  return name.endsWith(`.${zone}.`) ? name.slice(0, -zone.length - 2) : name;
}

/** One line → a record, or the reason it is not one. */
export function parseLine(line: string, zone?: string): RecordRow | string {
  const tokens = tokenize(line);
  if (typeof tokens === "string") return tokens;
  if (tokens.some((t, i) => t.quoted && i === 0)) return "the name cannot be quoted";
  const words = [...tokens];
  const name = relative(words.shift()!.text.toLowerCase(), zone);
  let ttl: number | null = null;
  const takeTtl = () => {
    const t = words.shift()!;
    const n = uint(t.text, MAX_TTL);
    if (n === null) return `the TTL ${JSON.stringify(t.text)} is not a number of seconds`;
    ttl = n;
    return null;
  };
  if (words[0] && !words[0].quoted && /^\d+$/.test(words[0].text)) {
    const problem = takeTtl();
    if (problem) return problem;
  }
  if (words[0]?.text.toUpperCase() === "IN" && !words[0].quoted) words.shift();
  const typeWord = words.shift();
  if (!typeWord) return "write: name type [ttl] value";
  const type = typeWord.text.toUpperCase() as RecordType;
  if (typeWord.quoted || !(RECORD_TYPES as readonly string[]).includes(type)) return `unknown type ${JSON.stringify(typeWord.text)} (use ${RECORD_TYPES.join(", ")})`;
  const ttlAfterType = type === "TXT" ? words.length >= 2 && !words[0].quoted && /^\d+$/.test(words[0].text) : words.length === VALUE_WORDS[type] + 1;
  if (ttlAfterType) {
    if (ttl !== null) return "two TTLs";
    const problem = takeTtl();
    if (problem) return problem;
  }
  if (words.length === 0) return `a ${type} record needs a value`;
  const rest = line.slice(words[0].start).trim();
  const plain = () => words.map((w) => w.text).join(" ");
  let priority: number | null = null;
  let value: string;
  switch (type) {
    case "TXT":
      // several "strings" are one text (as in a zone file); without quotes, the rest of the line
      if (words.some((w) => w.quoted) && !words.every((w) => w.quoted)) return "quote every part of the text, or none";
      value = words[0].quoted ? words.map((w) => w.text).join("") : rest;
      break;
    case "CAA": {
      if (words.length < 3) return 'write: name CAA flags tag "value"';
      const [flags, tag, ...text] = words;
      if (text.length > 1 && text.some((w) => w.quoted)) return "quote the CAA value as one string";
      value = `${flags.text} ${tag.text.toLowerCase()} ${text[0].quoted ? text[0].text : line.slice(text[0].start).trim()}`;
      break;
    }
    case "MX":
    case "SRV": {
      if (words.length !== VALUE_WORDS[type]) return type === "MX" ? "write: name MX [ttl] priority target" : "write: name SRV [ttl] priority weight port target";
      priority = uint(words[0].text, 65535);
      if (priority === null) return `the priority ${JSON.stringify(words[0].text)} is not a number from 0 to 65535`;
      const targetAt = words.length - 1;
      value = words.slice(1).map((w, i) => (i + 1 === targetAt ? relative(w.text.toLowerCase(), zone) : w.text)).join(" ");
      break;
    }
    default:
      if (words.length !== 1 || words[0].quoted) return `a ${type} record has one value, not ${JSON.stringify(plain())}`;
      value = type === "CNAME" || type === "NS" ? relative(words[0].text.toLowerCase(), zone) : type === "AAAA" ? words[0].text.toLowerCase() : words[0].text;
  }
  const record: RecordRow = { name, type, ttl, priority, value };
  return recordProblem(record) ?? record;
}

/** Every line of the records field: the records, and line-numbered errors. Blank lines and lines
 * starting with ; or # are skipped. */
export function parseRecords(text: string, zone?: string): { records: ParsedRecord[]; errors: string[] } {
  const records: ParsedRecord[] = [];
  const errors: string[] = [];
  text.split(/\r?\n/).forEach((raw, i) => {
    const line = raw.trim();
    if (!line || line.startsWith(";") || line.startsWith("#")) return;
    const parsed = parseLine(line, zone);
    if (typeof parsed === "string") errors.push(`Line ${i + 1}: ${parsed}.`);
    else records.push({ ...parsed, line: i + 1 });
  });
  if (records.length > MAX_RECORDS) errors.push(`At most ${MAX_RECORDS} records.`);
  return { records, errors };
}

// ——— writing them back ———

/** A text as one "quoted string" for the form (only \ and " escaped). */
export function quoteText(text: string): string {
  return `"${text.replace(/[\\"]/g, (c) => `\\${c}`)}"`;
}

/** The rdata as the operator writes it (and reads it back in the form). */
export function rdataText(r: RecordRow): string {
  switch (r.type) {
    case "TXT":
      return quoteText(r.value);
    case "CAA": {
      const [flags, tag, ...text] = r.value.split(" ");
      return `${flags} ${tag} ${quoteText(text.join(" "))}`;
    }
    case "MX":
    case "SRV":
      return `${r.priority} ${r.value}`;
    default:
      return r.value;
  }
}

/** One record as a line of the form: `name type [ttl] value`. */
export function formatRecord(r: RecordRow): string {
  return [r.name, r.type, ...(r.ttl === null ? [] : [String(r.ttl)]), rdataText(r)].join(" ");
}

/** The same record, whatever its id: rows are compared with it when a zone is saved. */
export function recordKey(r: RecordRow): string {
  return JSON.stringify([r.name, r.type, r.ttl, r.priority, r.value]);
}

// ——— the zone as a whole ———

/** The absolute name (no final dot) of an owner or target written relative to `zone` (or absolute). */
export function absolute(name: string, zone: string): string {
  if (name === "@") return zone;
  return name.endsWith(".") ? name.slice(0, -1) : `${name}.${zone}`;
}

function inZone(name: string, zone: string) {
  return name === zone || name.endsWith(`.${zone}`);
}

/**
 * What BIND would refuse in a zone (or what makes no sense), line by line: a CNAME beside other data
 * or at the apex, no NS at the apex, an in-zone name server without an address, the same record twice.
 */
export function zoneProblems(zone: string, records: readonly ParsedRecord[]): string[] {
  const problems: string[] = [];
  const at = (r: ParsedRecord) => (r.line > 0 ? `Line ${r.line}` : "Default records");
  const byName = new Map<string, ParsedRecord[]>();
  const seen = new Map<string, ParsedRecord>();
  for (const r of records) {
    byName.set(r.name, [...(byName.get(r.name) ?? []), r]);
    const twin = seen.get(recordKey(r));
    if (twin) problems.push(`${at(r)}: the same record as line ${twin.line}.`);
    else seen.set(recordKey(r), r);
    if (absolute(r.name, zone).length > 253) problems.push(`${at(r)}: the name ${r.name}.${zone} is longer than 253 characters.`);
  }
  for (const r of records) {
    if (r.type !== "CNAME") continue;
    if (r.name === "@") problems.push(`${at(r)}: a CNAME cannot be at @ (the zone's SOA and NS records are there).`);
    else {
      const other = byName.get(r.name)!.find((o) => o !== r);
      if (other) problems.push(`${at(r)}: ${r.name} has a CNAME, so it can have no other record (line ${other.line}).`);
    }
  }
  if (!records.some((r) => r.name === "@" && r.type === "NS")) problems.push("The zone needs at least one NS record at @ (its name servers).");
  const addressed = new Set(records.filter((r) => r.type === "A" || r.type === "AAAA").map((r) => absolute(r.name, zone)));
  for (const r of records) {
    if (r.type !== "NS") continue;
    const target = absolute(r.value, zone);
    if (inZone(target, zone) && !addressed.has(target)) problems.push(`${at(r)}: the name server ${target} is inside the zone, so it needs an A or AAAA record.`);
  }
  return problems;
}
