// Production deployment: start-up checks that refuse a wrong setup (against fresh databases of their
// own, SQLite and, on a PostgreSQL run, a database created for the test), concurrent `db:deploy`,
// health, worker heartbeats, and a real worker process stopped with SIGTERM while a slow script runs
// on a real sshd host.
import { spawn } from "node:child_process";
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import pg from "pg";
import { afterAll, beforeAll, beforeEach, describe, expect, inject, it } from "vitest";
import { isPostgres } from "../lib/database-url";
import { createDb } from "../lib/db-client";
import { checkHealth } from "../lib/health";
import { committedMigrations, migrate, pendingMigrations } from "../lib/migrate";
import { Engine } from "../lib/orchestration/engine";
import { SshExecutor } from "../lib/orchestration/executors/ssh";
import { liveWorkers } from "../lib/orchestration/presence";
import { orchestrate } from "../lib/orchestration/unit-of-work";
import { createRegistry } from "../lib/services/registry";
import { AUTH_FINGERPRINT_KEY, startupChecks, type CheckInput } from "../lib/startup/checks";
import { resetDb, testDb } from "./db";
import { clientKey, startSshHost, type SshHost } from "./support/ssh-host";
import { waitFor } from "./support/wait";
import { spawnWorker, stopWorker } from "./support/worker-process";

const url = inject("databaseUrl");
const postgres = isPostgres(url);
const db = testDb();
let scratch: string;

/** A fresh, empty database of the run's kind: a new SQLite file, or a new database on the test cluster. */
async function freshDatabase(name: string): Promise<{ url: string; drop(): Promise<void> }> {
  if (!postgres) {
    const file = path.join(scratch, `${name}.db`);
    return { url: `file:${file}`, drop: async () => undefined };
  }
  const admin = new pg.Client({ connectionString: url });
  await admin.connect();
  const dbName = `orchestra_${name}_${process.pid}`;
  await admin.query(`DROP DATABASE IF EXISTS ${dbName}`);
  await admin.query(`CREATE DATABASE ${dbName}`);
  await admin.end();
  const u = new URL(url);
  u.pathname = `/${dbName}`;
  return {
    url: u.toString(),
    async drop() {
      const c = new pg.Client({ connectionString: url });
      await c.connect();
      await c.query(`DROP DATABASE IF EXISTS ${dbName} WITH (FORCE)`);
      await c.end();
    },
  };
}

beforeAll(() => {
  scratch = mkdtempSync(path.join(os.tmpdir(), "orchestra-deploy-"));
  return () => rmSync(scratch, { recursive: true, force: true });
});

describe("start-up checks", () => {
  it("refuse an unmigrated database, a missing or different AUTH_SECRET; warn about a missing SSH key; store only a fingerprint", async () => {
    const fresh = await freshDatabase("checks");
    const client = createDb(fresh.url);
    const key = clientKey(path.join(scratch, "keys"));
    const input = (over: Partial<CheckInput>): CheckInput => ({ db: client, url: fresh.url, authSecret: "secret-one-0123456789abcdef", acceptNewSecret: false, sshKey: key, role: "web", ...over });
    try {
      let result = await startupChecks(input({}));
      expect(result.errors).toHaveLength(1);
      expect(result.errors[0]).toMatch(/not migrated: \d+ migration\(s\) pending .*npm run db:deploy/);

      await migrate(fresh.url);
      expect(await pendingMigrations(fresh.url)).toEqual([]);

      result = await startupChecks(input({ authSecret: undefined }));
      expect(result.errors.join()).toMatch(/AUTH_SECRET is not set/);
      expect((await startupChecks(input({ authSecret: undefined, role: "worker" }))).errors).toEqual([]);

      result = await startupChecks(input({}));
      expect(result).toMatchObject({ errors: [], warnings: [] });
      expect(result.notes.join()).toMatch(/recorded/);
      const stored = JSON.stringify((await client.setting.findUniqueOrThrow({ where: { key: AUTH_FINGERPRINT_KEY } })).value);
      expect(stored).not.toContain("secret-one");
      expect(await startupChecks(input({}))).toMatchObject({ errors: [], warnings: [], notes: [] });

      result = await startupChecks(input({ authSecret: "secret-two-0123456789abcdef" }));
      expect(result.errors.join()).toMatch(/AUTH_SECRET differs .*same AUTH_SECRET.*ORCHESTRA_ACCEPT_NEW_AUTH_SECRET=1/);
      result = await startupChecks(input({ authSecret: "secret-two-0123456789abcdef", acceptNewSecret: true }));
      expect(result.errors).toEqual([]);
      expect(result.warnings.join()).toMatch(/changed and was accepted/);
      // the new one is the database's secret now, and the old one is refused
      expect((await startupChecks(input({ authSecret: "secret-two-0123456789abcdef" }))).errors).toEqual([]);
      expect((await startupChecks(input({ authSecret: "secret-one-0123456789abcdef" }))).errors.join()).toMatch(/differs/);

      const missing = path.join(scratch, "no-such-key");
      result = await startupChecks(input({ authSecret: "secret-two-0123456789abcdef", sshKey: missing }));
      expect(result.errors).toEqual([]);
      expect(result.warnings.join()).toContain(`the SSH key ${missing} does not exist`);
    } finally {
      await client.$disconnect();
      await fresh.drop();
    }
  });

  it("a real worker process refuses to start on an unmigrated database, and on another AUTH_SECRET", async () => {
    const fresh = await freshDatabase("refuse");
    try {
      const worker = spawnWorker({ DATABASE_URL: fresh.url, AUTH_SECRET: "secret-one-0123456789abcdef" });
      const exited = await worker.exited;
      expect(exited.code).toBe(1);
      expect(worker.output()).toMatch(/REFUSING TO START: the database is not migrated.*npm run db:deploy/);

      await migrate(fresh.url);
      const client = createDb(fresh.url);
      await startupChecks({ db: client, url: fresh.url, authSecret: "secret-one-0123456789abcdef", acceptNewSecret: false, sshKey: "/dev/null", role: "web" });
      await client.$disconnect();
      const other = spawnWorker({ DATABASE_URL: fresh.url, AUTH_SECRET: "another-secret-0123456789abcdef" });
      expect((await other.exited).code).toBe(1);
      expect(other.output()).toMatch(/REFUSING TO START: AUTH_SECRET differs/);
    } finally {
      await fresh.drop();
    }
  });
});

describe("db:deploy", () => {
  it("two db:deploy processes at once on an empty database: both succeed, each migration applied once", async () => {
    const fresh = await freshDatabase("deploy");
    try {
      const run = () =>
        new Promise<{ code: number | null; output: string }>((resolve) => {
          const child = spawn(process.execPath, ["--import", "tsx", "scripts/db-setup.ts"], { env: { ...process.env, DATABASE_URL: fresh.url }, stdio: ["ignore", "pipe", "pipe"] });
          let output = "";
          child.stdout.on("data", (d) => (output += d));
          child.stderr.on("data", (d) => (output += d));
          child.once("exit", (code) => resolve({ code, output }));
        });
      const results = await Promise.all([run(), run()]);
      expect(results.map((r) => r.code), results.map((r) => r.output).join("\n")).toEqual([0, 0]);
      // one of them applied everything, the other found nothing to do
      const applied = results.filter((r) => /applied/.test(r.output));
      expect(applied).toHaveLength(1);
      expect(await pendingMigrations(fresh.url)).toEqual([]);
      expect(committedMigrations(fresh.url).length).toBeGreaterThan(0);
    } finally {
      await fresh.drop();
    }
  }, 60_000);
});

describe("health", () => {
  it("is ok on a migrated database, unavailable (migrations pending) on an empty one, and counts live workers", async () => {
    await resetDb();
    const engine = new Engine({ db, registry: createRegistry(), executor: () => SshExecutor.fromKeyFile("/dev/null") });
    expect(await checkHealth(engine, committedMigrations(url))).toEqual({ status: "ok", database: "ok", migrations: "current", workers: 0 });
    expect(await checkHealth(engine, [...committedMigrations(url), "29990101000000_future"])).toMatchObject({ status: "unavailable", migrations: "pending" });
    const fresh = await freshDatabase("health");
    const empty = createDb(fresh.url);
    try {
      const other = new Engine({ db: empty, registry: createRegistry(), executor: () => SshExecutor.fromKeyFile("/dev/null") });
      expect(await checkHealth(other, committedMigrations(url))).toEqual({ status: "unavailable", database: "ok", migrations: "pending", workers: 0 });
    } finally {
      await empty.$disconnect();
      await fresh.drop();
    }
  });
});

describe("graceful SIGTERM of a worker process", () => {
  let host: SshHost;
  let key: string;
  let work: string;
  const engine = () => new Engine({ db, registry: createRegistry(), executor: () => SshExecutor.fromKeyFile(key) });

  beforeAll(async () => {
    key = clientKey(path.join(os.tmpdir(), "orchestra-test-keys"));
    host = await startSshHost({ address: "127.0.0.9", port: 22219, clientKeyFile: key });
  });
  afterAll(async () => {
    await host?.stop();
  });
  beforeEach(async () => {
    await resetDb();
    work = mkdtempSync(path.join(os.tmpdir(), "orchestra-sigterm-"));
    mkdirSync(path.join(work, "sites"));
    return () => rmSync(work, { recursive: true, force: true });
  });

  /** A server whose reload appends "start"/"end" around a sleep of `seconds` to a file on the host. */
  async function slowServer(seconds: number) {
    const reload = path.join(work, "reload.sh");
    writeFileSync(reload, `#!/bin/sh\necho "start $(ls ${work}/sites | tr '\\n' ' ')" >> ${work}/runs.log\nsleep ${seconds}\necho end >> ${work}/runs.log\n`);
    chmodSync(reload, 0o755);
    const server = await db.server.create({
      data: { name: "slow", address: host.address, port: host.port, hostKeyFingerprint: host.fingerprint, variables: { NGINX_SITES_DIR: path.join(work, "sites"), WEBSITES_ROOT: path.join(work, "www"), NGINX_TEST: "true", NGINX_RELOAD: reload } },
    });
    await db.route.create({ data: { backend: "nginx-websites", serverId: server.id, async: true } });
  }
  const runs = () => (existsSync(path.join(work, "runs.log")) ? readFileSync(path.join(work, "runs.log"), "utf8").split("\n").map((l) => l.trimEnd()).filter(Boolean) : []);
  const save = (name: string) => orchestrate(engine(), (tx) => tx.website.create({ data: { name, domains: { create: [{ name: `${name}.test` }] } } }));
  const env = (grace: number) => ({ DATABASE_URL: url, ORCHESTRA_SSH_KEY: key, ORCHESTRA_SHUTDOWN_GRACE_MS: String(grace) });

  it("stops claiming, lets the running script finish and log, leaves queued work unclaimed for the next worker", async () => {
    await slowServer(3);
    const worker = spawnWorker(env(20_000));
    await waitFor("the worker to start", async () => worker.output().includes("running"), 30_000);
    await waitFor("its heartbeat", async () => (await liveWorkers(engine())) === 1);
    const first = await save("first");
    await waitFor("the slow script to start on the host", async () => runs().length > 0, 20_000);
    const second = await save("second"); // queued in the same lane while the first script runs
    const signalled = Date.now();
    worker.child.kill("SIGTERM");
    const exited = await worker.exited;
    const took = Date.now() - signalled;
    console.log(`[deploy] worker stopped ${took} ms after SIGTERM, having let its running script finish`);
    expect(exited.code, worker.output()).toBe(0);
    expect(worker.output()).toMatch(/stopped$/m);
    expect(runs()).toEqual(["start orchestra-first.conf", "end"]);
    expect((await db.operation.findUniqueOrThrow({ where: { id: first.operations[0].id } })).state).toBe("SUCCESS");
    expect(await db.operation.findUniqueOrThrow({ where: { id: second.operations[0].id } })).toMatchObject({ state: "PENDING", leaseOwner: null });
    expect(await liveWorkers(engine())).toBe(0); // it removed its heartbeat
    // the next worker runs what was left
    const next = spawnWorker(env(20_000));
    try {
      await waitFor("the queued save to run", async () => (await db.operation.findUniqueOrThrow({ where: { id: second.operations[0].id } })).state === "SUCCESS", 30_000);
    } finally {
      await stopWorker(next);
    }
  }, 90_000);

  it("past the grace period it exits; the script finishes on the host and recovery records its real outcome", async () => {
    await slowServer(5);
    const worker = spawnWorker(env(1000));
    await waitFor("the worker to start", async () => worker.output().includes("running"), 30_000);
    const unit = await save("late");
    await waitFor("the slow script to start on the host", async () => runs().length > 0, 20_000);
    const signalled = Date.now();
    worker.child.kill("SIGTERM");
    const exited = await worker.exited;
    const took = Date.now() - signalled;
    expect(exited.code, worker.output()).toBe(0);
    expect(worker.output()).toMatch(/stopped with 1 script\(s\) still running/);
    expect(took).toBeLessThan(4000);
    expect(runs()).toEqual(["start orchestra-late.conf"]); // still running on the host
    const next = spawnWorker(env(20_000));
    try {
      const op = await waitFor("recovery to record the run", async () => {
        const row = await db.operation.findUniqueOrThrow({ where: { id: unit.operations[0].id } });
        return row.state === "SUCCESS" && row;
      }, 40_000);
      expect(op.state).toBe("SUCCESS");
      expect(runs()).toEqual(["start orchestra-late.conf", "end"]); // ran once, not again
    } finally {
      await stopWorker(next);
    }
  }, 90_000);
});
