// Retention against the real database: a fixture of old and new, running and final, last-of-object
// logs and operations on two servers; exactly the rows that may go are gone (asserted by id), old long
// output is shortened to its head and tail, and AppliedState is untouched.
import { beforeEach, describe, expect, it } from "vitest";
import { applyRetention, truncateMiddle } from "../lib/orchestration/retention";
import { runScheduleNow } from "../lib/orchestration/schedules/fire";
import { resetDb, testDb } from "./db";
import { testEngine } from "./support/engine";

const db = testDb();
const engine = testEngine();
const DAY = 86_400_000;
const now = new Date();
const ago = (days: number) => new Date(now.getTime() - days * DAY);

let s1: number;
let s2: number;

async function op(serverId: number, objectId: string, state: string, at: Date) {
  const row = await db.operation.create({
    data: { unitOfWork: "fixture", backend: "system-users", action: "save", model: "SystemUser", objectId, objectLabel: `user${objectId}`, serverId, state, createdAt: at, updatedAt: at },
  });
  return row.id;
}

async function log(serverId: number, operationIds: number[], state: string, at: Date, extra: { method?: string; stdout?: string; stderr?: string; script?: string } = {}) {
  const row = await db.scriptLog.create({
    data: { backend: "system-users", serverId, state, createdAt: at, ...extra, operations: { create: operationIds.map((operationId) => ({ operationId })) } },
  });
  return row.id;
}

beforeEach(async () => {
  await resetDb();
  s1 = (await db.server.create({ data: { name: "ret-1", address: "127.0.0.1" } })).id;
  s2 = (await db.server.create({ data: { name: "ret-2", address: "127.0.0.1" } })).id;
});

describe("retention", () => {
  it("deletes old final history in batches, and nothing running, unfinished, last of its object, pointed to or applied", async () => {
    // object 1 on s1: two old runs → the older run and its operation go, the last stay
    const a1 = await op(s1, "1", "SUCCESS", ago(45));
    const la1 = await log(s1, [a1], "SUCCESS", ago(45));
    const a2 = await op(s1, "1", "SUCCESS", ago(40));
    const la2 = await log(s1, [a2], "SUCCESS", ago(40));
    // object 1 on s2 (another server): its only, old run stays
    const e1 = await op(s2, "1", "FAILURE", ago(40));
    const le1 = await log(s2, [e1], "FAILURE", ago(40));
    // object 2: an old failure, then a new success → the old pair goes
    const b1 = await op(s1, "2", "FAILURE", ago(35));
    const lb1 = await log(s1, [b1], "FAILURE", ago(35));
    const b2 = await op(s1, "2", "SUCCESS", ago(1));
    const lb2 = await log(s1, [b2], "SUCCESS", ago(1));
    // object 3: an old finished run, then an old run still going (its lease expired long ago, say)
    const d0 = await op(s1, "3", "SUCCESS", ago(50));
    const ld0 = await log(s1, [d0], "SUCCESS", ago(50));
    const d1 = await op(s1, "3", "RUNNING", ago(45));
    const ld1 = await log(s1, [d1], "STARTED", ago(45));
    // object 4: an old finished run, then an old operation still pending (no log yet)
    const c0 = await op(s1, "4", "SUCCESS", ago(60));
    const lc0 = await log(s1, [c0], "SUCCESS", ago(60));
    const c1 = await op(s1, "4", "PENDING", ago(59));
    // object 5: an old revoked operation that never ran, then a newer one
    const f0 = await op(s1, "5", "REVOKED", ago(33));
    const f1 = await op(s1, "5", "SUCCESS", ago(2));
    // object 6: a log received long ago and never started
    const g1 = await op(s1, "6", "PENDING", ago(31));
    const lg1 = await log(s1, [g1], "RECEIVED", ago(31));
    // object 7: an old log an unread notification points to (not the last of its object)
    const h0 = await op(s1, "7", "FAILURE", ago(44));
    const lh0 = await log(s1, [h0], "FAILURE", ago(44));
    const h1 = await op(s1, "7", "SUCCESS", ago(43));
    const lh1 = await log(s1, [h1], "SUCCESS", ago(43));
    // one old log carrying two objects: the last of object 9, not of object 8 → stays, with both
    const i0 = await op(s1, "8", "SUCCESS", ago(42));
    const j0 = await op(s1, "9", "SUCCESS", ago(42));
    const lij = await log(s1, [i0, j0], "SUCCESS", ago(42));
    const i1 = await op(s1, "8", "SUCCESS", ago(41));
    const li1 = await log(s1, [i1], "SUCCESS", ago(41));
    // drift checks of (s1, system-users): the older goes, the last stays
    const check0 = await log(s1, [], "SUCCESS", ago(39), { method: "check" });
    const check1 = await log(s1, [], "SUCCESS", ago(38), { method: "check" });
    // a retry of a log that goes keeps its own place
    const retry = await db.scriptLog.update({ where: { id: lb2 }, data: { retryOfId: lb1 } });

    // long output: old enough to be shortened (but not deleted), too new, and still running
    const big = `HEAD${"x".repeat(9000)}TAIL`;
    const k0 = await op(s1, "10", "SUCCESS", ago(10));
    const lk0 = await log(s1, [k0], "SUCCESS", ago(10), { stdout: big, stderr: "short", script: big });
    const m0 = await op(s1, "11", "SUCCESS", ago(3));
    const lm0 = await log(s1, [m0], "SUCCESS", ago(3), { stdout: big });
    const n0 = await op(s1, "12", "RUNNING", ago(10));
    const ln0 = await log(s1, [n0], "STARTED", ago(10), { stdout: big });

    const readOld = await db.notification.create({ data: { title: "read, old", createdAt: ago(40), readAt: ago(39) } });
    const unreadOld = await db.notification.create({ data: { title: "unread, old", createdAt: ago(40), scriptLogId: lh0, operationId: h0 } });
    const readNew = await db.notification.create({ data: { title: "read, new", createdAt: ago(2), readAt: ago(1) } });
    const applied = await db.appliedState.create({ data: { serverId: s1, backend: "system-users", model: "SystemUser", objectId: "1", hash: "h", operationId: a1, appliedAt: ago(45) } });

    const report = await applyRetention(engine, { maxAgeDays: 30, truncateAfterDays: 7, truncateChars: 2000, batchSize: 2, pauseMs: 0 }, now);

    const logs = (await db.scriptLog.findMany({ select: { id: true }, orderBy: { id: "asc" } })).map((l) => l.id);
    expect(logs).toEqual([la2, le1, lb2, ld1, lc0, lg1, lh0, lh1, lij, li1, check1, lk0, lm0, ln0].sort((a, b) => a - b));
    const gone = [la1, lb1, ld0, check0];
    expect(logs.filter((id) => gone.includes(id))).toEqual([]);

    const ops = (await db.operation.findMany({ select: { id: true }, orderBy: { id: "asc" } })).map((o) => o.id);
    expect(ops).toEqual([a2, e1, b2, d1, c0, c1, f1, g1, h0, h1, i0, j0, i1, k0, m0, n0].sort((a, b) => a - b));
    // a1 (its log went), b1, d0 (not last: d1 is), f0 (revoked, never ran, not last) are gone
    expect(ops.filter((id) => [a1, b1, d0, f0].includes(id))).toEqual([]);

    // the shared log keeps both of its operations; the retry no longer points at a deleted log
    expect((await db.scriptLogOperation.findMany({ where: { scriptLogId: lij } })).map((l) => l.operationId).sort()).toEqual([i0, j0].sort());
    expect((await db.scriptLog.findUniqueOrThrow({ where: { id: retry.id } })).retryOfId).toBeNull();

    // old long output keeps its head and tail within the limit; new and running output is untouched
    const shortened = await db.scriptLog.findUniqueOrThrow({ where: { id: lk0 } });
    expect(shortened.stdout.length).toBeLessThanOrEqual(2000);
    expect(shortened.stdout.startsWith("HEAD")).toBe(true);
    expect(shortened.stdout.endsWith("TAIL")).toBe(true);
    expect(shortened.stdout).toContain("characters of this old log were removed here");
    expect(shortened.script.length).toBeLessThanOrEqual(2000);
    expect(shortened.stderr).toBe("short");
    expect((await db.scriptLog.findUniqueOrThrow({ where: { id: lm0 } })).stdout).toBe(big);
    expect((await db.scriptLog.findUniqueOrThrow({ where: { id: ln0 } })).stdout).toBe(big);

    expect((await db.notification.findMany({ orderBy: { id: "asc" } })).map((n) => n.id)).toEqual([unreadOld.id, readNew.id]);
    expect(await db.notification.count({ where: { id: readOld.id } })).toBe(0);
    expect(await db.appliedState.findUniqueOrThrow({ where: { id: applied.id } })).toEqual(applied);

    expect(report).toEqual({ logsDeleted: 4, operationsDeleted: 4, logsTruncated: 1, notificationsDeleted: 1, scheduleRunsDeleted: 0, measurementsDeleted: 0 });

    // a second pass finds nothing more to do
    expect(await applyRetention(engine, { maxAgeDays: 30, truncateAfterDays: 7, truncateChars: 2000, batchSize: 2, pauseMs: 0 }, now)).toEqual({
      logsDeleted: 0,
      operationsDeleted: 0,
      logsTruncated: 0,
      notificationsDeleted: 0,
      scheduleRunsDeleted: 0,
      measurementsDeleted: 0,
    });
  });

  it("runs as a schedule with its params, reports its counts, and keeps each schedule's latest run", async () => {
    const schedule = await db.schedule.create({ data: { name: "cleanup", kind: "retention", cron: "0 4 * * *", params: { maxAgeDays: 10 }, nextRunAt: null } });
    const old = await db.scheduleRun.createManyAndReturn({
      data: [0, 1, 2].map((i) => ({ scheduleId: schedule.id, occurrence: ago(20 - i), owner: "fixture", state: "SUCCESS", startedAt: ago(20 - i), finishedAt: ago(20 - i) })),
    });
    const a = await op(s1, "1", "SUCCESS", ago(15));
    await log(s1, [a], "SUCCESS", ago(15));
    const b = await op(s1, "1", "SUCCESS", ago(12));
    const lb = await log(s1, [b], "SUCCESS", ago(12));

    const outcome = await runScheduleNow(engine, schedule.id);
    expect(outcome.state).toBe("SUCCESS");
    expect(outcome.message).toBe("Deleted 1 log(s), 1 operation(s), 0 notification(s), 2 schedule run(s) older than 10 days; shortened 0 log(s) older than 7 days.");
    expect((await db.scriptLog.findMany()).map((l) => l.id)).toEqual([lb]);
    const runs = await db.scheduleRun.findMany({ where: { scheduleId: schedule.id }, orderBy: { id: "asc" } });
    // the newest old run stays (each schedule keeps its latest finished one), and this run is recorded
    expect(runs.map((r) => r.id)).toEqual([old[2].id, outcome.runId]);
    expect(runs[1]).toMatchObject({ trigger: "manual", state: "SUCCESS", result: { logsDeleted: 1, operationsDeleted: 1 } });
    const after = await db.schedule.findUniqueOrThrow({ where: { id: schedule.id } });
    expect(after).toMatchObject({ lastState: "SUCCESS", leaseOwner: null, lastMessage: outcome.message });
  });

  it("shortens text to its head and tail within the limit", () => {
    const text = `${"a".repeat(5000)}${"b".repeat(5000)}`;
    const short = truncateMiddle(text, 1024);
    expect(short.length).toBeLessThanOrEqual(1024);
    expect(short.startsWith("aaa")).toBe(true);
    expect(short.endsWith("bbb")).toBe(true);
    expect(truncateMiddle("small", 1024)).toBe("small");
  });
});
