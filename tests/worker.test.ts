// The asynchronous path: outbox, worker, ordering, retries and kill -9 drills, with real worker
// processes, a real sshd host and the websites backend writing real files on it.
import { chmodSync, existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync, mkdirSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { inject } from "vitest";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { Engine } from "../lib/orchestration/engine";
import { SshExecutor } from "../lib/orchestration/executors/ssh";
import { orchestrate, type TxDb } from "../lib/orchestration/unit-of-work";
import { Worker } from "../lib/orchestration/worker";
import { createRegistry } from "../lib/services/registry";
import { resetDb, testDb } from "./db";
import { clientKey, startSshHost, type SshHost } from "./support/ssh-host";
import { waitFor } from "./support/wait";
import { spawnWorker, stopWorker } from "./support/worker-process";

const db = testDb();
const keyDir = path.join(os.tmpdir(), "orchestra-test-keys");
let key: string;
let host: SshHost;
let engine: Engine;
let executor: SshExecutor;
let work: string; // per-test directory on the "server": sites dir and the probe's log

/** Counts script executions on the host: the probe appends a line per run, then sleeps. */
function probe(dir: string): string {
  const file = path.join(dir, "probe.sh");
  writeFileSync(file, `#!/bin/sh\necho "run $$" >> ${dir}/probe.log\nsleep "\${1:-0}"\n`);
  chmodSync(file, 0o755);
  return file;
}

function probeRuns(): number {
  const file = path.join(work, "probe.log");
  return existsSync(file) ? readFileSync(file, "utf8").trim().split("\n").length : 0;
}

function sites(): string[] {
  return readdirSync(path.join(work, "sites")).sort();
}

async function addServer(name: string, variables: Record<string, string>) {
  const server = await db.server.create({
    data: {
      name,
      address: host.address,
      port: host.port,
      hostKeyFingerprint: host.fingerprint,
      variables: { NGINX_SITES_DIR: path.join(work, "sites"), WEBSITES_ROOT: path.join(work, "www"), NGINX_TEST: "true", NGINX_RELOAD: "true", ...variables },
    },
  });
  await db.route.create({ data: { backend: "nginx-websites", serverId: server.id, async: true } });
  return server;
}

async function queue(fn: (tx: TxDb) => Promise<unknown>) {
  const unit = await orchestrate(engine, fn);
  expect(unit.operations.every((o) => o.async)).toBe(true);
  return unit.operations.map((o) => o.id);
}

const createSite = (name: string) => (tx: TxDb) => tx.website.create({ data: { name, domains: { create: [{ name: `${name}.test` }] } } });

const allDone = () => waitFor("all operations to finish", async () => (await db.operation.count({ where: { state: { in: ["PENDING", "RUNNING"] } } })) === 0);

async function logsOf(operationId: number) {
  const links = await db.scriptLogOperation.findMany({ where: { operationId }, include: { scriptLog: true }, orderBy: { scriptLogId: "asc" } });
  return links.map((l) => l.scriptLog);
}

function workerEnv(extra: Record<string, string> = {}) {
  return { DATABASE_URL: inject("databaseUrl"), ORCHESTRA_SSH_KEY: key, ...extra };
}

beforeAll(async () => {
  key = clientKey(keyDir);
  host = await startSshHost({ address: "127.0.0.3", port: 22213, clientKeyFile: key });
  executor = SshExecutor.fromKeyFile(key);
  engine = new Engine({ db, registry: createRegistry(), executor: () => executor });
});

afterAll(async () => {
  await executor?.close();
  await host?.stop();
});

beforeEach(async () => {
  await resetDb();
  work = mkdtempSync(path.join(os.tmpdir(), "orchestra-worker-"));
  mkdirSync(path.join(work, "sites"));
  return () => rmSync(work, { recursive: true, force: true });
});

describe("outbox and worker", () => {
  it("leaves async operations for the worker, which runs them grouped into one script", async () => {
    await addServer("w1", {});
    await queue(async (tx) => {
      for (const n of ["s1", "s2", "s3"]) await createSite(n)(tx);
    });
    expect(await db.operation.count({ where: { state: "PENDING" } })).toBe(3);
    expect(sites()).toEqual([]);
    const reports = await new Worker(engine).tick();
    expect(reports.map((r) => [r.state, r.operations.length])).toEqual([["SUCCESS", 3]]);
    expect(sites()).toEqual(["orchestra-s1.conf", "orchestra-s2.conf", "orchestra-s3.conf"]);
    expect(await db.operation.count({ where: { state: "SUCCESS" } })).toBe(3);
  });

  it("retries failures with exponential backoff, then keeps them FAILED, notifies and lets a person retry", async () => {
    const server = await addServer("w1", { NGINX_TEST: "false" });
    const [id] = await queue(createSite("flaky"));
    const worker = new Worker(engine, { policy: { retryFailures: true, maxAttempts: 3, backoffMs: 200 } });
    const first = await worker.tick();
    expect(first.map((r) => r.state)).toEqual(["FAILURE"]);
    let op = await db.operation.findUniqueOrThrow({ where: { id } });
    expect(op).toMatchObject({ state: "PENDING", attempts: 1 });
    expect(op.runAfter.getTime()).toBeGreaterThan(Date.now() + 50); // backing off
    expect(await worker.tick()).toEqual([]); // not due yet
    await waitFor("the 3rd attempt", async () => (await worker.tick(), (await db.operation.findUniqueOrThrow({ where: { id } })).state === "FAILURE"));
    op = await db.operation.findUniqueOrThrow({ where: { id } });
    expect(op.attempts).toBe(3);
    const [gap1, gap2] = await (async () => {
      const logs = await logsOf(id);
      return [logs[1].startedAt!.getTime() - logs[0].finishedAt!.getTime(), logs[2].startedAt!.getTime() - logs[1].finishedAt!.getTime()];
    })();
    expect(gap1).toBeGreaterThanOrEqual(190);
    expect(gap2).toBeGreaterThanOrEqual(390); // doubled
    expect(await db.notification.findMany()).toEqual([expect.objectContaining({ operationId: id, title: expect.stringContaining("after 3 attempts") })]);
    expect(await worker.tick()).toEqual([]); // stays failed

    await db.server.update({ where: { id: server.id }, data: { variables: { NGINX_SITES_DIR: path.join(work, "sites"), WEBSITES_ROOT: path.join(work, "www"), NGINX_TEST: "true", NGINX_RELOAD: "true" } } });
    const { retryLog } = await import("../lib/orchestration/manual");
    const logs = await logsOf(id);
    expect((await retryLog(engine, logs[logs.length - 1].id)).report?.state).toBe("SUCCESS");
    expect(sites()).toEqual(["orchestra-flaky.conf"]);
  });

  it("keeps per-object commit order: a delete waits for a slow create of the same object", async () => {
    await addServer("w1", { NGINX_RELOAD: `${probe(work)} 1.5` });
    const [createId] = await queue(createSite("ordered"));
    const workers = [spawnWorker(workerEnv()), spawnWorker(workerEnv())];
    try {
      await waitFor("the create to start", async () => (await db.operation.findUniqueOrThrow({ where: { id: createId } })).state === "RUNNING");
      const [deleteId] = await queue((tx) => tx.website.delete({ where: { name: "ordered" } }));
      await allDone();
      const [createLog] = await logsOf(createId);
      const [deleteLog] = await logsOf(deleteId);
      expect(createLog.state).toBe("SUCCESS");
      expect(deleteLog.state).toBe("SUCCESS");
      expect(deleteLog.startedAt!.getTime()).toBeGreaterThanOrEqual(createLog.finishedAt!.getTime());
      expect(sites()).toEqual([]); // deleted last, as committed
    } finally {
      await Promise.all(workers.map(stopWorker));
    }
  });
});

describe("sync-kind backends", () => {
  it("coalesce many queued changes for a server into one run of the whole configuration", async () => {
    const server = await addServer("w1", {});
    const mapFile = path.join(work, "sites.map");
    await db.server.update({ where: { id: server.id }, data: { variables: { ...(server.variables as object), SITES_MAP_FILE: mapFile } } });
    await db.route.create({ data: { backend: "websites-map", serverId: server.id, async: true } });
    await db.route.deleteMany({ where: { backend: "nginx-websites" } });
    for (const n of ["m1", "m2", "m3", "m4"]) await queue(createSite(n));
    await queue((tx) => tx.website.update({ where: { name: "m2" }, data: { enabled: false } }));
    expect(await db.operation.count({ where: { state: "PENDING" } })).toBe(5);
    const reports = await new Worker(engine).tick();
    expect(reports.map((r) => [r.backend, r.state, r.operations.length])).toEqual([["websites-map", "SUCCESS", 5]]);
    expect(readFileSync(mapFile, "utf8")).toBe("# managed by Orchestra: every enabled website of this server\nm1.test m1;\nm3.test m3;\nm4.test m4;\n");
  });
});

describe("kill -9 drills", () => {
  it("after claim: the lease expires and another worker runs the work once", async () => {
    await addServer("w1", { NGINX_RELOAD: probe(work) });
    const ids = await queue(async (tx) => {
      for (const n of ["k1", "k2"]) await createSite(n)(tx);
    });
    const crashing = spawnWorker(workerEnv({ ORCHESTRA_WORKER_CRASH_AT: "after-claim" }));
    expect((await crashing.exited).signal).toBe("SIGKILL");
    expect(await db.operation.count({ where: { id: { in: ids }, leaseOwner: { not: null } } })).toBe(2);
    const worker = spawnWorker(workerEnv());
    try {
      await allDone();
    } finally {
      await stopWorker(worker);
    }
    for (const id of ids) expect((await logsOf(id)).map((l) => l.state)).toEqual(["SUCCESS"]);
    expect(probeRuns()).toBe(1);
    expect(sites()).toEqual(["orchestra-k1.conf", "orchestra-k2.conf"]);
  });

  it("mid-script: the script finishes on the host under its supervisor; recovery records its real result without running it again", async () => {
    await addServer("w1", { NGINX_RELOAD: `${probe(work)} 3` });
    const [id] = await queue(createSite("mid"));
    const victim = spawnWorker(workerEnv());
    await waitFor("the script to start", async () => probeRuns() === 1);
    victim.child.kill("SIGKILL");
    await victim.exited;
    expect((await logsOf(id)).map((l) => l.state)).toEqual(["STARTED"]);
    const rescuer = spawnWorker(workerEnv());
    try {
      await waitFor("the rerun", async () => (await db.operation.findUniqueOrThrow({ where: { id } })).state === "SUCCESS", 30_000);
    } finally {
      await stopWorker(rescuer);
    }
    const logs = await logsOf(id);
    expect(logs.map((l) => l.state)).toEqual(["SUCCESS"]);
    expect(logs[0].exitCode).toBe(0);
    expect(logs[0].stderr).toContain("recovered");
    expect(probeRuns()).toBe(1); // effectively once
    expect(sites()).toEqual(["orchestra-mid.conf"]);
  });

  it("after the script exits but before its log is written: the log ends SUCCESS from the host's run marker and the host ran it once", async () => {
    await addServer("w1", { NGINX_RELOAD: probe(work) });
    const [id] = await queue(createSite("late"));
    const crashing = spawnWorker(workerEnv({ ORCHESTRA_WORKER_CRASH_AT: "after-run" }));
    expect((await crashing.exited).signal).toBe("SIGKILL");
    expect(sites()).toEqual(["orchestra-late.conf"]); // it did run
    const rescuer = spawnWorker(workerEnv());
    try {
      await allDone();
    } finally {
      await stopWorker(rescuer);
    }
    const logs = await logsOf(id);
    expect(logs.map((l) => l.state)).toEqual(["SUCCESS"]);
    expect(logs[0].stderr).toMatch(/recovered: the worker .* stopped before recording the result/);
    expect(probeRuns()).toBe(1);
    expect(sites()).toEqual(["orchestra-late.conf"]);
  });
});

describe("several workers", () => {
  it("never run the same operation twice: every operation has one run, counted on the host", async () => {
    await addServer("w1", { NGINX_RELOAD: `${probe(work)} 0.2` });
    mkdirSync(path.join(work, "sites2"));
    await addServer("w2", { NGINX_SITES_DIR: path.join(work, "sites2"), NGINX_RELOAD: `${probe(work)} 0.2` });
    // many small units, so there are many groups to compete for
    const ids: number[] = [];
    for (let i = 0; i < 24; i++) ids.push(...(await queue(createSite(`m${i}`))));
    // leases long enough that a busy SQLite file never delays a heartbeat past one
    const workers = [0, 1, 2].map(() => spawnWorker(workerEnv({ ORCHESTRA_LEASE_MS: "8000" })));
    try {
      await allDone();
    } finally {
      await Promise.all(workers.map(stopWorker));
    }
    expect(ids).toHaveLength(48);
    const logs = await db.scriptLog.findMany();
    for (const id of ids) expect((await logsOf(id)).map((l) => l.state)).toEqual(["SUCCESS"]);
    expect(probeRuns()).toBe(logs.length);
    expect(sites()).toHaveLength(24);
    expect(readdirSync(path.join(work, "sites2"))).toHaveLength(24);
    expect(new Set(logs.map((l) => l.serverId)).size).toBe(2);
  });
});
