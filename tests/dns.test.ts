// DNS zones end to end: the real pipeline (unit of work, routes, ssh) against two real named processes,
// a primary on 127.0.7.1 and a secondary on 127.0.7.2, and dig as the proof. The test servers are sshd
// on the same addresses, so each backend finds its peers at the servers' own addresses.
import { readFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { Engine } from "../lib/orchestration/engine";
import { SshExecutor } from "../lib/orchestration/executors/ssh";
import { runSelection } from "../lib/orchestration/manual";
import { orchestrate, type TxDb } from "../lib/orchestration/unit-of-work";
import { runUnitOfWork } from "../lib/orchestration/dispatcher";
import { serviceBySlug } from "../lib/services";
import { quoteText } from "../lib/services/domains/records";
import { nextSerial } from "../lib/services/domains/zone-file";
import { createRegistry } from "../lib/services/registry";
import { resetDb, testDb } from "./db";
import { dig, servedSerial, startBind, type BindServer } from "./support/bind";
import { clientKey, startSshHost, type SshHost } from "./support/ssh-host";

const db = testDb();
const service = serviceBySlug("domains")!;
let ns1: BindServer;
let ns2: BindServer;
let ssh: SshHost[] = [];
let engine: Engine;
let executor: SshExecutor;

async function change(fn: (tx: TxDb) => Promise<unknown>) {
  const unit = await orchestrate(engine, fn);
  return runUnitOfWork(engine, unit);
}

/** What the admin's save does: the service's schema, data hook (the serial) and create/update, in one unit of work. */
async function saveDomain(input: Record<string, string>, id?: number) {
  const { id: _id, ...fields } = (id ? service.updateSchema : service.createSchema).parse({ ...input, ...(id && { id: String(id) }) }) as Record<string, unknown>;
  return change(async (tx) => {
    const ctx = { db: tx, user: { id: 0, role: "admin" }, id };
    const data = await service.data!(fields, ctx);
    if (id) await service.update!(id, data, ctx);
    else await service.create!(data, ctx);
  });
}

const states = (reports: Array<{ backend: string; state: string }>) => Object.fromEntries(reports.map((r) => [r.backend, r.state]));
const stderrOf = async (logId: number) => (await db.scriptLog.findUniqueOrThrow({ where: { id: logId } })).stderr;

const RECORDS = ["@ NS ns1", "@ NS ns2", "ns1 A 127.0.7.1", "ns2 A 127.0.7.2", "www A 192.0.2.10"];

beforeAll(async () => {
  const key = clientKey(path.join(os.tmpdir(), "orchestra-test-keys"));
  [ns1, ns2] = await Promise.all([startBind({ address: "127.0.7.1" }), startBind({ address: "127.0.7.2" })]);
  ssh = await Promise.all(["127.0.7.1", "127.0.7.2"].map((address) => startSshHost({ address, port: 24422, clientKeyFile: key })));
  executor = SshExecutor.fromKeyFile(key);
  engine = new Engine({ db, registry: createRegistry(), executor: () => executor });
});

afterAll(async () => {
  await executor?.close();
  await Promise.all(ssh.map((h) => h.stop()));
  await Promise.all([ns1?.stop(), ns2?.stop()]);
});

beforeEach(async () => {
  await resetDb();
  await Promise.all([ns1.reset(), ns2.reset()]);
  const primary = await db.server.create({ data: { name: "ns1", address: ssh[0].address, port: ssh[0].port, variables: ns1.variables } });
  const secondary = await db.server.create({ data: { name: "ns2", address: ssh[1].address, port: ssh[1].port, variables: ns2.variables } });
  await db.route.create({ data: { backend: "bind9-primary", serverId: primary.id, match: 'object.name.endsWith(".test")' } });
  await db.route.create({ data: { backend: "bind9-secondary", serverId: secondary.id, match: 'object.name.endsWith(".test")' } });
});

describe("DNS zones on a BIND primary and secondary", () => {
  it("both answer a new zone's records; a change reaches both with a higher serial; a deleted zone is refused by both", async () => {
    const text = 'say "hi" \\ $INCLUDE /etc/passwd ; not a comment';
    const records = [
      ...RECORDS,
      "www AAAA 2001:db8::10",
      "@ MX 10 mail",
      "mail 300 A 192.0.2.25",
      '@ TXT "v=spf1 mx -all"',
      `quote TXT ${quoteText(text)}`,
      `long TXT "${"x".repeat(300)}"`,
      "_sip._tcp SRV 10 5 5060 www",
      '@ CAA 0 issue "letsencrypt.org"',
      "shop CNAME www",
    ].join("\n");
    const created = await saveDomain({ name: "example.test", primaryNs: "ns1.example.test", records });
    expect(states(created)).toEqual({ "bind9-primary": "SUCCESS", "bind9-secondary": "SUCCESS" });
    const { id, serial } = await db.domain.findUniqueOrThrow({ where: { name: "example.test" } });
    expect(String(serial)).toMatch(/^\d{8}01$/);

    // the primary script waited until named served the new serial; the secondary transfers on NOTIFY
    for (const ns of [ns1, ns2]) {
      await expect.poll(() => servedSerial(ns, "example.test"), { timeout: 10_000 }).toBe(serial);
      expect((await dig(ns, "www.example.test")).answers).toEqual(["192.0.2.10"]);
      expect((await dig(ns, "www.example.test", "AAAA")).answers).toEqual(["2001:db8::10"]);
      expect((await dig(ns, "example.test", "MX")).answers).toEqual(["10 mail.example.test."]);
      expect((await dig(ns, "quote.example.test", "TXT")).answers).toEqual(['"say \\"hi\\" \\\\ $INCLUDE /etc/passwd ; not a comment"']);
      expect((await dig(ns, "long.example.test", "TXT")).answers).toEqual([`"${"x".repeat(255)}" "${"x".repeat(45)}"`]);
      expect((await dig(ns, "_sip._tcp.example.test", "SRV")).answers).toEqual(["10 5 5060 www.example.test."]);
      expect((await dig(ns, "example.test", "CAA")).answers).toEqual(['0 issue "letsencrypt.org"']);
      expect((await dig(ns, "shop.example.test")).answers).toEqual(["www.example.test.", "192.0.2.10"]);
    }
    // the primary's entry names the secondary the route gives it, and the other way round
    expect(ns1.files()["primary.conf"]).toContain("also-notify { 127.0.7.2 port 24401; }; allow-transfer { 127.0.7.2; };");
    expect(ns2.files()["secondary.conf"]).toContain("primaries { 127.0.7.1 port 24401; };");

    // change a record: one save per server, the serial raised in the same write
    const changed = await saveDomain({ name: "example.test", primaryNs: "ns1.example.test", records: records.replace("www A 192.0.2.10", "www A 192.0.2.20") }, id);
    expect(states(changed)).toEqual({ "bind9-primary": "SUCCESS", "bind9-secondary": "SUCCESS" });
    expect(await db.operation.count({ where: { model: "Domain" } })).toBe(4);
    const after = await db.domain.findUniqueOrThrow({ where: { id } });
    expect(after.serial).toBeGreaterThan(serial);
    for (const ns of [ns1, ns2]) {
      await expect.poll(() => servedSerial(ns, "example.test"), { timeout: 10_000 }).toBe(after.serial);
      expect((await dig(ns, "www.example.test")).answers).toEqual(["192.0.2.20"]);
    }

    // saving it unchanged keeps the serial
    await saveDomain({ name: "example.test", primaryNs: "ns1.example.test", records: records.replace("www A 192.0.2.10", "www A 192.0.2.20"), description: "only words" }, id);
    expect((await db.domain.findUniqueOrThrow({ where: { id } })).serial).toBe(after.serial);

    // delete: gone from both (entry and files)
    const deleted = await change((tx) => tx.domain.delete({ where: { id } }));
    expect(states(deleted)).toEqual({ "bind9-primary": "SUCCESS", "bind9-secondary": "SUCCESS" });
    for (const ns of [ns1, ns2]) {
      expect((await dig(ns, "www.example.test")).status).toBe("REFUSED");
      expect(ns.files()).toEqual({ "primary.conf": "", "secondary.conf": "" });
    }
  });

  it("a zone named-checkzone refuses is never installed; a failed reload puts the previous files back", async () => {
    await saveDomain({ name: "kept.test", primaryNs: "ns1.kept.test", records: RECORDS.join("\n") });
    const domain = await db.domain.findUniqueOrThrow({ where: { name: "kept.test" } });
    await expect.poll(() => servedSerial(ns2, "kept.test"), { timeout: 10_000 }).toBe(domain.serial);
    const files = ns1.files();

    // The form refuses a CNAME beside other data; a row written by another path reaches the backend,
    // whose render-time checks are about syntax: named-checkzone is the one to refuse it.
    expect(service.updateSchema.safeParse({ id: String(domain.id), name: "kept.test", primaryNs: "ns1.kept.test", records: [...RECORDS, "www CNAME elsewhere.example.net."].join("\n") }).success).toBe(false);
    const checked = await change(async (tx) => {
      await tx.domainRecord.create({ data: { domainId: domain.id, name: "www", type: "CNAME", value: "elsewhere.example.net." } });
      await tx.domain.update({ where: { id: domain.id }, data: { serial: nextSerial(domain.serial) } });
    });
    // reports come in the order runs finish: pick the primary's by its backend
    const rejected = checked.find((r) => r.backend === "bind9-primary")!;
    expect(rejected).toMatchObject({ backend: "bind9-primary", state: "FAILURE" });
    const stderr = await stderrOf(rejected.logId);
    expect(stderr).toMatch(/www.kept.test: CNAME and other data/);
    expect(stderr).toMatch(/named-checkzone rejected zone kept.test: nothing was installed/);
    expect(ns1.files()).toEqual(files);
    for (const ns of [ns1, ns2]) {
      expect(await servedSerial(ns, "kept.test")).toBe(domain.serial);
      expect((await dig(ns, "www.kept.test")).answers).toEqual(["192.0.2.10"]);
    }

    // rndc cannot reach named: the new zone file is taken back, named keeps serving the old one
    await db.domainRecord.deleteMany({ where: { type: "CNAME" } });
    const primary = await db.server.findUniqueOrThrow({ where: { name: "ns1" } });
    await db.server.update({ where: { id: primary.id }, data: { variables: { ...ns1.variables, BIND_RNDC: ns1.variables.BIND_RNDC.replace("-p 24453", "-p 24454") } } });
    const [failed] = (await saveDomain({ name: "kept.test", primaryNs: "ns1.kept.test", records: [...RECORDS, "new A 192.0.2.99"].join("\n") }, domain.id)).filter((r) => r.backend === "bind9-primary");
    expect(failed.state).toBe("FAILURE");
    expect(await stderrOf(failed.logId)).toMatch(/rndc reload kept.test failed: the previous files were restored/);
    expect(ns1.files()).toEqual(files);
    expect((await dig(ns1, "new.kept.test")).status).toBe("NXDOMAIN");

    // fixed and re-applied: the current state reaches both
    await db.server.update({ where: { id: primary.id }, data: { variables: ns1.variables } });
    const { reports } = await runSelection(engine, { model: "Domain", ids: [String(domain.id)] });
    expect(states(reports)).toEqual({ "bind9-primary": "SUCCESS", "bind9-secondary": "SUCCESS" });
    for (const ns of [ns1, ns2]) await expect.poll(() => dig(ns, "new.kept.test").then((a) => a.answers), { timeout: 10_000 }).toEqual(["192.0.2.99"]);
  });

  it("hostile rows written straight into the database make the runs ERROR, and nothing is written", async () => {
    await saveDomain({ name: "safe.test", primaryNs: "ns1.safe.test", records: RECORDS.join("\n") });
    const domain = await db.domain.findUniqueOrThrow({ where: { name: "safe.test" } });
    await expect.poll(() => servedSerial(ns2, "safe.test"), { timeout: 10_000 }).toBe(domain.serial);
    const files = [ns1.files(), ns2.files()];

    const hostile = [
      { name: "@", type: "TXT", value: 'x"\n$INCLUDE /etc/shadow\n"', error: /the TXT record of "@": the text holds a control character/ },
      { name: "www evil", type: "A", value: "192.0.2.66", error: /the name "www evil" is not @/ },
      { name: "www", type: "A", value: "192.0.2.1\n$INCLUDE /etc/shadow", error: /needs an IPv4 address/ },
      { name: "mx", type: "MX", priority: 10, value: "mail.example.net. ; $INCLUDE /etc/shadow", error: /the target .* is not a host name/ },
    ];
    for (const { error, ...row } of hostile) {
      const record = await db.domainRecord.create({ data: { domainId: domain.id, ...row } });
      const reports = await change((tx) => tx.domain.update({ where: { id: domain.id }, data: { serial: { increment: 1 } } }));
      expect(states(reports)).toEqual({ "bind9-primary": "ERROR", "bind9-secondary": "ERROR" });
      for (const r of reports) expect(await stderrOf(r.logId)).toMatch(error);
      await db.domainRecord.delete({ where: { id: record.id } });
    }
    // a zone whose very name is named.conf syntax
    const evil = await db.domain.create({ data: { name: 'x" { type primary; file "/etc/shadow"; }; zone "evil.test', primaryNs: "ns1.safe.test", serial: 1 } });
    const { reports } = await runSelection(engine, { model: "Domain", ids: [String(evil.id)] });
    expect(states(reports)).toEqual({ "bind9-primary": "ERROR", "bind9-secondary": "ERROR" });
    expect(await stderrOf(reports[0].logId)).toMatch(/the zone name is not a domain name/);

    expect([ns1.files(), ns2.files()]).toEqual(files);
    expect(readFileSync(path.join(ns1.dir, "primary.conf"), "utf8")).not.toContain("shadow");
    expect(await servedSerial(ns1, "safe.test")).toBe(domain.serial);
  });
});
