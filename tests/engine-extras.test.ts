// Engine behaviour beyond the happy path: local backends, serialized backends, revoking queued work,
// failure webhooks, and the orchestrate CLI.
import { execFile } from "node:child_process";
import http from "node:http";
import { promisify } from "node:util";
import { beforeEach, describe, expect, inject, it } from "vitest";
import { BackendRegistry, type Backend } from "../lib/orchestration/backend";
import { Engine } from "../lib/orchestration/engine";
import { runUnitOfWork } from "../lib/orchestration/dispatcher";
import { revokeOperations } from "../lib/orchestration/manual";
import { orchestrate } from "../lib/orchestration/unit-of-work";
import { Worker } from "../lib/orchestration/worker";
import os from "node:os";
import path from "node:path";
import { SshExecutor } from "../lib/orchestration/executors/ssh";
import { raw } from "../lib/orchestration/shell";
import { resetDb, testDb } from "./db";
import { clientKey, closedPort } from "./support/ssh-host";

const keyDir = path.join(os.tmpdir(), "orchestra-test-keys");

const db = testDb();
const run = promisify(execFile);
const noExecutor = () => {
  throw new Error("no SSH in these tests");
};

const local = (name: string, body: (stdout: (t: string) => void, labels: string[]) => Promise<void>, extra: Partial<Backend> = {}): Backend => ({
  name,
  title: name,
  model: "SystemUser",
  actions: ["save", "delete"],
  method: "local",
  async runLocal(ctx, ops) {
    await body(ctx.stdout, ops.map((o) => o.objectLabel));
  },
  ...extra,
});

async function route(backend: string, servers = 1, extra: { async?: boolean } = {}) {
  for (let i = 0; i < servers; i++) {
    const s = await db.server.create({ data: { name: `${backend}-${i}`, address: `127.0.0.${50 + i}` } });
    await db.route.create({ data: { backend, serverId: s.id, ...extra } });
  }
}

beforeEach(() => resetDb());

describe("local backends", () => {
  it("run in-process with the same log semantics: output kept, a throw is a FAILURE", async () => {
    const registry = new BackendRegistry([
      local("ok-local", async (out, labels) => out(`provisioned ${labels.join(",")}\n`)),
      local("bad-local", async () => {
        throw new Error("quota exceeded");
      }),
    ]);
    const engine = new Engine({ db, registry, executor: noExecutor });
    await route("ok-local");
    await route("bad-local");
    const unit = await orchestrate(engine, (tx) => tx.systemUser.create({ data: { username: "loc" } }));
    const reports = await runUnitOfWork(engine, unit);
    // (the two lanes run at once: their logs are numbered in the order they start)
    expect(reports.map((r) => `${r.backend}:${r.state}`).sort()).toEqual(["bad-local:FAILURE", "ok-local:SUCCESS"]);
    const ok = await db.scriptLog.findFirstOrThrow({ where: { backend: "ok-local" } });
    const bad = await db.scriptLog.findFirstOrThrow({ where: { backend: "bad-local" } });
    expect(ok).toMatchObject({ method: "local", stdout: "provisioned loc\n", exitCode: 0 });
    expect(bad).toMatchObject({ stderr: "quota exceeded\n", exitCode: 1 });
  });

  it("a serialize backend runs one script at a time across servers; others run in parallel", async () => {
    const spans: Record<string, Array<[number, number]>> = { serial: [], parallel: [] };
    const timed = (key: string) => async () => {
      const start = Date.now();
      await new Promise((r) => setTimeout(r, 150));
      spans[key].push([start, Date.now()]);
    };
    const registry = new BackendRegistry([local("serial", timed("serial"), { serialize: true }), local("parallel", timed("parallel"))]);
    const engine = new Engine({ db, registry, executor: noExecutor });
    await route("serial", 3);
    await route("parallel", 3);
    const unit = await orchestrate(engine, (tx) => tx.systemUser.create({ data: { username: "ser" } }));
    await runUnitOfWork(engine, unit);
    const overlaps = (s: Array<[number, number]>) => s.some(([a1, b1], i) => s.some(([a2], j) => i !== j && a2 >= a1 && a2 < b1));
    expect(spans.serial).toHaveLength(3);
    expect(overlaps(spans.serial)).toBe(false);
    expect(overlaps(spans.parallel)).toBe(true);
  });
});

describe("queued work", () => {
  it("revoked operations never run", async () => {
    const ran: string[] = [];
    const engine = new Engine({ db, registry: new BackendRegistry([local("q", async (_o, labels) => void ran.push(...labels))]), executor: noExecutor });
    await route("q", 1, { async: true });
    const unit = await orchestrate(engine, async (tx) => {
      await tx.systemUser.create({ data: { username: "keep" } });
      await tx.systemUser.create({ data: { username: "drop" } });
    });
    const drop = unit.operations.find((o) => o.objectLabel === "drop")!;
    expect(await revokeOperations(engine, [drop.id])).toBe(1);
    await new Worker(engine).tick();
    expect(ran).toEqual(["keep"]);
    expect((await db.operation.findUniqueOrThrow({ where: { id: drop.id } })).state).toBe("REVOKED");
  });

  it("a synchronous run that cannot reach its server leaves the operation pending for the worker", async () => {
    const executor = SshExecutor.fromKeyFile(clientKey(keyDir), { connectTimeoutMs: 2000 });
    const engine = new Engine({ db, registry: new BackendRegistry([{ name: "ssh-x", title: "x", model: "SystemUser", actions: ["save"], method: "ssh", save: (ctx) => ctx.append(raw("true")) }]), executor: () => executor });
    const server = await db.server.create({ data: { name: "down", address: "127.0.0.4", port: await closedPort("127.0.0.4") } });
    await db.route.create({ data: { backend: "ssh-x", serverId: server.id } });
    const unit = await orchestrate(engine, (tx) => tx.systemUser.create({ data: { username: "later" } }));
    const [report] = await runUnitOfWork(engine, unit);
    expect(report.state).toBe("UNREACHABLE");
    const op = await db.operation.findUniqueOrThrow({ where: { id: unit.operations[0].id } });
    expect(op).toMatchObject({ state: "PENDING", attempts: 1, leaseOwner: null });
    expect(op.runAfter.getTime()).toBeGreaterThan(Date.now());
    await executor.close();
  });

  it("a final failure notifies admins in the database and on the webhook", async () => {
    const received: unknown[] = [];
    const hook = http.createServer((req, res) => {
      let body = "";
      req.on("data", (c) => (body += c));
      req.on("end", () => {
        received.push(JSON.parse(body));
        res.end("ok");
      });
    });
    await new Promise<void>((r) => hook.listen(0, "127.0.0.1", () => r()));
    const webhookUrl = `http://127.0.0.1:${(hook.address() as { port: number }).port}/hook`;
    try {
      const engine = new Engine({ db, registry: new BackendRegistry([local("boom", async () => { throw new Error("no"); })]), executor: noExecutor, webhookUrl });
      await route("boom", 1, { async: true });
      await orchestrate(engine, (tx) => tx.systemUser.create({ data: { username: "doomed" } }));
      await new Worker(engine, { policy: { retryFailures: true, maxAttempts: 1, backoffMs: 1 } }).tick();
      expect(await db.notification.count()).toBe(1);
      expect(received).toEqual([expect.objectContaining({ event: "operation.failed", backend: "boom", state: "FAILURE" })]);
    } finally {
      hook.close();
    }
  });
});

describe("orchestrate CLI", () => {
  const cli = (...args: string[]) =>
    run(process.execPath, ["--import", "tsx", "bin/orchestrate.ts", ...args], { env: { ...process.env, DATABASE_URL: inject("databaseUrl"), ORCHESTRA_SSH_KEY: clientKey(keyDir) } }).then(
      (r) => ({ code: 0, out: r.stdout + r.stderr }),
      (e: { code: number; stdout: string; stderr: string }) => ({ code: e.code, out: e.stdout + e.stderr }),
    );

  it("prints the scripts of a dry run per server, refuses an unknown backend, and fails when a run fails", async () => {
    const s = await db.server.create({ data: { name: "cli-host", address: "127.0.0.9", port: await closedPort("127.0.0.9"), hostKeyFingerprint: "SHA256:x" } });
    await db.route.create({ data: { backend: "system-users", serverId: s.id, match: 'object.username != "skip"' } });
    await db.systemUser.createMany({ data: [{ username: "cli1" }, { username: "skip" }] });

    const dry = await cli("--dry-run", "--model", "SystemUser");
    expect(dry.code).toBe(0);
    expect(dry.out).toContain("### server cli-host · backend system-users");
    expect(dry.out).toContain("useradd");
    expect(dry.out).toContain("# no route matches: system-users skip");
    expect(await db.operation.count()).toBe(0);

    expect(await cli("--backend", "nope")).toMatchObject({ code: 1, out: expect.stringContaining('unknown backend "nope"') });
    expect((await cli("--bogus")).code).toBe(2);

    const real = await cli("--backend", "system-users"); // nothing listens there
    expect(real.code).toBe(1);
    expect(real.out).toMatch(/UNREACHABLE\s+log #\d+ system-users on cli-host: save cli1/);
  });
});

describe("leases", () => {
  it("a worker that stalls past its lease cannot overwrite the work of the worker that took over", async () => {
    let calls = 0;
    let releaseFirst!: () => void;
    const firstMayEnd = new Promise<void>((r) => (releaseFirst = r));
    const engine = new Engine({
      db,
      registry: new BackendRegistry([
        local("stall", async () => {
          calls++;
          if (calls === 1) {
            await firstMayEnd; // the stalled run…
            throw new Error("late failure"); // …ends badly, long after its lease
          }
        }),
      ]),
      executor: noExecutor,
    });
    await route("stall", 1, { async: true });
    const unit = await orchestrate(engine, (tx) => tx.systemUser.create({ data: { username: "contested" } }));
    const id = unit.operations[0].id;

    // long lease (no heartbeat during the test), then we expire it as if the worker had stalled
    const stalled = new Worker(engine, { policy: { retryFailures: false, maxAttempts: 1, backoffMs: 1 } }).tick();
    for (let i = 0; i < 100 && (await db.operation.findUniqueOrThrow({ where: { id } })).state !== "RUNNING"; i++) await new Promise((r) => setTimeout(r, 20));
    await db.operation.update({ where: { id }, data: { leaseUntil: new Date(Date.now() - 1000) } });
    await db.lane.updateMany({ data: { leaseUntil: new Date(Date.now() - 1000) } });

    const rescue = await new Worker(engine).tick();
    expect(rescue.map((r) => r.state)).toEqual(["SUCCESS"]);
    releaseFirst();
    const [late] = await stalled;
    // the late run's failure is not what counts: it reports what its log says now, overtaken…
    expect(late).toMatchObject({ state: "ABORTED", overtaken: true });
    expect((await db.operation.findUniqueOrThrow({ where: { id } })).state).toBe("SUCCESS"); // …and changes neither the operation's state…
    // …nor its log, which recovery settled when the lease expired (a local run leaves no marker)
    const logs = await db.scriptLog.findMany({ orderBy: { id: "asc" } });
    expect(logs.map((l) => l.state)).toEqual(["ABORTED", "SUCCESS"]);
    expect(logs[0].stderr).toMatch(/interrupted: the worker .* stopped renewing its lease/);
    expect(await db.notification.count()).toBe(0);
  });
});
