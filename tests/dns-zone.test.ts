// DNS zones without daemons: the records field (parsed, line-numbered errors, written back), the zone
// file (escaping, refusals), the serial, and the BIND backends' rendered scripts.
import { describe, expect, it } from "vitest";
import { renderScript } from "../lib/orchestration/script";
import { MODEL_SAMPLES, serviceBySlug } from "../lib/services";
import { bindPrimaryBackend } from "../lib/services/domains/primary";
import { formatRecord, parseRecords } from "../lib/services/domains/records";
import { bindSecondaryBackend } from "../lib/services/domains/secondary";
import { nextSerial, textStrings, zoneFile } from "../lib/services/domains/zone-file";

const service = serviceBySlug("domains")!;
const zone = {
  id: 1, name: "example.test", primaryNs: "ns1.example.net", hostmaster: "", ttl: 3600, refresh: 3600, retry: 900, expire: 1209600, minimum: 300, serial: 2026010101, description: "",
  records: [
    { id: 1, name: "@", type: "NS", ttl: null, priority: null, value: "ns1.example.net." },
    { id: 2, name: "www", type: "A", ttl: 60, priority: null, value: "192.0.2.10" },
  ],
};
const server = (id: number, name: string, address: string, variables: Record<string, string> = {}) => ({ id, name, address, port: 22, sshUser: "root", hostKeyFingerprint: null, variables });
const save = (backend: string, object: object) => ({ backend, action: "save", model: "Domain", objectId: "1", objectLabel: "example.test", before: null, after: object as never });

describe("the records field", () => {
  it("reads one record per line, in either order of type and TTL, and writes them back the same way", () => {
    const text = [
      "@ NS ns1.example.net.",
      "www A 192.0.2.10",
      "www 300 AAAA 2001:DB8::1",
      "; a comment",
      "@ MX 600 10 mail",
      '@ TXT "v=spf1 -all"',
      'long TXT "part one " "part two"',
      "bare TXT v=DKIM1; k=rsa; p=abc",
      "_sip._tcp SRV 10 5 5060 sip.example.net.",
      '@ CAA 0 issue "letsencrypt.org"',
      "*.dev CNAME www",
    ].join("\n");
    const { records, errors } = parseRecords(text);
    expect(errors).toEqual([]);
    expect(records.map(formatRecord)).toEqual([
      "@ NS ns1.example.net.",
      "www A 192.0.2.10",
      "www AAAA 300 2001:db8::1",
      "@ MX 600 10 mail",
      '@ TXT "v=spf1 -all"',
      'long TXT "part one part two"',
      'bare TXT "v=DKIM1; k=rsa; p=abc"',
      "_sip._tcp SRV 10 5 5060 sip.example.net.",
      '@ CAA 0 issue "letsencrypt.org"',
      "*.dev CNAME www",
    ]);
    expect(records[3]).toMatchObject({ type: "MX", ttl: 600, priority: 10, value: "mail", line: 5 });
    expect(parseRecords(formatRecord(records[4])).records[0]).toMatchObject({ value: "v=spf1 -all" });
  });

  it("says which line is wrong and why", () => {
    const { errors } = parseRecords(["www A 300.1.1.1", "", "x AAAA 192.0.2.1", 'a TXT "open', "b MX mail", "c SPF x", "has space A 192.0.2.1", "d SRV 1 2 99999 x", "e CAA 0 is-sue x", "f CNAME bad_target!"].join("\n"));
    expect(errors).toEqual([
      'Line 1: an A record needs an IPv4 address, not "300.1.1.1".',
      'Line 3: an AAAA record needs an IPv6 address, not "192.0.2.1".',
      "Line 4: a quote is not closed.",
      'Line 5: write: name MX [ttl] priority target.',
      'Line 6: unknown type "SPF" (use A, AAAA, CNAME, MX, TXT, SRV, NS, CAA).',
      'Line 7: unknown type "space" (use A, AAAA, CNAME, MX, TXT, SRV, NS, CAA).',
      'Line 8: an SRV record needs "priority weight port target" (numbers from 0 to 65535), not "2 99999 x".',
      'Line 9: the CAA tag "is-sue" is not 1 to 15 letters and digits.',
      'Line 10: the target "bad_target!" is not a host name (relative to the zone, or absolute with a final dot).',
    ]);
  });

  it("the form refuses what BIND would refuse, with the lines at fault; a new zone gets the default records", () => {
    const parse = (records: string, extra: object = {}) => service.createSchema.safeParse({ name: "Example.TEST.", primaryNs: "ns1.example.net", records, ...extra });
    const bad = parse(["@ NS ns1", "@ CNAME other.example.net.", "www A 192.0.2.1", "www CNAME x.example.net.", "www A 192.0.2.1"].join("\n"));
    expect(bad.success).toBe(false);
    expect(bad.error!.issues.map((i) => `${i.path.join(".")}: ${i.message}`)).toEqual([
      "records: Line 5: the same record as line 3.",
      "records: Line 2: a CNAME cannot be at @ (the zone's SOA and NS records are there).",
      "records: Line 4: www has a CNAME, so it can have no other record (line 3).",
      "records: Line 1: the name server ns1.example.test is inside the zone, so it needs an A or AAAA record.",
    ]);
    const fresh = parse("");
    expect(fresh.success).toBe(true);
    expect(fresh.data).toMatchObject({ name: "example.test", ttl: 3600, expire: 1209600, records: [] });
    expect(parse("", { primaryNs: "ns1.example.test" }).error!.issues[0].message).toBe("Default records: the name server ns1.example.test is inside the zone, so it needs an A or AAAA record.");
    expect(parse("www A 192.0.2.1").error!.issues[0].message).toBe("The zone needs at least one NS record at @ (its name servers).");
  });

  it("the route sample has every field, records included", () => {
    expect(MODEL_SAMPLES.Domain).toMatchObject({ name: "", serial: 0, records: [{ name: "", type: "", ttl: 0, value: "" }] });
  });
});

describe("the zone file", () => {
  it("quotes and escapes texts in strings of at most 255 bytes, and writes the SOA", () => {
    expect(textStrings('a "b" \\c $INCLUDE /etc/passwd ;d é')).toBe('"a \\"b\\" \\\\c $INCLUDE /etc/passwd ;d \\195\\169"');
    const long = textStrings("x".repeat(300));
    expect(long).toBe(`"${"x".repeat(255)}" "${"x".repeat(45)}"`);
    // a two-byte character is never split between strings
    expect(textStrings(`${"x".repeat(254)}é`)).toBe(`"${"x".repeat(254)}" "\\195\\169"`);
    const lines = zoneFile({ ...zone, hostmaster: "dns.admin@example.net" });
    expect(lines.slice(1)).toEqual([
      "$ORIGIN example.test.",
      "$TTL 3600",
      "@ IN SOA ns1.example.net. dns\\.admin.example.net. ( 2026010101 3600 900 1209600 300 )",
      "@ IN NS ns1.example.net.",
      "www 60 IN A 192.0.2.10",
    ]);
  });

  it("refuses a value that cannot be written safely, naming it", () => {
    const withRecord = (r: object) => ({ ...zone, records: [...zone.records, { id: 9, ttl: null, priority: null, ...r } as (typeof zone.records)[number]] });
    expect(() => zoneFile(withRecord({ name: "@", type: "TXT", value: 'x"\n$INCLUDE /etc/shadow\n"' }))).toThrow(/refusing to render zone "example.test": the TXT record of "@": the text holds a control character/);
    expect(() => zoneFile(withRecord({ name: "www evil", type: "A", value: "192.0.2.1" }))).toThrow(/the name "www evil" is not @/);
    expect(() => zoneFile(withRecord({ name: "$INCLUDE", type: "A", value: "192.0.2.1" }))).toThrow(/the name "\$INCLUDE"/);
    expect(() => zoneFile(withRecord({ name: "www", type: "A", value: "192.0.2.1 ; x" }))).toThrow(/needs an IPv4 address/);
    expect(() => zoneFile(withRecord({ name: "www", type: "HINFO", value: "x" }))).toThrow(/has the type "HINFO"/);
    expect(() => zoneFile(withRecord({ name: "@", type: "CAA", value: '0 issue x"\ny' }))).toThrow(/control character/);
    expect(() => zoneFile({ ...zone, name: "example.test/../../etc" })).toThrow(/the zone name is not a domain name/);
    expect(() => zoneFile({ ...zone, primaryNs: "ns1.example.net. ( 1 )" })).toThrow(/primary name server/);
    expect(() => zoneFile({ ...zone, hostmaster: "a b@example.net" })).toThrow(/hostmaster/);
  });

  it("the serial is date-based and never goes down", () => {
    const day = new Date("2026-11-26T12:00:00Z");
    expect(nextSerial(0, day)).toBe(2026112601);
    expect(nextSerial(2026112601, day)).toBe(2026112602);
    expect(nextSerial(2026010105, day)).toBe(2026112601);
    expect(nextSerial(2026112699, day)).toBe(2026112700);
    expect(nextSerial(2030010101, day)).toBe(2030010102);
  });
});

describe("the BIND backends' scripts", () => {
  const primary = server(1, "ns1", "127.0.7.1", { BIND_PEER_PORT: "24401" });
  const secondary = server(2, "ns2", "10.0.0.2", { BIND_PEER_ADDRESS: "127.0.7.2", BIND_PEER_PORT: "24401" });
  const lookup = (backend: string) => (backend === "bind9-secondary" ? [primary, secondary] : backend === "bind9-primary" ? [primary] : []);

  it("the primary lists the secondaries the routes give it; the secondary its primaries", () => {
    const p = renderScript(bindPrimaryBackend, primary, [save("bind9-primary", zone)], [], lookup);
    expect(p.text).toContain(`zone "example.test" { type primary; file "/var/lib/bind/orchestra/db.example.test"; notify yes; also-notify { 127.0.7.2 port 24401; }; allow-transfer { 127.0.7.2; }; };`);
    expect(p.text).toContain("bind_checkzone example.test /var/lib/bind/orchestra/db.example.test.new");
    expect(p.text).toContain("expect+=('example.test 2026010101')");
    const s = renderScript(bindSecondaryBackend, secondary, [save("bind9-secondary", zone)], [], lookup);
    expect(s.text).toContain(`zone "example.test" { type secondary; file "/var/cache/bind/orchestra/db.example.test"; primaries { 127.0.7.1 port 24401; }; };`);
    expect(s.text).toContain("chown -- bind /var/cache/bind/orchestra");
  });

  it("refuses a secondary without a primary, a peer that is no IP address and a path with quotes", () => {
    expect(() => renderScript(bindSecondaryBackend, secondary, [save("bind9-secondary", zone)], [], () => [])).toThrow(/no active route of bind9-primary matches it/);
    const named = server(3, "ns3", "ns3.example.net");
    expect(() => renderScript(bindPrimaryBackend, primary, [save("bind9-primary", zone)], [], () => [named])).toThrow(/server ns3 is reached at "ns3.example.net", which is not an IP address/);
    const quoted = { ...primary, variables: { BIND_PRIMARY_DIR: '/srv/x"; }; include "/etc/shadow' } };
    expect(() => renderScript(bindPrimaryBackend, quoted, [save("bind9-primary", zone)], [], () => [])).toThrow(/BIND_PRIMARY_DIR .* is not a plain absolute path/);
    expect(() => renderScript(bindPrimaryBackend, { ...primary, variables: { BIND_NOTIFY: "yes; also-notify { 1.2.3.4; }" } }, [save("bind9-primary", zone)], [], () => [])).toThrow(/BIND_NOTIFY/);
  });
});
