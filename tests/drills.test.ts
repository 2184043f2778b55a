// Convergence drills on a real sshd host: what the host ends with must equal what the database says,
// whatever the workers, the clock or the operators do. Each drill asserts the host's real state.
import { execFileSync } from "node:child_process";
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, beforeEach, describe, expect, inject, it } from "vitest";
import { isPostgres } from "../lib/database-url";
import { runUnitOfWork } from "../lib/orchestration/dispatcher";
import { Engine } from "../lib/orchestration/engine";
import { SshExecutor } from "../lib/orchestration/executors/ssh";
import { convergence } from "../lib/orchestration/convergence";
import { cancelLog, retryLog } from "../lib/orchestration/manual";
import { orchestrate, type TxDb } from "../lib/orchestration/unit-of-work";
import { Worker } from "../lib/orchestration/worker";
import { createRegistry } from "../lib/services/registry";
import { resetDb, testDb } from "./db";
import { clientKey, startSshHost, type SshHost } from "./support/ssh-host";
import { waitFor as waitForOf } from "./support/wait";
import { spawnWorker, stopWorker, type WorkerProcess } from "./support/worker-process";

const db = testDb();
let key: string;
let host: SshHost;
let executor: SshExecutor;
let engine: Engine;
let work: string;

/** The drills' waits: longer, and polled more often, than the shared default. */
const waitFor = <T>(what: string, fn: () => Promise<T | null | undefined | false>, timeoutMs = 30_000) => waitForOf(what, fn, timeoutMs, 50);

const unfinished = () => db.operation.count({ where: { state: { in: ["PENDING", "RUNNING"] } } });

/** A host-side command that appends "<tag> start|end <epoch ns>" around a sleep, to see overlaps. */
function recorder(name: string): string {
  const file = path.join(work, `${name}.sh`);
  writeFileSync(file, `#!/bin/sh\necho "$1 start $(date +%s%N)" >> ${work}/${name}.log\nsleep "\${2:-0}"\necho "$1 end $(date +%s%N)" >> ${work}/${name}.log\n`);
  chmodSync(file, 0o755);
  return file;
}

function intervals(name: string): Array<{ tag: string; start: bigint; end: bigint | null }> {
  const file = path.join(work, `${name}.log`);
  if (!existsSync(file)) return [];
  const open = new Map<string, { tag: string; start: bigint; end: bigint | null }>();
  const out: Array<{ tag: string; start: bigint; end: bigint | null }> = [];
  for (const line of readFileSync(file, "utf8").trim().split("\n")) {
    const [tag, what, at] = line.split(" ");
    if (what === "start") {
      const entry = { tag, start: BigInt(at), end: null };
      open.set(tag, entry);
      out.push(entry);
    } else if (open.get(tag)) open.get(tag)!.end = BigInt(at);
  }
  return out;
}

function overlaps(list: ReturnType<typeof intervals>): number {
  const sorted = [...list].sort((a, b) => (a.start < b.start ? -1 : 1));
  let count = 0;
  for (let i = 1; i < sorted.length; i++) if (sorted[i - 1].end === null || sorted[i].start < sorted[i - 1].end!) count++;
  return count;
}

async function addServer(name: string, variables: Record<string, string>, async = true) {
  const server = await db.server.create({
    data: {
      name,
      address: host.address,
      port: host.port,
      hostKeyFingerprint: host.fingerprint,
      variables: { NGINX_SITES_DIR: path.join(work, name), WEBSITES_ROOT: path.join(work, "www"), NGINX_TEST: "true", NGINX_RELOAD: "true", ...variables },
    },
  });
  mkdirSync(path.join(work, name), { recursive: true });
  await db.route.create({ data: { backend: "nginx-websites", serverId: server.id, async } });
  return server;
}

const site = (name: string, domain: string) => (tx: TxDb) => tx.website.create({ data: { name, domains: { create: [{ name: domain }] } } });

/** Processes of a run left on the host (their command line carries a unique tag). */
function leftover(tag: string): string[] {
  try {
    return execFileSync("pgrep", ["-af", tag], { encoding: "utf8" }).trim().split("\n").filter((l) => l && !l.includes("pgrep"));
  } catch {
    return [];
  }
}

beforeAll(async () => {
  key = clientKey(path.join(os.tmpdir(), "orchestra-test-keys"));
  host = await startSshHost({ address: "127.0.0.5", port: 22215, clientKeyFile: key });
  executor = SshExecutor.fromKeyFile(key);
  engine = new Engine({ db, registry: createRegistry(), executor: () => executor, pollMs: 100, leaseMs: 3000 });
});

afterAll(async () => {
  await executor?.close();
  await host?.stop();
});

beforeEach(async () => {
  await resetDb();
  work = mkdtempSync(path.join(os.tmpdir(), "orchestra-drill-"));
  return () => rmSync(work, { recursive: true, force: true });
});

describe("lanes", () => {
  it("a stuck server does not hold up another server's queued work", async () => {
    await addServer("stuck", { NGINX_RELOAD: "sleep 31.5" });
    const healthy = await addServer("healthy", {});
    const worker = new Worker(engine, { pollMs: 100 });
    worker.start();
    try {
      const stuckUnit = await orchestrate(engine, site("hang", "hang.test"));
      const stuckOp = stuckUnit.operations.find((o) => o.serverId !== healthy.id)!;
      await waitFor("the stuck script to start", async () => (await db.operation.findUniqueOrThrow({ where: { id: stuckOp.id } })).state === "RUNNING");
      await waitFor("the healthy server to be idle", async () => (await db.operation.count({ where: { serverId: healthy.id, state: { not: "SUCCESS" } } })) === 0);
      // The stuck server's lane stays busy; a new save routed to both servers must finish on the
      // healthy one within a poll interval and a script's own time.
      const started = Date.now();
      const unit = await orchestrate(engine, site("fine", "fine.test"));

      const healthyOp = unit.operations.find((o) => o.serverId === healthy.id)!;
      await waitFor("the healthy server's operation", async () => (await db.operation.findUniqueOrThrow({ where: { id: healthyOp.id } })).state === "SUCCESS", 10_000);
      const delay = Date.now() - started;
      console.log(`[drill] healthy server's operation done ${delay} ms after its save while the other server's script hangs`);
      expect(delay).toBeLessThan(3000);
      expect(readdirSync(path.join(work, "healthy"))).toContain("orchestra-fine.conf");

      // Cancel stops the hanging script on the host.
      const [link] = await db.scriptLogOperation.findMany({ where: { operationId: stuckOp.id } });
      // (the stuck server's next script, rendered after the cancel, does not hang)
      await db.server.update({ where: { name: "stuck" }, data: { variables: { NGINX_SITES_DIR: path.join(work, "stuck"), WEBSITES_ROOT: path.join(work, "www"), NGINX_TEST: "true", NGINX_RELOAD: "true" } } });
      await cancelLog(engine, link.scriptLogId);
      const log = await waitFor("the cancelled log", async () => {
        const l = await db.scriptLog.findUniqueOrThrow({ where: { id: link.scriptLogId } });
        return l.state === "CANCELLED" && l;
      });
      expect(log.stderr).toMatch(/cancelled by an operator/);
      expect((await db.operation.findUniqueOrThrow({ where: { id: stuckOp.id } })).state).toBe("FAILURE");
      expect(leftover("sleep 31.5")).toEqual([]);
      // The stuck server's next save runs now, with the variables of the moment it runs.
      await waitFor("the stuck server's next operation", async () => (await unfinished()) === 0, 15_000);
    } finally {
      await worker.stop();
    }
  }, 60_000);

  it("a timeout kills the run's whole process group on the host, and runs of one lane never overlap there", async () => {
    const tag = `orchestra-drill-${Date.now()}`;
    const rec = recorder("lane");
    const slow = new Engine({ db, registry: createRegistry(), executor: () => executor, scriptTimeoutMs: 1500, leaseMs: 3000 });
    // The reload starts a background child and a foreground sleep: both must be gone after TIMEOUT.
    const slowScript = path.join(work, "slow.sh");
    writeFileSync(slowScript, `#!/bin/bash\nsleep 290 &\n${rec} t1 5\nwait\n`);
    chmodSync(slowScript, 0o755);
    await addServer("slow", { NGINX_RELOAD: `${slowScript} ${tag}` }, false);
    const unit = await orchestrate(slow, site("slow", "slow.test"));
    const [report] = await runUnitOfWork(slow, unit);
    expect(report.state).toBe("TIMEOUT");
    const log = await db.scriptLog.findUniqueOrThrow({ where: { id: report.logId } });
    expect(log.stderr).toMatch(/its processes on the server were killed/);
    expect(leftover(tag)).toEqual([]);
    expect(leftover("sleep 290")).toEqual([]);

    // Two runs of one lane started at once, as if Orchestra had lost track of the first: the host's
    // lane lock makes the second wait for the first.
    const server = { id: 4242, name: "lane", address: host.address, port: host.port, sshUser: "root", hostKeyFingerprint: host.fingerprint, variables: {} };
    const run = (n: number) =>
      executor.run(server, `${rec} r${n} 0.7\n`, { timeoutMs: 20_000, onOutput: () => undefined, run: { key: `drill-${tag}-${n}`, lane: "4242-drill" } });
    const results = await Promise.all([1, 2, 3].map(run));
    expect(results.map((r) => r.state)).toEqual(["SUCCESS", "SUCCESS", "SUCCESS"]);
    const seen = intervals("lane").filter((i) => i.tag.startsWith("r"));
    expect(seen).toHaveLength(3);
    console.log(`[drill] lane runs recorded on the host: ${seen.length}, overlaps: ${overlaps(seen)}`);
    expect(overlaps(seen)).toBe(0);
  });
});

describe("retries converge", () => {
  it("retrying an older log never moves the host away from the database's current state", async () => {
    const sandbox = host.sandbox;
    const shellOf = (name: string) => readFileSync(path.join(sandbox, "etc/passwd"), "utf8").split("\n").find((l) => l.startsWith(`${name}:`))?.split(":")[6];
    const server = await db.server.create({ data: { name: "u1", address: host.address, port: host.port, hostKeyFingerprint: host.fingerprint, variables: { SYSUSER_PREFIX: sandbox } } });
    await db.route.create({ data: { backend: "system-users", serverId: server.id } });
    const save = async (fn: (tx: TxDb) => Promise<unknown>) => (await runUnitOfWork(engine, await orchestrate(engine, fn)))[0];
    const name = `stale${Date.now() % 100000}`;

    const first = await save((tx) => tx.systemUser.create({ data: { username: name, shell: "/bin/sh" } }));
    expect(first.state).toBe("SUCCESS");
    const second = await save((tx) => tx.systemUser.update({ where: { username: name }, data: { shell: "/bin/bash" } }));
    expect(second.state).toBe("SUCCESS");
    expect(shellOf(name)).toBe("/bin/bash");

    // 1. An old successful log: superseded, retry refuses and says by which log; nothing changes.
    await expect(retryLog(engine, first.logId).then((o) => o.report)).resolves.toBeNull();
    expect(shellOf(name)).toBe("/bin/bash");
    const reapplied = await retryLog(engine, first.logId, null, { reapply: true });
    expect(reapplied.superseded.map((s) => s.byLogId)).toEqual([second.logId]);
    expect(reapplied.report?.state).toBe("SUCCESS");
    expect(shellOf(name)).toBe("/bin/bash");

    // 2. A failed log whose object changed since without a run: the retry applies the current row.
    await db.server.update({ where: { id: server.id }, data: { variables: { SYSUSER_PREFIX: "/nonexistent-root" } } });
    const failed = await save((tx) => tx.systemUser.update({ where: { username: name }, data: { shell: "/bin/sh" } }));
    expect(failed.state).toBe("FAILURE");
    await db.server.update({ where: { id: server.id }, data: { variables: { SYSUSER_PREFIX: sandbox } } });
    await db.systemUser.update({ where: { username: name }, data: { shell: "/bin/dash" } }); // not orchestrated
    const retried = await retryLog(engine, failed.logId);
    expect(retried.report?.state).toBe("SUCCESS");
    expect(shellOf(name)).toBe("/bin/dash");

    // 3. A failed delete of a name that a newer object owns now: superseded, never deletes the new one.
    await db.server.update({ where: { id: server.id }, data: { variables: { SYSUSER_PREFIX: "/nonexistent-root" } } });
    const failedDelete = await save((tx) => tx.systemUser.delete({ where: { username: name } }));
    expect(failedDelete.state).toBe("FAILURE");
    await db.server.update({ where: { id: server.id }, data: { variables: { SYSUSER_PREFIX: sandbox } } });
    const recreated = await save((tx) => tx.systemUser.create({ data: { username: name, shell: "/bin/bash" } }));
    expect(recreated.state).toBe("SUCCESS");
    const again = await retryLog(engine, failedDelete.logId);
    expect(again.report).toBeNull();
    expect(again.superseded).toHaveLength(1);
    expect(shellOf(name)).toBe("/bin/bash");
    // the failure is settled: a later operation on the same user succeeded
    expect((await db.operation.findMany({ where: { state: "FAILURE" } })).length).toBe(0);
  });
});

describe("overtaken runs", () => {
  it("a worker that stalls after its script ran, past its lease, records nothing: the newer run of the object stays what is applied", async () => {
    const sandbox = host.sandbox;
    const shellOf = (name: string) => readFileSync(path.join(sandbox, "etc/passwd"), "utf8").split("\n").find((l) => l.startsWith(`${name}:`))?.split(":")[6];
    const server = await db.server.create({ data: { name: "u2", address: host.address, port: host.port, hostKeyFingerprint: host.fingerprint, variables: { SYSUSER_PREFIX: sandbox } } });
    await db.route.create({ data: { backend: "system-users", serverId: server.id, async: true } });
    const name = `late${Date.now() % 100000}`;
    // The stalled worker: its script runs on the host, then its process hangs (before it records the
    // result) for longer than its lease.
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    let ran!: () => void;
    const scriptRan = new Promise<void>((r) => (ran = r));
    const stalling = {
      async run(...args: Parameters<SshExecutor["run"]>) {
        const result = await executor.run(...args);
        ran();
        await gate;
        return result;
      },
      probe: executor.probe.bind(executor),
      kill: executor.kill.bind(executor),
      close: async () => undefined,
    };
    const slowEngine = new Engine({ db, registry: createRegistry(), executor: () => stalling, leaseMs: 60_000 });
    await orchestrate(slowEngine, (tx) => tx.systemUser.create({ data: { username: name, shell: "/bin/sh" } }));
    const stalled = new Worker(slowEngine, { policy: { retryFailures: false, maxAttempts: 1, backoffMs: 1 } }).tick();
    await scriptRan;
    expect(shellOf(name)).toBe("/bin/sh");
    // its leases run out; meanwhile the operator changes the user again
    await db.operation.updateMany({ where: { state: "RUNNING" }, data: { leaseUntil: new Date(Date.now() - 1000) } });
    await db.lane.updateMany({ data: { leaseUntil: new Date(Date.now() - 1000) } });
    const newer = await orchestrate(engine, (tx) => tx.systemUser.update({ where: { username: name }, data: { shell: "/bin/bash" } }));

    // Another worker recovers the first run from the host's marker (not run again), then runs the newer one.
    const rescue = await new Worker(engine).tick();
    expect(rescue.map((r) => r.state)).toEqual(["SUCCESS"]);
    expect(shellOf(name)).toBe("/bin/bash");
    const applied = () => db.appliedState.findFirstOrThrow({ where: { serverId: server.id, backend: "system-users" } });
    expect((await applied()).operationId).toBe(newer.operations[0].id);

    // The stalled worker wakes up: its run was settled by recovery, so it reports what the log says and
    // writes nothing.
    release();
    const [late] = await stalled;
    expect(late).toMatchObject({ state: "SUCCESS", overtaken: true });
    const logs = await db.scriptLog.findMany({ where: { serverId: server.id }, orderBy: { id: "asc" } });
    expect(logs.map((l) => l.state)).toEqual(["SUCCESS", "SUCCESS"]);
    expect(logs[0].stderr).toMatch(/recovered: .* It was not run again/);
    expect((await applied()).operationId).toBe(newer.operations[0].id);
    expect((await applied()).snapshot).toMatchObject({ shell: "/bin/bash" });
    const pair = (await convergence(engine, { serverId: server.id })).pairs.find((p) => p.label === name);
    expect(pair?.state).toBe("in sync");
    await slowEngine.close();
  });

  it("a log its owner created but never started does not send a running operation back to the queue", async () => {
    const rec = recorder("once");
    const server = await addServer("once", { NGINX_RELOAD: `${rec} r 2` });
    const longLease = new Engine({ db, registry: createRegistry(), executor: () => executor, leaseMs: 60_000 });
    const unit = await orchestrate(longLease, site("once", "once.test"));
    const id = unit.operations[0].id;
    const running = new Worker(longLease).tick();
    await waitFor("the script to start", async () => intervals("once").length === 1);
    // what an owner that stopped between writing a log and starting it leaves behind
    const left = await db.scriptLog.create({ data: { backend: "nginx-websites", serverId: server.id, state: "RECEIVED", createdAt: new Date(Date.now() - 120_000), operations: { create: [{ operationId: id }] } } });
    await db.operation.updateMany({ where: { id }, data: { leaseUntil: new Date(Date.now() - 1000) } });
    await db.lane.updateMany({ data: { leaseUntil: new Date(Date.now() - 1000) } });

    // another worker looks at the lane: the run goes on on the host, so the operation stays with it
    expect(await new Worker(engine).tick()).toEqual([]);
    expect((await db.operation.findUniqueOrThrow({ where: { id } })).state).toBe("RUNNING");
    expect(await db.scriptLog.findUniqueOrThrow({ where: { id: left.id } })).toMatchObject({ state: "ABORTED", stderr: expect.stringMatching(/interrupted before it started/) });

    const [report] = await running;
    expect(report.state).toBe("SUCCESS");
    expect((await db.operation.findUniqueOrThrow({ where: { id } })).state).toBe("SUCCESS");
    expect(await new Worker(engine).tick()).toEqual([]);
    expect(intervals("once")).toHaveLength(1); // run once
    await longLease.close();
  });
});

describe("same-name storm", () => {
  it.runIf(isPostgres(inject("databaseUrl")))(
    "create → update → delete → create again for 50 names, two workers, kill -9 storms: the host equals the database, in commit order",
    async () => {
      const NAMES = 50;
      // Every script run that changed files snapshots the sites directory (before nginx "reloads").
      const snapshot = path.join(work, "snapshot.sh");
      writeFileSync(snapshot, `#!/bin/sh\n{ echo "run"; for f in ${work}/storm/*.conf; do [ -e "$f" ] && echo "$(basename "$f") $(grep -o 'server_name [^;]*' "$f")"; done; } >> ${work}/states.txt\nsleep 0.2\n`);
      chmodSync(snapshot, 0o755);
      await addServer("storm", { NGINX_TEST: snapshot });
      // Small scripts (5 operations each), so there are many runs for the kills to land in.
      const env = { DATABASE_URL: inject("databaseUrl"), ORCHESTRA_SSH_KEY: key, ORCHESTRA_LEASE_MS: "2000", ORCHESTRA_POLL_MS: "50", ORCHESTRA_SCRIPT_MAX_OPERATIONS: "5" };
      const workers: WorkerProcess[] = [spawnWorker(env), spawnWorker(env)];
      await waitFor("the workers to start", async () => workers.every((w) => w.output().includes("running")), 30_000);
      let kills = 0;
      let stopKilling = false;
      const killer = (async () => {
        while (!stopKilling) {
          await new Promise((r) => setTimeout(r, 300 + Math.random() * 900));
          if (stopKilling) break;
          const i = Math.floor(Math.random() * workers.length);
          workers[i].child.kill("SIGKILL");
          await workers[i].exited;
          kills++;
          workers[i] = spawnWorker(env);
        }
      })();
      let operations = 0;
      try {
        const steps: Array<(n: string) => (tx: TxDb) => Promise<unknown>> = [
          (n: string) => site(n, `${n}.a.test`),
          (n: string) => async (tx: TxDb) => {
            const w = await tx.website.findUniqueOrThrow({ where: { name: n } });
            await tx.websiteDomain.deleteMany({ where: { websiteId: w.id } });
            await tx.websiteDomain.create({ data: { websiteId: w.id, name: `${n}.b.test` } });
          },
          (n: string) => (tx: TxDb) => tx.website.delete({ where: { name: n } }),
          (n: string) => site(n, `${n}.c.test`),
        ];
        const names = Array.from({ length: NAMES }, (_, i) => `s${i}`);
        for (const step of steps) {
          for (const n of names) {
            operations += (await orchestrate(engine, step(n))).operations.length;
            await new Promise((r) => setTimeout(r, 30));
          }
        }
        await waitFor("the workers to have been killed 20 times", async () => kills >= 20, 120_000);
        stopKilling = true;
        await killer;
        await waitFor("every operation to finish", async () => (await unfinished()) === 0, 180_000);
      } finally {
        stopKilling = true;
        await killer;
        await Promise.all(workers.map(stopWorker));
      }
      // The host's files equal the database.
      const files = readdirSync(path.join(work, "storm")).filter((f) => f.endsWith(".conf")).sort();
      const rows = await db.website.findMany({ include: { domains: true }, orderBy: { name: "asc" } });
      const expected = rows.map((r) => `orchestra-${r.name}.conf`).sort();
      let mismatches = files.length === expected.length && files.every((f, i) => f === expected[i]) ? 0 : 1;
      for (const r of rows) {
        const text = readFileSync(path.join(work, "storm", `orchestra-${r.name}.conf`), "utf8");
        if (!text.includes(`server_name ${r.domains.map((d) => d.name).join(" ")};`)) mismatches++;
      }
      // For each name, the states the host went through follow commit order: a, b, (gone), c.
      const rank: Record<string, number> = { a: 0, b: 1, gone: 2, c: 3 };
      const runs = readFileSync(path.join(work, "states.txt"), "utf8").split("run\n").slice(1);
      const history = new Map<string, number[]>();
      for (const run of runs) {
        const present = new Map<string, string>();
        for (const line of run.trim().split("\n").filter(Boolean)) {
          const m = /^orchestra-(s\d+)\.conf server_name s\d+\.(\w)\.test$/.exec(line);
          if (m) present.set(m[1], m[2]);
        }
        for (const n of Array.from({ length: NAMES }, (_, i) => `s${i}`)) {
          const state = present.get(n) ?? null;
          const seen = history.get(n) ?? [];
          if (state === null) {
            if (seen.length) seen.push(rank.gone); // absent after having existed
          } else seen.push(rank[state]);
          history.set(n, seen);
        }
      }
      let outOfOrder = 0;
      for (const seen of history.values()) for (let i = 1; i < seen.length; i++) if (seen[i] < seen[i - 1]) outOfOrder++;
      const logs = await db.scriptLog.groupBy({ by: ["state"], _count: { _all: true } });
      console.log(`[drill] same-name storm: ${NAMES} names, ${operations} operations, ${kills} kill -9, ${runs.length} runs that changed files, logs ${JSON.stringify(Object.fromEntries(logs.map((l) => [l.state, l._count._all])))}, mismatches ${mismatches}, out of order ${outOfOrder}`);
      expect(rows).toHaveLength(NAMES);
      expect(mismatches).toBe(0);
      expect(outOfOrder).toBe(0);
      expect(await db.operation.count({ where: { state: { notIn: ["SUCCESS", "SUPERSEDED"] } } })).toBe(0);
    },
    400_000,
  );
});
