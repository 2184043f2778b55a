// Resource monitors against a real sshd host: a system user's home measured by the monitor against
// `du` on the host, a limit crossed (the exceeded action runs through the pipeline and expires the
// account in the sandbox's shadow file, a notification is raised once), then recovery; a website's
// traffic from its access log; the resource-monitors schedule kind; hostile monitor output.
import { execFileSync } from "node:child_process";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { runUnitOfWork } from "../lib/orchestration/dispatcher";
import { Engine } from "../lib/orchestration/engine";
import { SshExecutor } from "../lib/orchestration/executors/ssh";
import { measureResources } from "../lib/orchestration/monitors";
import { runScheduleNow } from "../lib/orchestration/schedules/fire";
import { applyRetention } from "../lib/orchestration/retention";
import { MONITOR_MARKER, parseMeasurements, renderMonitor } from "../lib/orchestration/script";
import { orchestrate } from "../lib/orchestration/unit-of-work";
import { serverInfo } from "../lib/orchestration/types";
import { createRegistry } from "../lib/services/registry";
import { mariadbNativeHash } from "../lib/services/database-users/passwords";
import { resetDb, testDb } from "./db";
import { clientKey, startSshHost, type SshHost } from "./support/ssh-host";
import { startMariadb, startPostgres, type SqlServer } from "./support/sql-servers";

const db = testDb();
let host: SshHost;
let mariadb: SqlServer;
let postgres: SqlServer;
let executor: SshExecutor;
let engine: Engine;

beforeAll(async () => {
  const key = clientKey(path.join(os.tmpdir(), "orchestra-test-keys"));
  [host, mariadb, postgres] = await Promise.all([
    startSshHost({ address: "127.0.10.1", port: 26301, clientKeyFile: key }),
    startMariadb({ address: "127.0.10.6", port: 26306 }),
    startPostgres({ address: "127.0.10.7", port: 26307 }),
  ]);
  executor = SshExecutor.fromKeyFile(key, { connectTimeoutMs: 5_000 });
  engine = new Engine({ db, registry: createRegistry(), executor: () => executor, scriptTimeoutMs: 20_000, flushIntervalMs: 100 });
});

afterAll(async () => {
  await executor?.close();
  await Promise.all([host?.stop(), mariadb?.stop(), postgres?.stop()]);
});

beforeEach(() => resetDb());

/** A server with a system-users route, and a user saved on it (its home created by useradd). */
async function userOnServer(username: string) {
  const server = await db.server.create({ data: { name: "m1", address: host.address, port: host.port, variables: { SYSUSER_PREFIX: host.sandbox } } });
  await db.route.create({ data: { backend: "system-users", serverId: server.id } });
  const unit = await orchestrate(engine, (tx) => tx.systemUser.create({ data: { username } }));
  expect((await runUnitOfWork(engine, unit))[0].state).toBe("SUCCESS");
  return { server, user: unit.result };
}

function shadowExpiry(username: string): string {
  const line = readFileSync(path.join(host.sandbox, "etc/shadow"), "utf8").split("\n").find((l) => l.startsWith(`${username}:`));
  return line!.split(":")[7];
}

describe("resource monitors", () => {
  it("measures a home directory's size within 10 % of du, logged as a monitor run of the resource-monitors schedule", async () => {
    const { server, user } = await userOnServer("monalice");
    const home = path.join(host.sandbox, "home/monalice");
    writeFileSync(path.join(home, "data.bin"), randomBytes(3 * 1024 * 1024));
    mkdirSync(path.join(home, "sub"));
    writeFileSync(path.join(home, "sub/more.bin"), randomBytes(512 * 1024));

    const schedule = await db.schedule.create({ data: { name: "monitors", kind: "resource-monitors", cron: "0 * * * *", timeZone: "UTC", params: {}, nextRunAt: new Date(Date.now() + 3600_000) } });
    const outcome = await runScheduleNow(engine, schedule.id);
    expect(outcome).toMatchObject({ state: "SUCCESS", message: "1 measurement(s) in 1 run(s)." });
    const du = Number(execFileSync("du", ["-sk", home], { encoding: "utf8" }).split("\t")[0]) / 1024;
    const log = await db.scriptLog.findFirstOrThrow({ where: { method: "monitor" } });
    expect(log).toMatchObject({ backend: "system-users", serverId: server.id, state: "SUCCESS" });
    expect(log.script).toContain("du -sk");
    const [row] = await db.resourceData.findMany({ where: { model: "SystemUser", objectId: String(user.id), resource: "disk" } });
    expect(row).toMatchObject({ serverId: server.id, backend: "system-users", scriptLogId: log.id });
    expect(Math.abs(row.value - du) / du).toBeLessThan(0.1);
    expect(row.value).toBeGreaterThan(3);
    // no limit by default: nothing is exceeded
    expect(await db.resourceLimit.findFirst()).toMatchObject({ resource: "disk", value: row.value, exceededAt: null });
  });

  it("runs the exceeded action once through the pipeline, notifies, and the recovery action when back under", async () => {
    const { user } = await userOnServer("monbob");
    writeFileSync(path.join(host.sandbox, "home/monbob/big.bin"), randomBytes(2 * 1024 * 1024));
    await db.resourceLimit.create({ data: { model: "SystemUser", objectId: String(user.id), resource: "disk", limitValue: 1 } });

    const first = await measureResources(engine, { model: "SystemUser", objectIds: [String(user.id)] });
    expect(first.crossings).toEqual([expect.objectContaining({ direction: "exceeded", resource: "disk", action: "Disable the account", limit: 1 })]);
    expect(first.crossings[0].runs.map((r) => r.state)).toEqual(["SUCCESS"]);
    // a save of the object with active=false, routed and logged like an operator's: the account expired on the host
    expect((await db.systemUser.findUniqueOrThrow({ where: { id: user.id } })).active).toBe(false);
    expect(shadowExpiry("monbob")).toBe("1");
    const op = await db.operation.findFirstOrThrow({ where: { model: "SystemUser", objectId: String(user.id) }, orderBy: { id: "desc" } });
    expect(op).toMatchObject({ action: "save", state: "SUCCESS" });
    expect(await db.auditLog.findFirst({ where: { entity: "SystemUser", entityId: String(user.id) } })).toMatchObject({ userEmail: "resource monitor", action: "update", summary: "Disable the account", after: { active: false } });
    const notices = await db.notification.findMany({ where: { event: "resource-exceeded" } });
    expect(notices).toHaveLength(1);
    expect(notices[0].title).toMatch(/^monbob: disk usage [\d.]+ MiB exceeds its limit of 1 MiB$/);

    // still over: recorded once, no second action or notification
    const again = await measureResources(engine, { model: "SystemUser", objectIds: [String(user.id)] });
    expect(again.crossings).toEqual([]);
    expect(await db.notification.count({ where: { event: "resource-exceeded" } })).toBe(1);

    await db.resourceLimit.updateMany({ data: { limitValue: 100 } });
    const back = await measureResources(engine, { model: "SystemUser", objectIds: [String(user.id)] });
    expect(back.crossings).toEqual([expect.objectContaining({ direction: "recovered", action: "Enable the account again" })]);
    expect((await db.systemUser.findUniqueOrThrow({ where: { id: user.id } })).active).toBe(true);
    expect(shadowExpiry("monbob")).toBe("");
    expect(await db.resourceLimit.findFirst()).toMatchObject({ exceededAt: null });
  });

  it("reads a website's traffic from its access log, whatever the requests contain", async () => {
    const logs = path.join(host.dir, "logs");
    mkdirSync(logs);
    const server = await db.server.create({ data: { name: "w1", address: host.address, port: host.port, variables: { NGINX_ACCESS_LOG_DIR: logs } } });
    await db.route.create({ data: { backend: "nginx-websites", serverId: server.id } });
    const site = await db.website.create({ data: { name: "shop", domains: { create: [{ name: "shop.example.com" }] } } });
    const line = (request: string, bytes: number) => `127.0.0.1 - - [27/Nov/2026:02:00:00 +0000] "${request}" 200 ${bytes} "-" "curl/8"`;
    writeFileSync(
      path.join(logs, "orchestra-shop.access.log"),
      [line("GET / HTTP/1.1", 1048576), line("GET /a\\x22 999 999999999 \\x22 HTTP/1.1", 524288), line("GET /x HTTP/1.1", 524288), "traffic=999999", `${MONITOR_MARKER} ${site.id}`, ""].join("\n"),
    );
    const result = await measureResources(engine, { model: "Website" });
    expect(result.logs.map((l) => l.state)).toEqual(["SUCCESS"]);
    const [row] = await db.resourceData.findMany({ where: { model: "Website", resource: "traffic" } });
    expect(row.value).toBe(2);
  });

  it("measures a database's size on MariaDB and PostgreSQL as their own statistics give it", async () => {
    const server = await db.server.create({ data: { name: "sql", address: host.address, port: host.port, variables: { ...mariadb.variables, ...postgres.variables } } });
    await db.route.create({ data: { backend: "mariadb-databases", serverId: server.id, match: 'object.engine == "mariadb"' } });
    await db.route.create({ data: { backend: "postgresql-databases", serverId: server.id, match: 'object.engine == "postgresql"' } });
    await db.route.create({ data: { backend: "mariadb-users", serverId: server.id, match: 'object.engine == "mariadb"' } });
    const userUnit = await orchestrate(engine, (tx) => tx.databaseUser.create({ data: { name: "monw", engine: "mariadb", passwordHash: mariadbNativeHash("monw-pass-1"), hosts: ["%"] } }));
    expect((await runUnitOfWork(engine, userUnit)).map((r) => r.state)).toEqual(["SUCCESS"]);
    const unit = await orchestrate(engine, async (tx) => {
      await tx.database.create({ data: { name: "monshop", engine: "mariadb", grants: { create: [{ userId: userUnit.result.id, privilege: "all" }] } } });
      await tx.database.create({ data: { name: "monblog", engine: "postgresql" } });
    });
    expect((await runUnitOfWork(engine, unit)).map((r) => r.state)).toEqual(["SUCCESS", "SUCCESS"]);
    await mariadb.admin("CREATE TABLE t (b LONGBLOB) ENGINE=InnoDB; INSERT INTO t SELECT REPEAT(UUID(), 10000) FROM seq_1_to_4; ANALYZE TABLE t;", "monshop");
    await postgres.admin("CREATE TABLE t AS SELECT repeat(md5(g::text), 100) AS b FROM generate_series(1, 2000) g;", "monblog");

    const result = await measureResources(engine, { model: "Database" });
    expect(result.logs.map((l) => `${l.backend} ${l.state}`).sort()).toEqual(["mariadb-databases SUCCESS", "postgresql-databases SUCCESS"]);
    const size = async (name: string) => {
      const object = await db.database.findFirstOrThrow({ where: { name } });
      return (await db.resourceData.findFirstOrThrow({ where: { model: "Database", objectId: String(object.id), resource: "size" } })).value;
    };
    const mariaBytes = Number(await mariadb.admin("SELECT SUM(data_length + index_length) FROM information_schema.tables WHERE table_schema = 'monshop'"));
    const pgBytes = Number(await postgres.admin("SELECT pg_database_size('monblog')"));
    expect(mariaBytes).toBeGreaterThan(1024 * 1024);
    expect(Math.abs((await size("monshop")) - mariaBytes / 1048576)).toBeLessThan(0.01);
    expect(Math.abs((await size("monblog")) - pgBytes / 1048576) / (pgBytes / 1048576)).toBeLessThan(0.1);

    // over its limit: the users' writes are revoked on MariaDB (a backend command through the pipeline); back under: re-applied
    const grants = () => mariadb.admin("SHOW GRANTS FOR 'monw'@'%'");
    expect(await grants()).toContain("GRANT ALL PRIVILEGES ON `monshop`.*");
    const shop = await db.database.findFirstOrThrow({ where: { name: "monshop" } });
    await db.resourceLimit.updateMany({ where: { model: "Database", objectId: String(shop.id) }, data: { limitValue: 0.5 } });
    const over = await measureResources(engine, { model: "Database", objectIds: [String(shop.id)] });
    expect(over.crossings).toEqual([expect.objectContaining({ direction: "exceeded", action: "Revoke the users' writes (MariaDB)" })]);
    expect(over.crossings[0].runs.map((r) => `${r.backend} ${r.state}`)).toEqual(["mariadb-databases SUCCESS"]);
    expect(await grants()).toContain("GRANT SELECT ON `monshop`.*");
    expect(await grants()).not.toContain("ALL PRIVILEGES ON `monshop`");
    await db.resourceLimit.updateMany({ where: { model: "Database", objectId: String(shop.id) }, data: { limitValue: null } });
    const back = await measureResources(engine, { model: "Database", objectIds: [String(shop.id)] });
    expect(back.crossings).toEqual([expect.objectContaining({ direction: "recovered" })]);
    expect(await grants()).toContain("GRANT ALL PRIVILEGES ON `monshop`.*");
  });
});

describe("retention of measurements", () => {
  it("deletes measurements older than its age, keeps the recent ones", async () => {
    const server = await db.server.create({ data: { name: "r1", address: "127.0.10.1", port: 26301 } });
    const day = 86_400_000;
    const row = (ago: number) => ({ model: "SystemUser", objectId: "1", resource: "disk", serverId: server.id, backend: "system-users", value: 1, measuredAt: new Date(Date.now() - ago * day) });
    await db.resourceData.createMany({ data: [row(40), row(31), row(29), row(0)] });
    const report = await applyRetention(engine, { maxAgeDays: 30, pauseMs: 0 });
    expect(report.measurementsDeleted).toBe(2);
    expect(await db.resourceData.count()).toBe(2);
  });
});

describe("monitor output", () => {
  const ids = new Set(["7", "8"]);
  const resources = new Set(["disk"]);

  it("takes only plain numbers after this run's marker for an object asked for", () => {
    const nonce = "0123456789abcdef";
    const output = [
      "disk=5", // before any marker
      `${MONITOR_MARKER}-${nonce} 7`,
      "disk=12.5",
      `${MONITOR_MARKER}-ffffffffffffffff 8`, // another nonce: a forged marker
      "disk=99",
      `${MONITOR_MARKER} 8`,
      "disk=98",
      `${MONITOR_MARKER}-${nonce} 9`, // not asked for
      "disk=97",
      `${MONITOR_MARKER}-${nonce} 8`,
      "disk=1e9",
      "disk=-5",
      "disk=0x10",
      "disk= 5",
      "disk=5 ",
      "disk=NaN",
      "disk=9999999999999999",
      "other=3",
      "$(reboot)=1",
      "",
    ].join("\n");
    const parsed = parseMeasurements(output, nonce, ids, resources);
    expect([...parsed.keys()]).toEqual(["7", "8"]);
    expect(parsed.get("7")).toEqual(new Map([["disk", 12.5]]));
    expect(parsed.get("8")!.size).toBe(0);
  });

  it("renders a read-only script with values quoted and refuses a name it may not manage", () => {
    const registry = createRegistry();
    const backend = registry.get("system-users");
    const server = serverInfo({ id: 1, name: "s", address: "127.0.0.1", port: 22, sshUser: "root", hostKeyFingerprint: null, variables: {} });
    const user = { id: 7, username: "alice", uid: null, shell: "/bin/sh", home: "/srv/a b'$(x)", groups: [], active: true, description: "" };
    const { text } = renderMonitor(backend, server, [{ id: "7", object: user }], "00ff");
    expect(text).toContain(`du -sk -- "$root"'/srv/a b'\\''$(x)'`);
    expect(text).not.toMatch(/useradd|usermod|userdel/);
    expect(() => renderMonitor(backend, server, [{ id: "8", object: { ...user, username: "root" } }], "00ff")).toThrow(/not an account Orchestra may manage/);
    const site = { id: 9, name: "a;reboot", enabled: true, documentRoot: "", domains: [], description: "" };
    expect(() => renderMonitor(registry.get("nginx-websites"), { ...server, variables: { NGINX_ACCESS_LOG_DIR: "/var/log/sites" } }, [{ id: "9", object: site }], "00ff")).toThrow(/refusing to render website/);
    const database = { id: 10, name: "x`; DROP DATABASE y; --", engine: "mariadb", description: "", grants: [] };
    expect(() => renderMonitor(registry.get("mariadb-databases"), server, [{ id: "10", object: database }], "00ff")).toThrow(/refusing/);
  });
});
