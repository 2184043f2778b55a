// End to end through the engine against real sshd hosts on loopback: real useradd in a sandbox root,
// real exit codes, real host keys.
import { existsSync, readFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { SshExecutor } from "../lib/orchestration/executors/ssh";
import { orchestrate } from "../lib/orchestration/unit-of-work";
import { runUnitOfWork } from "../lib/orchestration/dispatcher";
import { dryRun, retryLog, runSelection } from "../lib/orchestration/manual";
import { Engine } from "../lib/orchestration/engine";
import { BackendRegistry, type Backend } from "../lib/orchestration/backend";
import { raw, sh } from "../lib/orchestration/shell";
import { createRegistry } from "../lib/services/registry";
import { resetDb, testDb } from "./db";
import { clientKey, closedPort, startSshHost, type SshHost } from "./support/ssh-host";

const db = testDb();
const keyDir = path.join(os.tmpdir(), "orchestra-test-keys");
let hosts: SshHost[] = [];
let executor: SshExecutor;
let engine: Engine;

// A backend whose commands come from a per-server variable: lets the tests choose exit codes, output
// sizes and durations. (Trusted test input; real backends quote everything.)
const probe: Backend = {
  name: "probe",
  title: "probe",
  model: "SystemUser",
  actions: ["save", "delete"],
  method: "ssh",
  variables: { PROBE: { default: "true", description: "A command line the probe appends." } },
  save(ctx, o) {
    ctx.append(sh`echo saving ${String(o.username)}`);
    ctx.append(raw(ctx.variable("PROBE")));
  },
};

function passwd(host: SshHost): string {
  return readFileSync(path.join(host.sandbox, "etc/passwd"), "utf8");
}

async function addServer(host: SshHost, name: string, variables: Record<string, string> = {}) {
  return db.server.create({ data: { name, address: host.address, port: host.port, variables: { SYSUSER_PREFIX: host.sandbox, ...variables } } });
}

async function saveUsersWith(users: Array<{ username: string; passwordHash?: string }>) {
  const unit = await orchestrate(engine, async (tx) => {
    for (const data of users) await tx.systemUser.create({ data });
  });
  return runUnitOfWork(engine, unit);
}

async function saveUsers(usernames: string[]) {
  const unit = await orchestrate(engine, async (tx) => {
    for (const username of usernames) await tx.systemUser.create({ data: { username } });
  });
  return runUnitOfWork(engine, unit);
}

beforeAll(async () => {
  const key = clientKey(keyDir);
  hosts = await Promise.all([
    startSshHost({ address: "127.0.0.2", port: 22202, clientKeyFile: key }),
    startSshHost({ address: "127.0.0.3", port: 22203, clientKeyFile: key }),
  ]);
  executor = SshExecutor.fromKeyFile(key, { connectTimeoutMs: 5_000 });
  const registry = createRegistry();
  registry.register(probe);
  engine = new Engine({ db, registry, executor: () => executor, scriptTimeoutMs: 20_000, outputLimit: 10_000, flushIntervalMs: 100 });
});

afterAll(async () => {
  await executor?.close();
  await Promise.all(hosts.map((h) => h.stop()));
});

beforeEach(() => resetDb());

describe("system users over SSH", () => {
  it("creates, changes, renames and deletes a real account, and logs each run", async () => {
    const [host] = hosts;
    const server = await addServer(host, "h1");
    await db.route.create({ data: { backend: "system-users", serverId: server.id } });

    const created = await orchestrate(engine, (tx) => tx.systemUser.create({ data: { username: "alice", shell: "/bin/sh", groups: ["webdev"] } }));
    const [report] = await runUnitOfWork(engine, created);
    expect(report.state).toBe("SUCCESS");
    expect(passwd(host)).toMatch(/^alice:x:\d+:\d+::\/home\/alice:\/bin\/sh$/m);
    expect(readFileSync(path.join(host.sandbox, "etc/group"), "utf8")).toMatch(/^webdev:x:\d+:alice$/m);

    const log = await db.scriptLog.findUniqueOrThrow({ where: { id: report.logId }, include: { operations: true } });
    expect(log).toMatchObject({ state: "SUCCESS", exitCode: 0, backend: "system-users", serverId: server.id });
    expect(log.script).toContain("useradd");
    expect(log.startedAt).toBeInstanceOf(Date);
    expect(log.finishedAt!.getTime()).toBeGreaterThanOrEqual(log.startedAt!.getTime());
    expect(log.operations.map((o) => o.operationId)).toEqual(created.operations.map((o) => o.id));
    expect((await db.operation.findFirstOrThrow()).state).toBe("SUCCESS");
    expect((await db.server.findUniqueOrThrow({ where: { id: server.id } })).hostKeyFingerprint).toBe(host.fingerprint);

    const id = created.result.id;
    const renamed = await orchestrate(engine, (tx) => tx.systemUser.update({ where: { id }, data: { username: "alicia", shell: "/bin/bash" } }));
    expect((await runUnitOfWork(engine, renamed))[0].state).toBe("SUCCESS");
    // the home follows the name (it was the default /home/<username>) and is moved
    expect(passwd(host)).toMatch(/^alicia:x:\d+:\d+::\/home\/alicia:\/bin\/bash$/m);
    expect(existsSync(path.join(host.sandbox, "home/alicia"))).toBe(true);
    expect(passwd(host)).not.toMatch(/^alice:/m);

    const deleted = await orchestrate(engine, (tx) => tx.systemUser.delete({ where: { id } }));
    expect((await runUnitOfWork(engine, deleted))[0].state).toBe("SUCCESS");
    expect(passwd(host)).not.toMatch(/^alicia:/m);
  });

  it("is idempotent: running the same script twice leaves the same state", async () => {
    const [host] = hosts;
    const server = await addServer(host, "h1");
    await db.route.create({ data: { backend: "system-users", serverId: server.id } });
    const [first] = await saveUsers(["idem"]);
    const after1 = passwd(host);
    const again = (await retryLog(engine, first.logId)).report!;
    expect(again.state).toBe("SUCCESS");
    expect(passwd(host)).toBe(after1);
    expect((await db.scriptLog.findUniqueOrThrow({ where: { id: again.logId } })).retryOfId).toBe(first.logId);
  });

  it("retries a failed delete from its stored snapshot although the row is gone", async () => {
    const [host] = hosts;
    const server = await addServer(host, "h1");
    await db.route.create({ data: { backend: "system-users", serverId: server.id } });
    await saveUsers(["doomed"]);
    expect(passwd(host)).toMatch(/^doomed:/m);

    await db.server.update({ where: { id: server.id }, data: { variables: { SYSUSER_PREFIX: "/nonexistent-root" } } });
    const unit = await orchestrate(engine, (tx) => tx.systemUser.delete({ where: { username: "doomed" } }));
    const [failed] = await runUnitOfWork(engine, unit);
    expect(failed.state).toBe("FAILURE");
    const failedLog = await db.scriptLog.findUniqueOrThrow({ where: { id: failed.logId } });
    expect(failedLog.exitCode).not.toBe(0);
    expect(failedLog.stderr).toMatch(/nonexistent-root/);
    expect((await db.operation.findUniqueOrThrow({ where: { id: unit.operations[0].id } })).state).toBe("FAILURE");

    // The retry renders from the log's operations, with the server's current variables.
    await db.server.update({ where: { id: server.id }, data: { variables: { SYSUSER_PREFIX: host.sandbox } } });
    const retried = (await retryLog(engine, failed.logId)).report!;
    expect(retried.state).toBe("SUCCESS");
    expect(passwd(host)).not.toMatch(/^doomed:/m);
    // the failed operation is settled by the retry's newer one
    expect((await db.operation.findUniqueOrThrow({ where: { id: unit.operations[0].id } })).state).toBe("SUPERSEDED");
  });
});

describe("secrets", () => {
  it("reach the server inside the executed script only: masked in the stored script and in the output", async () => {
    const [host] = hosts;
    const server = await addServer(host, "sec");
    await db.route.create({ data: { backend: "system-users", serverId: server.id } });
    const leaky: Backend = {
      name: "leaky",
      title: "leaky",
      model: "SystemUser",
      actions: ["save"],
      method: "ssh",
      save(ctx, o) {
        ctx.append(sh`echo "the hash is ${ctx.secret(String(o.passwordHash))}"; echo ${ctx.secret(String(o.passwordHash))} >&2`);
      },
    };
    engine.registry.register(leaky);
    await db.route.create({ data: { backend: "leaky", serverId: server.id } });
    const hash = "$2b$10$abcdefghijklmnopqrstuu5Hc9V3cKmD9y0S3vC6D7xK6v8yFqMq";
    const reports = await saveUsersWith([{ username: "secretive", passwordHash: hash }]);
    expect(reports.map((r) => r.state)).toEqual(["SUCCESS", "SUCCESS"]);
    expect(readFileSync(path.join(host.sandbox, "etc/shadow"), "utf8")).toContain(`secretive:${hash}:`);
    for (const log of await db.scriptLog.findMany()) {
      expect(log.script).not.toContain(hash);
      expect(log.stdout + log.stderr).not.toContain(hash);
    }
    const leakyLog = await db.scriptLog.findFirstOrThrow({ where: { backend: "leaky" } });
    expect(leakyLog.script).toContain("ORCHESTRA_SECRET_1=********");
    expect(leakyLog.stdout).toBe("the hash is ********\n");
    expect(leakyLog.stderr).toBe("********\n");
  });
});

describe("execution", () => {
  it("runs scripts for different servers in parallel and reuses one connection per server", async () => {
    const servers = [await addServer(hosts[0], "p1", { PROBE: "sleep 1" }), await addServer(hosts[1], "p2", { PROBE: "sleep 1" })];
    for (const s of servers) await db.route.create({ data: { backend: "probe", serverId: s.id } });
    const handshakesBefore = executor.handshakes;
    const reports = await saveUsers(["par1"]);
    expect(reports.map((r) => r.state)).toEqual(["SUCCESS", "SUCCESS"]);
    const logs = await db.scriptLog.findMany({ orderBy: { id: "asc" } });
    // both were running at the same moment
    expect(logs[0].startedAt!.getTime()).toBeLessThan(logs[1].finishedAt!.getTime());
    expect(logs[1].startedAt!.getTime()).toBeLessThan(logs[0].finishedAt!.getTime());

    for (const s of servers) await db.server.update({ where: { id: s.id }, data: { variables: { PROBE: "true" } } });
    for (let i = 0; i < 5; i++) await saveUsers([`reuse${i}`]);
    expect(await db.scriptLog.count({ where: { state: "SUCCESS" } })).toBe(12);
    // at most one handshake per server in this test, whatever ran before
    expect(executor.handshakes - handshakesBefore).toBeLessThanOrEqual(2);
  });

  it("maps exit codes to SUCCESS and FAILURE with stdout and stderr kept", async () => {
    const server = await addServer(hosts[0], "x1", { PROBE: "echo to-err >&2; exit 3" });
    await db.route.create({ data: { backend: "probe", serverId: server.id } });
    const [report] = await saveUsers(["exit3"]);
    const log = await db.scriptLog.findUniqueOrThrow({ where: { id: report.logId } });
    expect(log).toMatchObject({ state: "FAILURE", exitCode: 3, stdout: "saving exit3\n", stderr: "to-err\n" });
  });

  it("stops a script that runs too long (TIMEOUT) and reports a refused server as UNREACHABLE", async () => {
    const slow = new Engine({ db, registry: engine.registry, executor: () => executor, scriptTimeoutMs: 500 });
    const server = await addServer(hosts[0], "slow", { PROBE: "sleep 5" });
    await db.route.create({ data: { backend: "probe", serverId: server.id } });
    const unit = await orchestrate(slow, (tx) => tx.systemUser.create({ data: { username: "slow" } }));
    const [report] = await runUnitOfWork(slow, unit);
    expect(report.state).toBe("TIMEOUT");
    expect((await db.scriptLog.findUniqueOrThrow({ where: { id: report.logId } })).stderr).toMatch(/still running after 500 ms/);

    await db.route.deleteMany();
    const closed = await db.server.create({ data: { name: "closed", address: "127.0.0.4", port: await closedPort("127.0.0.4") } });
    await db.route.create({ data: { backend: "probe", serverId: closed.id } });
    const [down] = await saveUsers(["unreachable"]);
    expect(down.state).toBe("UNREACHABLE");
    expect((await db.scriptLog.findUniqueOrThrow({ where: { id: down.logId } })).stderr).toMatch(/cannot reach 127\.0\.0\.4/);
  });

  it("refuses a server whose host key differs from the pinned one", async () => {
    const server = await addServer(hosts[1], "pinned");
    await db.server.update({ where: { id: server.id }, data: { hostKeyFingerprint: "SHA256:AAAAthisisnotthekeyAAAAAAAAAAAAAAAAAAAAAAAAA" } });
    await db.route.create({ data: { backend: "system-users", serverId: server.id } });
    const [report] = await saveUsers(["mitm"]);
    expect(report.state).toBe("ERROR");
    const log = await db.scriptLog.findUniqueOrThrow({ where: { id: report.logId } });
    expect(log.stderr).toMatch(/host key mismatch for pinned/);
    expect(log.stderr).toContain(hosts[1].fingerprint);
    expect(passwd(hosts[1])).not.toMatch(/^mitm:/m);
  });

  it("bounds the output it keeps and marks the truncation", async () => {
    const server = await addServer(hosts[0], "big", { PROBE: "head -c 200000 /dev/zero | tr '\\0' x; echo; echo THE-END" });
    await db.route.create({ data: { backend: "probe", serverId: server.id } });
    const [report] = await saveUsers(["big"]);
    const log = await db.scriptLog.findUniqueOrThrow({ where: { id: report.logId } });
    expect(report.state).toBe("SUCCESS");
    expect(log.stdout.length).toBeLessThan(10_200);
    expect(log.stdout).toMatch(/\[… \d+ characters truncated …\]/);
    expect(log.stdout.trimEnd().endsWith("THE-END")).toBe(true);
  });

  it("streams output into the log while the script runs", async () => {
    const server = await addServer(hosts[0], "live", { PROBE: "echo first; sleep 1.5; echo second" });
    await db.route.create({ data: { backend: "probe", serverId: server.id } });
    const running = saveUsers(["live"]);
    let seen: { state: string; stdout: string } | null = null;
    for (let i = 0; i < 50 && !seen; i++) {
      await new Promise((r) => setTimeout(r, 50));
      const log = await db.scriptLog.findFirst({ where: { state: "STARTED" } });
      if (log?.stdout.includes("first")) seen = log;
    }
    expect(seen?.stdout).toContain("first");
    expect(seen?.stdout).not.toContain("second");
    const [report] = await running;
    expect((await db.scriptLog.findUniqueOrThrow({ where: { id: report.logId } })).stdout).toBe("saving live\nfirst\nsecond\n");
  });

  it("logs NOTHING without connecting when no operation has content", async () => {
    const empty: Backend = { name: "empty", title: "empty", model: "SystemUser", actions: ["save"], method: "ssh" };
    const registry = new BackendRegistry([empty]);
    const quiet = new Engine({ db, registry, executor: () => { throw new Error("must not connect"); } });
    const server = await db.server.create({ data: { name: "q", address: "127.0.0.9" } });
    await db.route.create({ data: { backend: "empty", serverId: server.id } });
    const unit = await orchestrate(quiet, (tx) => tx.systemUser.create({ data: { username: "quiet" } }));
    const [report] = await runUnitOfWork(quiet, unit);
    expect(report.state).toBe("NOTHING");
  });
});

describe("manual runs", () => {
  it("dry-runs without touching servers or rows, then runs the chosen objects", async () => {
    const [host] = hosts;
    const server = await addServer(host, "m1");
    await db.route.create({ data: { backend: "system-users", serverId: server.id } });
    await db.systemUser.createMany({ data: [{ username: "manual1" }, { username: "manual2" }] });
    const { scripts } = await dryRun(engine, { backend: "system-users" });
    expect(scripts).toHaveLength(1);
    expect(scripts[0].text).toContain("manual1");
    expect(await db.operation.count()).toBe(0);
    expect(passwd(host)).not.toMatch(/^manual1:/m);

    const one = await db.systemUser.findUniqueOrThrow({ where: { username: "manual2" } });
    const { reports } = await runSelection(engine, { model: "SystemUser", ids: [String(one.id)] });
    expect(reports.map((r) => r.state)).toEqual(["SUCCESS"]);
    expect(passwd(host)).toMatch(/^manual2:/m);
    expect(passwd(host)).not.toMatch(/^manual1:/m);
    expect(existsSync(path.join(host.sandbox, "home/manual2"))).toBe(true);
  });
});
