// Schedules fired by the workers. On PostgreSQL, two real worker processes share a schedule that fires
// every 2 seconds: every occurrence in the window runs exactly once (one ScheduleRun per occurrence,
// unique per (schedule, occurrence), none missing, none twice), and after a downtime the missed
// occurrences run once, not once each. On either database, two engines with their own connections
// race for the same occurrences, a "Run now" waits for no one but refuses to overlap a run, a run
// whose worker died is marked aborted, and a sync schedule rewrites a file removed by hand on a real
// sshd host.
import { execFile } from "node:child_process";
import { readFileSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { createDb } from "../lib/db-client";
import { isPostgres } from "../lib/database-url";
import { runUnitOfWork } from "../lib/orchestration/dispatcher";
import { Engine } from "../lib/orchestration/engine";
import { SshExecutor } from "../lib/orchestration/executors/ssh";
import { orchestrate } from "../lib/orchestration/unit-of-work";
import { cronError, formatInZone, nextOccurrence, nextOccurrences, timeZoneError } from "../lib/orchestration/schedules/cron";
import { fireDue, runScheduleNow, settleAbandoned } from "../lib/orchestration/schedules/fire";
import { createRegistry } from "../lib/services/registry";
import { resetDb, testDb } from "./db";
import { testEngine } from "./support/engine";
import { clientKey, startSshHost, type SshHost } from "./support/ssh-host";
import { waitFor } from "./support/wait";
import { spawnWorker, stopWorker, type WorkerProcess } from "./support/worker-process";

const db = testDb();
const engine = testEngine();
const run = promisify(execFile);

describe("cron expressions", () => {
  it("are read by croner, with a clear reason when they cannot be used", () => {
    expect(cronError("0 3 * * *")).toBeNull();
    expect(cronError("*/2 * * * * *")).toBeNull();
    expect(cronError("@daily", "Europe/Paris")).toBeNull();
    expect(cronError("61 * * * *")).toBe("Not a cron expression: Invalid value for minute: 61.");
    expect(cronError("every day")).toMatch(/^Write five fields .* this has 2\.$/);
    expect(cronError("0 0 30 2 *")).toBe("This expression never fires.");
    expect(timeZoneError("Mars/Olympus")).toMatch(/^Unknown time zone/);
    expect(timeZoneError("America/New_York")).toBeNull();
  });

  it("give occurrences in the schedule's time zone, one a day across a DST change", () => {
    // Paris moves to summer time at 02:00 on 2026-03-29: that day's 02:30 does not exist and runs at 03:00
    const next = nextOccurrences("30 2 * * *", "Europe/Paris", 3, new Date("2026-03-28T12:00:00Z"));
    expect(next.map((d) => formatInZone(d, "Europe/Paris"))).toEqual(["2026-03-29 03:00:00 Europe/Paris", "2026-03-30 02:30:00 Europe/Paris", "2026-03-31 02:30:00 Europe/Paris"]);
    expect(next[1].toISOString()).toBe("2026-03-30T00:30:00.000Z");
    expect(nextOccurrence("*/2 * * * * *", "UTC", new Date("2026-01-01T00:00:02.000Z"))!.toISOString()).toBe("2026-01-01T00:00:04.000Z");
  });
});

describe("firing", () => {
  const second: { db?: ReturnType<typeof createDb> } = {};
  afterAll(async () => second.db?.$disconnect());

  it("two engines racing for 20 occurrences fire each exactly once", async () => {
    await resetDb();
    // On PostgreSQL each engine has its own connections. SQLite's driver is synchronous, so two
    // connections in one process would wait for each other's lock on one thread: the engines share
    // the client there, and their calls still interleave (both read the occurrence, both try to take it).
    const url = inject("databaseUrl");
    if (isPostgres(url)) second.db = createDb(url);
    const other = new Engine({ db: second.db ?? db, registry: createRegistry(), executor: () => { throw new Error("no execution here"); } });
    const schedule = await db.schedule.create({ data: { name: "race", kind: "drift-check", cron: "*/5 * * * *", nextRunAt: null } });
    const base = Math.floor(Date.now() / 300_000) * 300_000 - 25 * 300_000;
    for (let i = 0; i < 20; i++) {
      // an occurrence due now (distinct each round), as a worker would find it
      await db.schedule.update({ where: { id: schedule.id }, data: { nextRunAt: new Date(base + i * 300_000) } });
      const [mine, theirs] = await Promise.all([fireDue(engine), fireDue(other)]);
      expect(mine.length + theirs.length).toBe(1);
      await Promise.all([...mine, ...theirs]);
    }
    const runs = await db.scheduleRun.findMany({ where: { scheduleId: schedule.id }, orderBy: { occurrence: "asc" } });
    expect(runs.map((r) => r.occurrence.getTime() - base)).toEqual(Array.from({ length: 20 }, (_, i) => i * 300_000));
    expect(runs.every((r) => r.state === "SUCCESS")).toBe(true);
    // the last claim moved nextRunAt to the first occurrence after now: the missed ones ran once
    const after = await db.schedule.findUniqueOrThrow({ where: { id: schedule.id } });
    expect(after.nextRunAt!.getTime()).toBeGreaterThan(Date.now());
    expect(after.lastMessage).toBe(`caught up: 7 occurrences since ${new Date(base + 19 * 300_000).toISOString()} were due; they ran once. 0 pair(s) checked, 0 drifted.`);
  });

  it("Run now refuses to overlap a run, and a run whose worker stopped is marked aborted", async () => {
    await resetDb();
    const schedule = await db.schedule.create({ data: { name: "held", kind: "drift-check", cron: "0 3 * * *", nextRunAt: null } });
    // a worker took it and died: its lease is still valid, then expires
    await db.schedule.update({ where: { id: schedule.id }, data: { leaseOwner: "worker:gone:1:dead", leaseUntil: new Date(Date.now() + 60_000), lastState: "RUNNING" } });
    const stuck = await db.scheduleRun.create({ data: { scheduleId: schedule.id, occurrence: new Date(Date.now() - 1000), owner: "worker:gone:1:dead" } });
    await expect(runScheduleNow(engine, schedule.id)).rejects.toThrow(/^held is running now/);
    await db.schedule.update({ where: { id: schedule.id }, data: { leaseUntil: new Date(Date.now() - 1) } });
    expect(await settleAbandoned(engine)).toBe(1);
    expect(await db.scheduleRun.findUniqueOrThrow({ where: { id: stuck.id } })).toMatchObject({ state: "ABORTED", message: expect.stringMatching(/^interrupted: the worker \(worker:gone:1:dead\) stopped renewing its lease/) });
    const outcome = await runScheduleNow(engine, schedule.id);
    expect(outcome).toMatchObject({ state: "SUCCESS", message: "0 pair(s) checked, 0 drifted." });
    expect(await db.schedule.findUniqueOrThrow({ where: { id: schedule.id } })).toMatchObject({ lastState: "SUCCESS", leaseOwner: null, nextRunAt: null });
  });

  it("an unknown kind or a missing server fails the run with its reason and frees the schedule", async () => {
    await resetDb();
    const odd = await db.schedule.create({ data: { name: "odd", kind: "nonsense", cron: "0 3 * * *" } });
    expect(await runScheduleNow(engine, odd.id)).toMatchObject({ state: "FAILURE", message: 'failed: unknown schedule kind "nonsense" (known: drift-check, sync, retention, renew-certificates, resource-monitors)' });
    const gone = await db.schedule.create({ data: { name: "gone", kind: "sync", cron: "0 3 * * *", params: { server: "nowhere" } } });
    expect(await runScheduleNow(engine, gone.id)).toMatchObject({ state: "FAILURE", message: "failed: server nowhere does not exist (any more)" });
    expect(await db.schedule.count({ where: { leaseOwner: { not: null } } })).toBe(0);
  });
});

describe("sync", () => {
  let host: SshHost;
  let executor: SshExecutor;
  beforeAll(async () => {
    const key = clientKey(path.join(os.tmpdir(), "orchestra-test-keys"));
    host = await startSshHost({ address: "127.0.0.7", port: 22271, clientKeyFile: key });
    executor = SshExecutor.fromKeyFile(key);
  });
  afterAll(async () => {
    await executor?.close();
    await host?.stop();
  });

  it("a sync schedule re-applies the sync-kind backends: a map file removed by hand is written again", async () => {
    await resetDb();
    const sshEngine = new Engine({ db, registry: createRegistry(), executor: () => executor });
    const map = path.join(host.sandbox, "nginx", "sites.map");
    const server = await db.server.create({ data: { name: "mapped", address: host.address, port: host.port, variables: { SITES_MAP_FILE: map } } });
    await db.route.create({ data: { backend: "websites-map", serverId: server.id } });
    await runUnitOfWork(sshEngine, await orchestrate(sshEngine, (tx) => tx.website.create({ data: { name: "alpha", domains: { create: [{ name: "alpha.test" }] } } })));
    expect(readFileSync(map, "utf8")).toContain("alpha.test alpha;");
    rmSync(map);
    const schedule = await db.schedule.create({ data: { name: "hourly sync", kind: "sync", cron: "0 * * * *", params: { server: "mapped" } } });
    expect(await runScheduleNow(sshEngine, schedule.id)).toMatchObject({ state: "SUCCESS", message: "websites-map on mapped: SUCCESS." });
    expect(readFileSync(map, "utf8")).toContain("alpha.test alpha;");
  });
});

describe("command line", () => {
  it("lists the schedules and runs one now", async () => {
    await resetDb();
    await db.schedule.create({ data: { name: "weekly cleanup", kind: "retention", cron: "0 4 * * 0", timeZone: "Europe/Paris", nextRunAt: new Date("2030-01-06T03:00:00Z") } });
    const cli = (...args: string[]) =>
      run(process.execPath, ["--import", "tsx", "bin/orchestrate.ts", ...args], { env: { ...process.env, DATABASE_URL: inject("databaseUrl") } }).then(
        (r) => ({ code: 0, out: r.stdout + r.stderr }),
        (e: { code: number; stdout: string; stderr: string }) => ({ code: e.code, out: e.stdout + e.stderr }),
      );
    const ran = await cli("--run-schedule", "weekly cleanup");
    expect(ran).toEqual({ code: 0, out: "SUCCESS  weekly cleanup: Deleted 0 log(s), 0 operation(s), 0 notification(s), 0 schedule run(s) older than 30 days; shortened 0 log(s) older than 7 days.\n" });
    const listed = await cli("--schedules");
    expect(listed.code).toBe(0);
    expect(listed.out).toMatch(/^weekly cleanup +retention +0 4 \* \* 0 Europe\/Paris +next 2030-01-06T03:00:00.000Z +last \S+ SUCCESS Deleted 0 log\(s\)/);
    expect(await cli("--run-schedule", "nope")).toMatchObject({ code: 2, out: expect.stringContaining("unknown schedule nope") });
  });
});

describe("two worker processes on PostgreSQL", () => {
  it.runIf(isPostgres(inject("databaseUrl")))(
    "a schedule every 2 seconds fires each occurrence exactly once; after a downtime it fires once, not once per missed occurrence",
    async () => {
      await resetDb();
      const env = { DATABASE_URL: inject("databaseUrl"), ORCHESTRA_LEASE_MS: "3000", ORCHESTRA_POLL_MS: "100" };
      const start = async () => {
        const workers = [spawnWorker(env), spawnWorker(env)];
        await waitFor("the workers to start", async () => workers.every((w) => w.output().includes("running")), 30_000);
        return workers;
      };
      let workers: WorkerProcess[] = await start();
      // (created once both workers run, so its first occurrence is not already a catch-up)
      const schedule = await db.schedule.create({ data: { name: "every-2s", kind: "drift-check", cron: "*/2 * * * * *", nextRunAt: nextOccurrence("*/2 * * * * *", "UTC", new Date()) } });
      let windowStart: number;
      let windowEnd: number;
      try {
        windowStart = Date.now();
        await new Promise((r) => setTimeout(r, 10_000));
        windowEnd = Date.now();
      } finally {
        await Promise.all(workers.map(stopWorker));
      }
      const runs = await db.scheduleRun.findMany({ where: { scheduleId: schedule.id }, orderBy: { occurrence: "asc" } });
      const owners = new Set(runs.map((r) => r.owner.split(":")[2]));
      console.log(`[schedules] ${runs.length} runs in ${windowEnd - windowStart} ms, fired by ${owners.size} worker process(es)`);
      // every occurrence from the first to the last, 2 s apart: none missing, none twice
      const times = runs.map((r) => r.occurrence.getTime());
      expect(new Set(times).size).toBe(times.length);
      expect(times.slice(1).map((t, i) => t - times[i])).toEqual(times.slice(1).map(() => 2000));
      const inWindow = times.filter((t) => t >= windowStart && t <= windowEnd - 1000);
      expect(inWindow.length).toBeGreaterThanOrEqual(4);
      expect(runs.every((r) => r.state === "SUCCESS" && r.trigger === "schedule")).toBe(true);
      // each fired before the next occurrence was due (workers fire on the database's clock, as they
      // measure it, so a run may also start a little before its occurrence by this machine's clock)
      const delays = runs.map((r) => r.startedAt.getTime() - r.occurrence.getTime());
      console.log(`[schedules] started ${delays.join(", ")} ms after their occurrences`);
      expect(delays.filter((d) => Math.abs(d) >= 2000)).toEqual([]);

      // downtime: no worker ran for an hour (1,800 occurrences were due)
      const missedFrom = new Date(Math.floor(Date.now() / 2000) * 2000 - 3_600_000);
      await db.schedule.update({ where: { id: schedule.id }, data: { nextRunAt: missedFrom } });
      const before = runs.length;
      const restart = Date.now();
      workers = await start();
      try {
        await waitFor("two runs after the restart", async () => (await db.scheduleRun.count({ where: { scheduleId: schedule.id } })) >= before + 2, 15_000);
      } finally {
        await Promise.all(workers.map(stopWorker));
      }
      const lastBefore = Math.max(...runs.map((r) => r.id));
      const after = await db.scheduleRun.findMany({ where: { scheduleId: schedule.id, id: { gt: lastBefore } }, orderBy: { occurrence: "asc" } });
      const catchUp = after.filter((r) => r.occurrence.getTime() < restart);
      expect(catchUp.map((r) => r.occurrence.toISOString())).toEqual([missedFrom.toISOString()]);
      expect(catchUp[0].message).toMatch(/^caught up: 18\d\d occurrences since .* were due; they ran once/);
      // then back to every 2 seconds from now on
      const next = after.filter((r) => r.occurrence.getTime() >= restart).map((r) => r.occurrence.getTime());
      expect(next.length).toBeGreaterThanOrEqual(1);
      expect(next.slice(1).map((t, i) => t - next[i])).toEqual(next.slice(1).map(() => 2000));
    },
    60_000,
  );
});
