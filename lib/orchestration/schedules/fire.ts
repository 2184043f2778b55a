// Fires schedules. Every worker looks for schedules whose `nextRunAt` is due and takes the occurrence
// with a compare-and-set: `nextRunAt` moves from the due occurrence to the first one after now, and the
// schedule's lease goes to the worker, in one conditional update. Only one worker's update can match
// the old `nextRunAt`, so each occurrence fires once however many workers share the database; the
// ScheduleRun row written in the same transaction has a unique (schedule, occurrence) key, which makes
// it checkable. Occurrences missed while no worker ran (downtime, or a run longer than the interval)
// fire once, not once each: the next occurrence is computed from now. The lease keeps one run of a
// schedule at a time and is renewed while it runs; a run whose worker died is marked ABORTED when its
// lease has expired, and the schedule goes on at its next occurrence.
import type { Schedule } from "../../../generated/sqlite/client";
import type { Engine } from "../engine";
import { describeOwner, leaseFree, leaseUntil, newOwner } from "../outbox";
import { OperatorError } from "../types";
import { nextOccurrence } from "./cron";
import { scheduleKind } from "./kinds";

export type RunState = "RUNNING" | "SUCCESS" | "FAILURE" | "ABORTED";
export type ScheduleOutcome = { scheduleId: number; runId: number; occurrence: Date; state: RunState; message: string };

/** The first occurrence after `after`, or null when the expression cannot be read or never fires. */
export function safeNext(schedule: Pick<Schedule, "cron" | "timeZone">, after: Date): Date | null {
  try {
    return nextOccurrence(schedule.cron, schedule.timeZone, after);
  } catch {
    return null;
  }
}

/** How many occurrences were due from `due` (itself included) to `now`, counted up to `cap`. */
function dueCount(schedule: Pick<Schedule, "cron" | "timeZone">, due: Date, now: Date, cap = 10_000): number {
  let count = 1;
  for (let at: Date | null = due; count <= cap; count++) {
    at = safeNext(schedule, at);
    if (!at || at > now) break;
  }
  return count;
}

/** Marks the runs of schedules whose lease expired while they ran (their worker stopped) ABORTED. */
export async function settleAbandoned(engine: Engine): Promise<number> {
  const now = engine.now();
  const stale = await engine.db.schedule.findMany({ where: { leaseOwner: { not: null }, leaseUntil: { lt: now } }, select: { id: true, leaseOwner: true, leaseUntil: true } });
  let settled = 0;
  for (const s of stale) {
    const message = `interrupted: ${describeOwner(s.leaseOwner)} stopped renewing its lease before the run ended`;
    const [runs] = await engine.db.$transaction([
      engine.db.scheduleRun.updateMany({ where: { scheduleId: s.id, owner: s.leaseOwner!, state: "RUNNING" }, data: { state: "ABORTED", message, finishedAt: now } }),
      engine.db.schedule.updateMany({ where: { id: s.id, leaseOwner: s.leaseOwner, leaseUntil: s.leaseUntil }, data: { leaseOwner: null, leaseUntil: null, lastState: "ABORTED", lastMessage: message } }),
    ]);
    settled += runs.count;
  }
  return settled;
}

/** Active schedules with a due occurrence and a free lease. */
export async function dueSchedules(engine: Engine, limit = 50): Promise<Schedule[]> {
  const now = engine.now();
  return engine.db.schedule.findMany({ where: { active: true, nextRunAt: { lte: now }, OR: leaseFree(now) }, orderBy: { nextRunAt: "asc" }, take: limit });
}

/**
 * Takes the schedule's due occurrence for `owner`: moves `nextRunAt` on and takes the lease if
 * `nextRunAt` is still the occurrence read (compare-and-set), and records the run. Null when another
 * worker took it first.
 */
export async function claimOccurrence(engine: Engine, schedule: Schedule, owner: string): Promise<{ runId: number; occurrence: Date } | null> {
  const due = schedule.nextRunAt;
  if (!due) return null;
  const now = engine.now();
  const next = safeNext(schedule, now);
  const missed = dueCount(schedule, due, now);
  try {
    return await engine.db.$transaction(async (tx) => {
      const { count } = await tx.schedule.updateMany({
        where: { id: schedule.id, active: true, nextRunAt: due, OR: leaseFree(now) },
        data: { nextRunAt: next, leaseOwner: owner, leaseUntil: leaseUntil(engine, now.getTime()), lastRunAt: now, lastState: "RUNNING", lastMessage: "" },
      });
      if (count !== 1) return null;
      const note = missed > 1 ? `caught up: ${missed > 10_000 ? "more than 10,000" : missed} occurrences since ${due.toISOString()} were due; they ran once` : "";
      const run = await tx.scheduleRun.create({ data: { scheduleId: schedule.id, occurrence: due, trigger: "schedule", owner, message: note }, select: { id: true } });
      return { runId: run.id, occurrence: due };
    });
  } catch (error) {
    // (schedule, occurrence) already has a run: it fired before (an edit set the same occurrence again)
    if ((error as { code?: string }).code === "P2002") return null;
    throw error;
  }
}

/** Runs a claimed occurrence (or a manual run) to its end and releases the schedule's lease. */
export async function executeRun(engine: Engine, scheduleId: number, run: { runId: number; occurrence: Date }, owner: string, userId?: number | null): Promise<ScheduleOutcome> {
  const db = engine.db;
  const renew = setInterval(() => {
    db.schedule.updateMany({ where: { id: scheduleId, leaseOwner: owner }, data: { leaseUntil: leaseUntil(engine) } }).catch(() => undefined);
  }, Math.max(250, Math.floor(engine.leaseMs / 3)));
  renew.unref();
  let state: RunState;
  let message: string;
  let result: Record<string, unknown> | undefined;
  try {
    const schedule = await db.schedule.findUniqueOrThrow({ where: { id: scheduleId } });
    const kind = scheduleKind(schedule.kind);
    const params = kind.params.parse(schedule.params ?? {});
    const outcome = await kind.run(engine, params, { scheduleName: schedule.name, userId });
    state = outcome.ok ? "SUCCESS" : "FAILURE";
    message = outcome.message;
    result = outcome.result;
  } catch (error) {
    state = "FAILURE";
    message = `failed: ${(error as Error).message.split("\n")[0]}`;
  } finally {
    clearInterval(renew);
  }
  const prior = await db.scheduleRun.findUnique({ where: { id: run.runId }, select: { message: true } });
  const full = [prior?.message, message].filter(Boolean).join(". ").slice(0, 4000);
  await db.$transaction([
    db.scheduleRun.updateMany({ where: { id: run.runId, state: "RUNNING" }, data: { state, message: full, result: result as object | undefined, finishedAt: engine.now() } }),
    db.schedule.updateMany({ where: { id: scheduleId, leaseOwner: owner }, data: { lastState: state, lastMessage: full, leaseOwner: null, leaseUntil: null } }),
  ]);
  return { scheduleId, runId: run.runId, occurrence: run.occurrence, state, message: full };
}

/** Claims every due occurrence it can and starts their runs; returns the runs (to await or not). */
export async function fireDue(engine: Engine, ownerOf: () => string = () => newOwner("worker")): Promise<Array<Promise<ScheduleOutcome>>> {
  await settleAbandoned(engine);
  const started: Array<Promise<ScheduleOutcome>> = [];
  for (const schedule of await dueSchedules(engine)) {
    const owner = ownerOf();
    const claimed = await claimOccurrence(engine, schedule, owner);
    if (claimed) started.push(executeRun(engine, schedule.id, claimed, owner));
  }
  return started;
}

/** "Run now": runs the schedule at once in the caller, unless a run of it is going on. */
export async function runScheduleNow(engine: Engine, scheduleId: number, userId?: number | null): Promise<ScheduleOutcome> {
  await settleAbandoned(engine);
  const owner = newOwner("request");
  const now = engine.now();
  const { count } = await engine.db.schedule.updateMany({
    where: { id: scheduleId, OR: leaseFree(now) },
    data: { leaseOwner: owner, leaseUntil: leaseUntil(engine, now.getTime()), lastRunAt: now, lastState: "RUNNING", lastMessage: "" },
  });
  if (count === 0) {
    const schedule = await engine.db.schedule.findUnique({ where: { id: scheduleId }, select: { name: true, lastRunAt: true } });
    if (!schedule) throw new OperatorError("This schedule no longer exists.");
    throw new OperatorError(`${schedule.name} is running now (since ${schedule.lastRunAt?.toISOString().slice(0, 19).replace("T", " ") ?? "a moment"} UTC): wait for it to finish.`);
  }
  let run;
  try {
    run = await engine.db.scheduleRun.create({ data: { scheduleId, occurrence: now, trigger: "manual", owner, createdById: userId ?? null }, select: { id: true } });
  } catch (error) {
    await engine.db.schedule.updateMany({ where: { id: scheduleId, leaseOwner: owner }, data: { leaseOwner: null, leaseUntil: null, lastState: null } });
    throw error;
  }
  return executeRun(engine, scheduleId, { runId: run.id, occurrence: now }, owner, userId);
}
