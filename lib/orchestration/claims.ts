// Who may run which operation, and when. Operations are claimed with a lease by a conditional update
// (safe on SQLite and on PostgreSQL with several workers: a row is updated by one claimer only). An
// operation is eligible only when no earlier operation on the same object and server is pending or
// running: per-object commit order.
import type { Engine } from "./engine";

export const DEFAULT_LEASE_MS = 30_000;

type Keyed = { id: number; serverId: number; model: string; objectId: string };

const keyOf = (o: Keyed) => `${o.serverId}\u0000${o.model}\u0000${o.objectId}`;

/** Drops candidates that must wait for an earlier operation on the same object and server. */
export async function inCommitOrder<T extends Keyed>(engine: Engine, candidates: readonly T[]): Promise<T[]> {
  if (candidates.length === 0) return [];
  const sorted = [...candidates].sort((a, b) => a.id - b.id);
  // Two IN lists (not an OR per object) keep the query within the database's parameter limits;
  // the exact (server, model, object) match is done here.
  const earlier = await engine.db.operation.findMany({
    where: {
      state: { in: ["PENDING", "RUNNING"] },
      id: { lt: sorted[sorted.length - 1].id },
      serverId: { in: [...new Set(sorted.map((c) => c.serverId))] },
      objectId: { in: [...new Set(sorted.map((c) => c.objectId))] },
    },
    select: { id: true, serverId: true, model: true, objectId: true },
    orderBy: { id: "asc" },
  });
  const chosen = new Set(sorted.map((c) => c.id));
  const blockedBefore = new Map<string, number>(); // key → first id that blocks it
  for (const e of earlier) {
    if (chosen.has(e.id)) continue;
    const key = keyOf(e);
    if (!blockedBefore.has(key)) blockedBefore.set(key, e.id);
  }
  const out: T[] = [];
  const blockedKeys = new Set<string>();
  for (const c of sorted) {
    const key = keyOf(c);
    const blocker = blockedBefore.get(key);
    if (blockedKeys.has(key) || (blocker !== undefined && blocker < c.id)) {
      blockedKeys.add(key); // everything after a blocked operation waits too
      continue;
    }
    out.push(c);
  }
  return out;
}

/**
 * Claims pending operations for `owner`: free ones, expired leases, or (for the request that wrote
 * them) its own. Returns the ids actually claimed.
 */
export async function claim(engine: Engine, ids: readonly number[], owner: string, leaseMs = DEFAULT_LEASE_MS, previousOwner?: string): Promise<number[]> {
  if (ids.length === 0) return [];
  const now = new Date();
  await engine.db.operation.updateMany({
    where: {
      id: { in: [...ids] },
      state: "PENDING",
      OR: [{ leaseUntil: null }, { leaseUntil: { lt: now } }, ...(previousOwner ? [{ leaseOwner: previousOwner }] : [])],
    },
    data: { leaseOwner: owner, leaseUntil: new Date(now.getTime() + leaseMs) },
  });
  const mine = await engine.db.operation.findMany({ where: { id: { in: [...ids] }, leaseOwner: owner, state: "PENDING" }, select: { id: true } });
  return mine.map((m) => m.id);
}

/** Keeps the leases of `owner` alive while its scripts run. */
export function heartbeat(engine: Engine, owner: string, leaseMs = DEFAULT_LEASE_MS): () => void {
  const timer = setInterval(() => {
    engine.db.operation
      .updateMany({ where: { leaseOwner: owner, state: { in: ["PENDING", "RUNNING"] } }, data: { leaseUntil: new Date(Date.now() + leaseMs) } })
      .catch(() => undefined);
  }, Math.max(1000, Math.floor(leaseMs / 3)));
  timer.unref();
  return () => clearInterval(timer);
}

/**
 * Work whose owner died: operations RUNNING past their lease go back to PENDING and their logs that
 * never finished become ABORTED. Scripts are idempotent, so running them again is safe.
 */
export async function recoverExpired(engine: Engine): Promise<number> {
  const now = new Date();
  const stale = await engine.db.operation.findMany({
    where: { state: "RUNNING", leaseUntil: { lt: now } },
    select: { id: true, scriptLogs: { select: { scriptLogId: true } } },
  });
  if (stale.length === 0) return 0;
  const ids = stale.map((s) => s.id);
  const { count } = await engine.db.operation.updateMany({
    where: { id: { in: ids }, state: "RUNNING", leaseUntil: { lt: now } },
    data: { state: "PENDING", leaseOwner: null, leaseUntil: null, runAfter: now },
  });
  const logIds = [...new Set(stale.flatMap((s) => s.scriptLogs.map((l) => l.scriptLogId)))];
  const unfinished = await engine.db.scriptLog.findMany({ where: { id: { in: logIds }, state: { in: ["RECEIVED", "STARTED"] } }, select: { id: true, stderr: true } });
  for (const log of unfinished) {
    await engine.db.scriptLog.updateMany({
      where: { id: log.id, state: { in: ["RECEIVED", "STARTED"] } },
      data: { state: "ABORTED", finishedAt: now, stderr: `${log.stderr}${log.stderr && !log.stderr.endsWith("\n") ? "\n" : ""}[orchestra] interrupted: its worker stopped (lease expired); the operations run again\n` },
    });
  }
  return count;
}
