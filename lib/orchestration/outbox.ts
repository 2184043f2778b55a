// The outbox: the one module that changes Operation and ScriptLog state outside a script's own run
// (runner.ts records a run's result). Every transition is here — claim, heartbeat, release, retry
// policy, revoke, cancel, recover — with one lease helper and one owner format.
//
// Lanes. A lane is one (server, backend). Its task scripts run one at a time, in commit order: whoever
// runs a script of a lane first takes the lane's lease (a conditional update of its Lane row), then
// claims the lane's runnable operations, renders one script and runs it. Within a lane, an operation
// waits for every earlier unfinished operation that shares one of its identities — what the server
// knows the object by (a username, a site's file name), so a deleted and re-created object with a new
// id still runs after the old one's pending work. Different lanes run in parallel.
//
// Owners are "<kind>:<host>:<pid>:<tag>": uow (a unit of work holding the operations it wrote until it
// runs them), request (a save running its operations now), worker, retry. Leases last ENGINE.leaseMs
// and are renewed by a heartbeat while their owner works; an owner that stops lets them expire.
import { randomUUID } from "node:crypto";
import { hostname } from "node:os";
import type { Backend } from "./backend";
import type { Engine } from "./engine";
import { runKey } from "./executors/supervisor";
import { notifyFailure, notifyUnreachable } from "./notify";
import type { RunMarker } from "./executors/types";
import { groupOperation, runGroup, type RunOptions, type RunReport } from "./runner";
import { maskReadBack, renderScript } from "./script";
import { recordApplied, type RunContext } from "./convergence";
import { ACTIONS, OperatorError, serverInfo, type PendingOperation, type ServerInfo } from "./types";

export const OWNER_KINDS = ["uow", "request", "worker", "retry"] as const;
export type OwnerKind = (typeof OWNER_KINDS)[number];

export function newOwner(kind: OwnerKind, tag: string = randomUUID().slice(0, 8)): string {
  return `${kind}:${hostname()}:${process.pid}:${tag}`;
}

/** Who an owner was, in words for a log ("the worker worker:web1:4242:ab12cd34"). */
export function describeOwner(owner: string | null | undefined): string {
  if (!owner) return "nobody";
  const kind = owner.split(":")[0];
  const what = kind === "uow" || kind === "request" ? "the request that saved it" : kind === "retry" ? "the retry request" : kind === "worker" ? "the worker" : "its owner";
  return `${what} (${owner})`;
}

export function leaseUntil(engine: Engine, from = engine.now().getTime()): Date {
  return new Date(from + engine.leaseMs);
}

/** The identities of an operation on its server, one per line: the object's before and after names. */
export function identityOf(backend: Backend | undefined, operation: Pick<PendingOperation, "model" | "objectId" | "before" | "after">): string {
  const names = new Set<string>();
  for (const snapshot of [operation.before, operation.after]) {
    if (!snapshot) continue;
    const name = backend?.identity?.(snapshot);
    if (name) names.add(`${operation.model}:${name}`);
  }
  names.add(`${operation.model}#${operation.objectId}`);
  return [...names].join("\n");
}

const isIdToken = (token: string) => /^[A-Za-z0-9_]+#/.test(token);

/**
 * Whether a later operation makes an earlier one's outcome moot on the server: it is about the same
 * object, or it covers every name the earlier one touched (a new object that took a deleted one's
 * name). Sharing only one name is not enough (a failed rename foo → bar is not settled by a new foo).
 */
export function covers(later: string, earlier: string): boolean {
  const names = new Set(later.split("\n"));
  const tokens = earlier.split("\n");
  return tokens.some((t) => isIdToken(t) && names.has(t)) || tokens.filter((t) => !isIdToken(t)).every((t) => names.has(t)) && tokens.some((t) => !isIdToken(t));
}

// ——— leases ———

/** Conditions under which an operation's lease is free to take at `now`: nobody holds it, or it expired. */
export function leaseFree(now: Date) {
  return [{ leaseOwner: null }, { leaseUntil: null }, { leaseUntil: { lt: now } }];
}

/** Takes the lane's lease if it is free, expired or already ours. */
export async function acquireLane(engine: Engine, serverId: number, backend: string, owner: string): Promise<boolean> {
  const now = engine.now();
  const where = { serverId, backend, OR: [{ owner: null }, { leaseUntil: null }, { leaseUntil: { lt: now } }, { owner }] };
  const { count } = await engine.db.lane.updateMany({ where, data: { owner, leaseUntil: leaseUntil(engine) } });
  if (count === 1) return true;
  if (await engine.db.lane.findUnique({ where: { serverId_backend: { serverId, backend } }, select: { serverId: true } })) return false;
  try {
    await engine.db.lane.create({ data: { serverId, backend, owner, leaseUntil: leaseUntil(engine) } });
    return true;
  } catch {
    return false; // someone else created it first
  }
}

/** Waits up to `waitMs` for the lane. */
export async function waitForLane(engine: Engine, serverId: number, backend: string, owner: string, waitMs: number): Promise<boolean> {
  const deadline = Date.now() + waitMs;
  for (let pause = 20; ; pause = Math.min(pause * 2, 250)) {
    if (await acquireLane(engine, serverId, backend, owner)) return true;
    if (Date.now() + pause > deadline) return false;
    await new Promise((r) => setTimeout(r, pause));
  }
}

export async function releaseLane(engine: Engine, serverId: number, backend: string, owner: string): Promise<void> {
  await engine.db.lane.updateMany({ where: { serverId, backend, owner }, data: { owner: null, leaseUntil: null } });
}

/**
 * Keeps `owner`'s leases (lanes and operations) alive while it works. `lost` aborts (reason "lease")
 * when the owner can no longer be sure it holds its lane: a renewal found the lane taken over, or no
 * renewal succeeded for a whole lease (the database was out of reach). Whatever runs stops then.
 */
export function heartbeat(engine: Engine, owner: string, holdsLane = true): { stop(): void; lost: AbortSignal } {
  const controller = new AbortController();
  let renewedAt = Date.now();
  const renew = () => {
    const until = leaseUntil(engine);
    const attempt = Date.now();
    Promise.all([
      engine.db.operation.updateMany({ where: { leaseOwner: owner, state: { in: ["PENDING", "RUNNING"] } }, data: { leaseUntil: until } }),
      engine.db.lane.updateMany({ where: { owner }, data: { leaseUntil: until } }),
    ])
      .then(([, lanes]) => {
        if (holdsLane && lanes.count === 0) controller.abort("lease");
        else renewedAt = attempt;
      })
      .catch(() => {
        if (Date.now() - renewedAt >= engine.leaseMs) controller.abort("lease");
      });
  };
  const timer = setInterval(renew, Math.max(250, Math.floor(engine.leaseMs / 3)));
  timer.unref();
  return { stop: () => clearInterval(timer), lost: controller.signal };
}

/** Hands operations held by `holders` (a unit of work that did not run them) to the worker. */
export async function releaseHeld(engine: Engine, holders: string | readonly string[]): Promise<void> {
  const leaseOwner = typeof holders === "string" ? holders : { in: [...holders] };
  await engine.db.operation.updateMany({ where: { leaseOwner, state: "PENDING" }, data: { leaseOwner: null, leaseUntil: null } });
}

// ——— what a lane may run now ———

type LaneRow = { id: number; identity: string; state: string; runAfter: Date; leaseOwner: string | null; leaseUntil: Date | null };

/** The lane's operations that may run now, in commit order (the lane must be held by `owner`). */
export async function runnableInLane(engine: Engine, serverId: number, backend: string, owner: string, options: { only?: readonly number[]; heldBy?: string } = {}): Promise<number[]> {
  const rows: LaneRow[] = await engine.db.operation.findMany({
    where: { serverId, backend, state: { in: ["PENDING", "RUNNING"] } },
    select: { id: true, identity: true, state: true, runAfter: true, leaseOwner: true, leaseUntil: true },
    orderBy: { id: "asc" },
  });
  const now = engine.now();
  const only = options.only ? new Set(options.only) : null;
  // Work held for this run (a unit of work's or a retry's own operations) runs now; free work runs once
  // due. (`runAfter` is a retry's backoff: held work never has one to wait for, and comparing its
  // creation time with a clock whose offset was re-measured since could hold it back by milliseconds.)
  const held = (op: LaneRow) => op.leaseOwner !== null && (op.leaseOwner === owner || op.leaseOwner === options.heldBy);
  const free = (op: LaneRow) => !op.leaseOwner || !op.leaseUntil || op.leaseUntil < now;
  const runnable = (op: LaneRow) => op.state === "PENDING" && (held(op) || (free(op) && op.runAfter <= now)) && (!only || only.has(op.id));
  const kind = engine.registry.has(backend) ? engine.registry.get(backend).kind : "task";
  // A sync-kind backend renders the whole configuration: any queued changes are served by one run.
  if (kind === "sync") return rows.filter(runnable).map((r) => r.id);
  const limit = engine.maxOperationsPerScript;
  const blocked = new Set<string>();
  const out: number[] = [];
  for (const op of rows) {
    const names = op.identity ? op.identity.split("\n") : [`#${op.id}`];
    if (!runnable(op) || names.some((n) => blocked.has(n))) {
      names.forEach((n) => blocked.add(n)); // everything after it on the same object waits too
      continue;
    }
    out.push(op.id);
    if (out.length >= limit) break; // the rest makes the lane's next script
  }
  return out;
}

/** Leases the given pending operations to `owner` (free ones, expired ones, or those `heldBy` holds). */
export async function claim(engine: Engine, ids: readonly number[], owner: string, heldBy?: string): Promise<number[]> {
  if (ids.length === 0) return [];
  const now = engine.now();
  const taken = await engine.db.operation.updateManyAndReturn({
    where: {
      id: { in: [...ids] },
      state: "PENDING",
      OR: [...leaseFree(now), { leaseOwner: owner }, ...(heldBy ? [{ leaseOwner: heldBy }] : [])],
    },
    data: { leaseOwner: owner, leaseUntil: leaseUntil(engine) },
    select: { id: true },
  });
  return taken.map((m) => m.id).sort((a, b) => a - b);
}

// ——— after a run ———

/**
 * What happens to operations whose run failed. The synchronous path retries only runs that never
 * started (unreachable server: the worker picks them up later); the worker retries every failure with
 * exponential backoff. A cancelled run is not retried by itself. Once out of attempts an operation
 * stays FAILURE and admins are notified.
 */
export type RetryPolicy = { retryFailures: boolean; maxAttempts: number; backoffMs: number };
export const SYNC_POLICY: RetryPolicy = { retryFailures: false, maxAttempts: 5, backoffMs: 10_000 };
export const WORKER_POLICY: RetryPolicy = { retryFailures: true, maxAttempts: 5, backoffMs: 5_000 };

export async function afterRun(engine: Engine, report: RunReport, policy: RetryPolicy, ran?: RunContext): Promise<void> {
  // (whoever settled an overtaken run's operations did this for them)
  if (report.overtaken) return;
  if (report.state === "SUCCESS" || report.state === "NOTHING") {
    // (a run that succeeded held its operations to the end: a lost lease aborts the run)
    await recordApplied(engine, report, report.state === "SUCCESS" ? ran : undefined);
    await supersedeFailures(engine, report.serverId, report.backend, report.operationIds);
    return;
  }
  if (report.state === "CANCELLED") return;
  if (report.state === "UNREACHABLE") await notifyUnreachable(engine, report);
  if (!policy.retryFailures && !report.notStarted) return;
  const ops = await engine.db.operation.findMany({ where: { id: { in: report.operationIds }, state: "FAILURE" }, select: { id: true, attempts: true, objectLabel: true } });
  for (const op of ops) {
    if (op.attempts < policy.maxAttempts) {
      const delay = policy.backoffMs * 2 ** Math.max(0, op.attempts - 1);
      await engine.db.operation.updateMany({ where: { id: op.id, state: "FAILURE" }, data: { state: "PENDING", runAfter: new Date(engine.now().getTime() + delay), leaseOwner: null, leaseUntil: null } });
    } else {
      await notifyFailure(engine, report, op);
    }
  }
}

/**
 * Earlier failures on the same server objects are moot once a later operation on them succeeded. A
 * sync-kind backend renders the server's whole configuration from the current objects: its successful
 * run applied every object of the lane, so every earlier failure of the lane is moot.
 */
export async function supersedeFailures(engine: Engine, serverId: number, backend: string, succeededIds: readonly number[]): Promise<void> {
  if (succeededIds.length === 0) return;
  // Only saves and deletes settle what a server holds: a command (expire a password) is not made moot
  // by a later save, nor does it settle an earlier failed save.
  // (the lane's failures first: usually there are none, and then nothing else is read)
  const failed = await engine.db.operation.findMany({ where: { serverId, backend, state: "FAILURE", id: { lt: Math.max(...succeededIds) }, action: { in: [...ACTIONS] } }, select: { id: true, identity: true } });
  if (failed.length === 0) return;
  const done = await engine.db.operation.findMany({ where: { id: { in: [...succeededIds] }, state: "SUCCESS", action: { in: [...ACTIONS] } }, select: { id: true, identity: true } });
  if (done.length === 0) return;
  const last = Math.max(...done.map((d) => d.id));
  const wholeConfiguration = engine.registry.has(backend) && engine.registry.get(backend).kind === "sync";
  const moot = failed.filter((f) => f.id < last && (wholeConfiguration || done.some((d) => d.id > f.id && covers(d.identity, f.identity)))).map((f) => f.id);
  if (moot.length) await engine.db.operation.updateMany({ where: { id: { in: moot }, state: "FAILURE" }, data: { state: "SUPERSEDED" } });
}

// ——— recovery ———

/**
 * Settles the lane's runs whose owner stopped (lease expired while RUNNING). The server is asked first:
 * a run that finished there is recorded with its real exit code and output and not run again; one that
 * is still running keeps the lane busy (and is killed once past the script timeout); one that never
 * finished is recorded as interrupted, with who stopped, and its operations run again. A cancel
 * requested meanwhile is honoured. Returns false while the lane cannot be used yet.
 */
export async function recoverLane(engine: Engine, serverId: number, backend: string, options: { sweep?: boolean } = {}): Promise<boolean> {
  const now = engine.now();
  // A log created but never started (its owner stopped in between) is closed; its operations were
  // never RUNNING, their lease expires and they run again. (Swept by the worker: a save need not pay
  // for it.)
  if (options.sweep) await engine.db.scriptLog.updateMany({
    where: { serverId, backend, state: "RECEIVED", createdAt: { lt: new Date(now.getTime() - engine.leaseMs) }, operations: { none: { operation: { state: "RUNNING" } } } },
    data: { state: "ABORTED", finishedAt: now, stderr: "[orchestra] interrupted before it started: its owner stopped; its operations run again\n" },
  });
  const stale = await engine.db.operation.findMany({
    where: { serverId, backend, state: "RUNNING", OR: [{ leaseUntil: null }, { leaseUntil: { lt: now } }] },
    orderBy: { id: "asc" },
  });
  if (stale.length === 0) return true;
  const backoff = engine.recoveryBackoff.get(`${serverId}\u0000${backend}`);
  if (backoff && backoff > Date.now()) return false;

  const links = await engine.db.scriptLogOperation.findMany({
    where: { operationId: { in: stale.map((o) => o.id) }, scriptLog: { state: { in: ["RECEIVED", "STARTED"] } } },
    include: { scriptLog: true },
  });
  const logs = new Map<number, { log: (typeof links)[number]["scriptLog"]; ops: typeof stale }>();
  for (const link of links) {
    const entry = logs.get(link.scriptLogId) ?? { log: link.scriptLog, ops: [] };
    entry.ops.push(stale.find((o) => o.id === link.operationId)!);
    logs.set(link.scriptLogId, entry);
  }
  const orphans = stale.filter((o) => !links.some((l) => l.operationId === o.id)).map((o) => o.id);
  if (orphans.length) await requeue(engine, orphans, now);
  if (logs.size === 0) return true;

  const server = serverInfo(await engine.db.server.findUniqueOrThrow({ where: { id: serverId } }));
  const supervised = [...logs.values()].filter(({ log }) => log.state === "STARTED" && log.method === "ssh");
  let markers = new Map<string, RunMarker>();
  let unreachable: string | null = null;
  if (supervised.length && engine.executor.probe) {
    try {
      markers = await engine.executor.probe(server, supervised.map(({ log }) => runKey(log.id, log.createdAt)));
    } catch (error) {
      unreachable = (error as Error).message;
    }
  }
  // Operations become RUNNING only with a STARTED log: a RECEIVED log beside one (left by an owner that
  // stopped before starting it, an earlier attempt) is closed, and the STARTED log decides for them.
  const started = new Set([...logs.values()].filter(({ log }) => log.state === "STARTED").flatMap(({ ops }) => ops.map((o) => o.id)));
  let clear = true;
  for (const { log, ops } of logs.values()) {
    const key = runKey(log.id, log.createdAt);
    const who = describeOwner(ops[0]?.leaseOwner);
    const ids = ops.map((o) => o.id);
    if (log.state === "RECEIVED") {
      const own = ids.filter((id) => !started.has(id));
      await settle(engine, log.id, own, { state: "ABORTED", exitCode: null, stdout: log.stdout, stderr: `${log.stderr}[orchestra] interrupted before it started: ${who} stopped${own.length ? "; its operations run again" : ""}\n` }, "requeue", now);
      continue;
    }
    const mask = secretsMask(engine, backend, server, ops);
    const marker: RunMarker = markers.get(key) ?? { status: "unknown" };
    const output = "stdout" in marker ? { stdout: mask(marker.stdout), stderr: mask(marker.stderr) } : { stdout: log.stdout, stderr: log.stderr };
    const note = (text: string) => `${output.stderr}${output.stderr && !output.stderr.endsWith("\n") ? "\n" : ""}[orchestra] ${text}\n`;
    const overdue = log.startedAt !== null && now.getTime() - log.startedAt.getTime() > engine.scriptTimeoutMs;

    if (unreachable && log.state === "STARTED" && log.method === "ssh" && !log.cancelRequestedAt) {
      // The server cannot be asked: its run may still go on. Wait (with a backoff), then give up on
      // knowing: after twice the script timeout the run is recorded as unknown and runs again (the
      // lane lock on the server still keeps two runs from overlapping there).
      if (!log.startedAt || now.getTime() - log.startedAt.getTime() < 2 * engine.scriptTimeoutMs) {
        engine.recoveryBackoff.set(`${serverId}\u0000${backend}`, Date.now() + Math.min(60_000, Math.max(engine.pollMs, 5000)));
        clear = false;
        continue;
      }
      await settle(engine, log.id, ids, { state: "ABORTED", exitCode: null, stdout: output.stdout, stderr: note(`result unknown: ${who} stopped and the server could not be asked (${unreachable}); its operations run again`) }, "requeue", now);
      continue;
    }
    if (marker.status === "running" && !log.cancelRequestedAt && !overdue) {
      clear = false;
      continue;
    }
    if (marker.status === "running") {
      // Cancelled, or past its timeout, while its owner is gone: stop it on the server now.
      try {
        await engine.executor.kill?.(server, key);
      } catch {
        clear = false;
        continue;
      }
    }
    if (log.cancelRequestedAt && marker.status !== "finished") {
      await settle(engine, log.id, ids, { state: "CANCELLED", exitCode: null, stdout: output.stdout, stderr: note(`cancelled by an operator; ${who} stopped before recording it`) }, "fail", now);
      continue;
    }
    if (marker.status === "running") {
      await settle(engine, log.id, ids, { state: "TIMEOUT", exitCode: null, stdout: output.stdout, stderr: note(`still running after ${engine.scriptTimeoutMs} ms while ${who} was gone: its processes on the server were killed`) }, "fail", now);
      await afterRun(engine, { logId: log.id, server: server.name, serverId, backend, state: "TIMEOUT", exitCode: null, operations: [], operationIds: ids }, WORKER_POLICY);
      continue;
    }
    if (marker.status === "finished") {
      const state = marker.exitCode === 0 ? "SUCCESS" : "FAILURE";
      await settle(engine, log.id, ids, { state, exitCode: marker.exitCode, stdout: output.stdout, stderr: note(`recovered: ${who} stopped before recording the result; the server's run marker says the script finished with exit code ${marker.exitCode}. It was not run again.`) }, state === "SUCCESS" ? "succeed" : "fail", now);
      await afterRun(engine, { logId: log.id, server: server.name, serverId, backend, state, exitCode: marker.exitCode, operations: [], operationIds: ids }, WORKER_POLICY);
      continue;
    }
    const what = marker.status === "killed" ? "it was stopped on the server" : "the server has no record of it finishing";
    await settle(engine, log.id, ids, { state: "ABORTED", exitCode: null, stdout: output.stdout, stderr: note(`interrupted: ${who} stopped renewing its lease (the process stopped or lost the database) and ${what}; its operations run again`) }, "requeue", now);
  }
  if (clear) engine.recoveryBackoff.delete(`${serverId}\u0000${backend}`);
  return clear;
}

/** Closes a log that recovery settled, and moves its operations on (fenced: only if still RUNNING). */
async function settle(
  engine: Engine,
  logId: number,
  ids: number[],
  log: { state: string; exitCode: number | null; stdout: string; stderr: string },
  ops: "succeed" | "fail" | "requeue",
  now: Date,
) {
  await engine.db.$transaction([
    engine.db.scriptLog.updateMany({ where: { id: logId, state: { in: ["RECEIVED", "STARTED"] } }, data: { ...log, finishedAt: now } }),
    engine.db.operation.updateMany({
      where: { id: { in: ids }, state: "RUNNING" },
      data: ops === "requeue" ? { state: "PENDING", leaseOwner: null, leaseUntil: null, runAfter: now } : { state: ops === "succeed" ? "SUCCESS" : "FAILURE", leaseOwner: null, leaseUntil: null },
    }),
  ]);
}

/** Masks the secrets a run's script held in output read back from the server (re-rendered to know them). */
function secretsMask(engine: Engine, backend: string, server: ServerInfo, ops: ReadonlyArray<Parameters<typeof groupOperation>[0]>): (text: string) => string {
  try {
    const { secrets } = renderScript(engine.registry.get(backend), server, ops.map(groupOperation));
    return (text) => maskReadBack(text, secrets);
  } catch {
    return () => "(output not shown: the script could not be rendered again to mask its secrets)";
  }
}

async function requeue(engine: Engine, ids: number[], now: Date) {
  await engine.db.operation.updateMany({ where: { id: { in: ids }, state: "RUNNING" }, data: { state: "PENDING", leaseOwner: null, leaseUntil: null, runAfter: now } });
}

// ——— running a lane ———

export type LaneOptions = Omit<RunOptions, "owner"> & {
  owner: string;
  policy: RetryPolicy;
  /** Only these operations (the synchronous path and retries); otherwise all that are due. */
  only?: readonly number[];
  /** The lease holder of `only` (the unit of work that wrote them). */
  heldBy?: string;
  /** How long to wait for a lane another owner holds; 0 = do not wait. */
  waitMs?: number;
  /** Keep running the lane's new work until none is left (the worker). */
  drain?: boolean;
  /** Once aborted, the lane takes no further script (a worker shutting down). */
  stopDraining?: AbortSignal;
  /** Crash drills: called once the operations are claimed. */
  afterClaim?: () => void;
};

/** Takes the lane, settles its interrupted runs, and runs its runnable operations one script at a time. */
export async function runLane(engine: Engine, serverId: number, backend: string, options: LaneOptions): Promise<RunReport[]> {
  const { owner } = options;
  await engine.syncClock();
  const acquired = options.waitMs ? await waitForLane(engine, serverId, backend, owner, options.waitMs) : await acquireLane(engine, serverId, backend, owner);
  if (!acquired) return [];
  const beat = heartbeat(engine, owner);
  const reports: RunReport[] = [];
  try {
    if (!(await recoverLane(engine, serverId, backend, { sweep: options.drain }))) return reports;
    for (let round = 0; ; round++) {
      // Still ours? (a stall longer than the lease may have handed the lane to someone else; the first
      // round follows the acquisition itself)
      if (beat.lost.aborted || (round > 0 && !(await acquireLane(engine, serverId, backend, owner)))) break;
      const ids = await runnableInLane(engine, serverId, backend, owner, { only: options.only, heldBy: options.heldBy });
      const claimed = await claim(engine, ids, owner, options.heldBy);
      if (claimed.length === 0) break;
      options.afterClaim?.();
      // (read per run: a drained lane renders each script with the server's variables of that moment)
      const [server, rows] = await Promise.all([
        engine.db.server.findUniqueOrThrow({ where: { id: serverId } }),
        engine.db.operation.findMany({ where: { id: { in: claimed } }, orderBy: { id: "asc" } }),
      ]);
      const signal = options.signal ? AbortSignal.any([options.signal, beat.lost]) : beat.lost;
      const run = () => runGroup(engine, server, backend, rows.map(groupOperation), { ...options, owner, signal });
      const report = engine.registry.has(backend) && engine.registry.get(backend).serialize ? await serialized(engine, backend, run) : await run();
      await afterRun(engine, report, options.policy, { server, operations: rows });
      reports.push(report);
      if (report.overtaken || !options.drain || options.only || options.stopDraining?.aborted) break;
    }
  } finally {
    beat.stop();
    await releaseLane(engine, serverId, backend, owner).catch(() => undefined);
  }
  return reports;
}

async function serialized<T>(engine: Engine, name: string, fn: () => Promise<T>): Promise<T> {
  const queues = engine.serialQueues;
  const previous = queues.get(name) ?? Promise.resolve();
  const next = previous.catch(() => undefined).then(fn);
  queues.set(name, next);
  try {
    return await next;
  } finally {
    if (queues.get(name) === next) queues.delete(name);
  }
}

/** Lanes with work for a worker: due pending operations nobody holds, or runs whose owner stopped. */
export async function lanesWithWork(engine: Engine, limit = 1000): Promise<Array<{ serverId: number; backend: string }>> {
  const now = engine.now();
  const rows = await engine.db.operation.groupBy({
    by: ["serverId", "backend"],
    where: {
      OR: [
        { state: "PENDING", runAfter: { lte: now }, OR: leaseFree(now) },
        { state: "RUNNING", OR: [{ leaseUntil: null }, { leaseUntil: { lt: now } }] },
      ],
    },
    orderBy: [{ serverId: "asc" }, { backend: "asc" }],
    take: limit,
  });
  return rows.map((r) => ({ serverId: r.serverId, backend: r.backend }));
}

// ——— operator actions ———

/** Withdraws work that has not run: pending (not being run right now) or failed operations. */
export async function revokeOperations(engine: Engine, operationIds: readonly number[]): Promise<number> {
  const now = engine.now();
  const { count } = await engine.db.operation.updateMany({
    where: { id: { in: [...operationIds] }, OR: [{ state: "FAILURE" }, { state: "PENDING", OR: leaseFree(now) }] },
    data: { state: "REVOKED", leaseOwner: null, leaseUntil: null },
  });
  await engine.db.scriptLog.updateMany({
    where: { state: "RECEIVED", operations: { every: { operation: { state: "REVOKED" } } }, NOT: { operations: { none: {} } } },
    data: { state: "REVOKED", finishedAt: now },
  });
  return count;
}

/**
 * Cancels a running script: flags the log (the process running it sees the flag within a second and
 * records CANCELLED) and kills its process group on the server at once, whoever runs it.
 */
export async function cancelLog(engine: Engine, logId: number): Promise<void> {
  const log = await engine.db.scriptLog.findUnique({ where: { id: logId }, include: { server: true } });
  if (!log) throw new OperatorError(`script log #${logId} does not exist`);
  if (log.state !== "STARTED" && log.state !== "RECEIVED") throw new OperatorError(`script log #${logId} is not running (${log.state})`);
  await engine.db.scriptLog.updateMany({ where: { id: logId, state: { in: ["RECEIVED", "STARTED"] } }, data: { cancelRequestedAt: engine.now() } });
  if (log.method === "ssh" && log.state === "STARTED" && engine.executor.kill) {
    try {
      await engine.executor.kill(serverInfo(log.server), runKey(log.id, log.createdAt));
    } catch (error) {
      throw new OperatorError(`Cancel requested: the run stops as soon as its owner sees it, but stopping it on ${log.server.name} right now failed (${(error as Error).message}).`);
    }
  }
}
