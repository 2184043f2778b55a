// Runs committed operations: grouped into one script per (server, backend) in first-seen order;
// servers in parallel, the scripts of one server one after another; a `serialize` backend one script
// at a time across all servers.
import { claim, heartbeat, inCommitOrder } from "./claims";
import type { Engine } from "./engine";
import { notifyFailure } from "./notify";
import { ownerOf } from "./unit-of-work";
import { groupOperation, runGroup, type GroupOperation, type RunOptions, type RunReport } from "./runner";

/**
 * What happens to operations whose run failed. The synchronous path retries only runs that never
 * started (unreachable server: the worker picks them up later); the worker retries every failure with
 * exponential backoff. Once out of attempts they stay FAILURE and admins are notified.
 */
export type RetryPolicy = { retryFailures: boolean; maxAttempts: number; backoffMs: number };
export const SYNC_POLICY: RetryPolicy = { retryFailures: false, maxAttempts: 5, backoffMs: 10_000 };

async function applyRetryPolicy(engine: Engine, report: RunReport, policy: RetryPolicy) {
  if (report.state === "SUCCESS" || report.state === "NOTHING") return;
  if (!policy.retryFailures && !report.notStarted) return;
  const ops = await engine.db.operation.findMany({ where: { id: { in: report.operationIds }, state: "FAILURE" }, select: { id: true, attempts: true, objectLabel: true } });
  for (const op of ops) {
    if (op.attempts < policy.maxAttempts) {
      const delay = policy.backoffMs * 2 ** Math.max(0, op.attempts - 1);
      await engine.db.operation.updateMany({ where: { id: op.id, state: "FAILURE" }, data: { state: "PENDING", runAfter: new Date(Date.now() + delay), leaseOwner: null, leaseUntil: null } });
    } else {
      await notifyFailure(engine, report, op);
    }
  }
}

type OperationWithServer = Parameters<typeof groupOperation>[0] & {
  serverId: number;
  server: Parameters<typeof runGroup>[1];
};

export type Group = { server: OperationWithServer["server"]; backend: string; operations: GroupOperation[] };

/** Groups operations per (server, backend), keeping the order in which they were committed. */
export function groupOperations(rows: readonly OperationWithServer[]): Group[] {
  const groups = new Map<string, Group>();
  for (const row of [...rows].sort((a, b) => a.id - b.id)) {
    const key = `${row.serverId}\u0000${row.backend}`;
    let group = groups.get(key);
    if (!group) groups.set(key, (group = { server: row.server, backend: row.backend, operations: [] }));
    group.operations.push(groupOperation(row));
  }
  return [...groups.values()];
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

export async function runGroups(engine: Engine, groups: readonly Group[], options: RunOptions & { policy?: RetryPolicy } = {}): Promise<RunReport[]> {
  const policy = options.policy ?? SYNC_POLICY;
  const byServer = new Map<number, Group[]>();
  for (const group of groups) byServer.set(group.server.id, [...(byServer.get(group.server.id) ?? []), group]);
  const perServer = await Promise.all(
    [...byServer.values()].map(async (serverGroups) => {
      const reports: RunReport[] = [];
      for (const group of serverGroups) {
        const backend = engine.registry.get(group.backend);
        const run = () => runGroup(engine, group.server, group.backend, group.operations, options);
        const report = await (backend.serialize ? serialized(engine, backend.name, run) : run());
        await applyRetryPolicy(engine, report, policy);
        reports.push(report);
      }
      return reports;
    }),
  );
  return perServer.flat().sort((a, b) => a.logId - b.logId);
}

/**
 * Runs the given pending operations now: the synchronous path, after the unit of work committed.
 * They are claimed first (the unit of work wrote them leased to itself, `heldBy`), and any that must
 * wait for an earlier operation on the same object are left to the worker.
 */
export async function runOperations(engine: Engine, operationIds: readonly number[], options: RunOptions & { heldBy?: string } = {}): Promise<RunReport[]> {
  if (operationIds.length === 0) return [];
  const token = `sync:${process.pid}:${Math.random().toString(36).slice(2, 10)}`;
  const candidates = await engine.db.operation.findMany({ where: { id: { in: [...operationIds] }, state: "PENDING" }, select: { id: true, serverId: true, model: true, objectId: true } });
  const ordered = await inCommitOrder(engine, candidates);
  const claimed = await claim(engine, ordered.map((o) => o.id), token, undefined, options.heldBy);
  if (claimed.length === 0) return [];
  const stop = heartbeat(engine, token);
  try {
    const rows = await engine.db.operation.findMany({ where: { id: { in: claimed } }, include: { server: true }, orderBy: { id: "asc" } });
    const { heldBy: _heldBy, ...rest } = options;
    return await runGroups(engine, groupOperations(rows), { ...rest, owner: token });
  } finally {
    stop();
  }
}

/** Runs the synchronous operations of a committed unit of work (those it holds the lease of). */
export function runUnitOfWork(engine: Engine, unit: { unitOfWork: string; operations: ReadonlyArray<{ id: number; async: boolean }> }, options: RunOptions = {}) {
  const ids = unit.operations.filter((o) => !o.async).map((o) => o.id);
  return runOperations(engine, ids, { ...options, heldBy: ownerOf(unit.unitOfWork) });
}
