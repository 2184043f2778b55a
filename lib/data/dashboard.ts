import "server-only";
import type { Notification } from "../../generated/sqlite/client";
import type { TxDb } from "../orchestration/unit-of-work";
import { FAILED_LOG_STATES } from "../orchestration/types";

const DAY = 24 * 3600_000;

export type DayCount = { day: string; ok: number; failed: number };

/** Runs and failures per server for each of the last `days` days (UTC), from the logs. */
export async function fetchRunsPerServer(db: TxDb, days = 7) {
  const today = new Date(new Date().toISOString().slice(0, 10) + "T00:00:00Z").getTime();
  const starts = Array.from({ length: days }, (_, i) => today - (days - 1 - i) * DAY);
  const [servers, perDay] = await Promise.all([
    db.server.findMany({ select: { id: true, name: true }, orderBy: { name: "asc" } }),
    Promise.all(
      starts.map((start) =>
        db.scriptLog.groupBy({
          by: ["serverId", "state"],
          where: { createdAt: { gte: new Date(start), lt: new Date(start + DAY) } },
          _count: { _all: true },
        }),
      ),
    ),
  ]);
  return servers.map((server) => ({
    ...server,
    days: starts.map((start, i): DayCount => {
      const rows = perDay[i].filter((r) => r.serverId === server.id);
      const failed = rows.filter((r) => (FAILED_LOG_STATES as readonly string[]).includes(r.state)).reduce((n, r) => n + r._count._all, 0);
      const ok = rows.filter((r) => r.state === "SUCCESS" || r.state === "NOTHING").reduce((n, r) => n + r._count._all, 0);
      return { day: new Date(start).toISOString().slice(5, 10), ok, failed };
    }),
  }));
}

export async function fetchRunning(db: TxDb) {
  return db.scriptLog.findMany({
    where: { state: { in: ["RECEIVED", "STARTED"] } },
    orderBy: { id: "asc" },
    take: 20,
    select: { id: true, backend: true, state: true, startedAt: true, server: { select: { name: true } } },
  });
}

export async function fetchLatestFailures(db: TxDb, take = 10) {
  return db.scriptLog.findMany({
    // still outstanding: not retried, and some operation of it still failed (not superseded since)
    where: { state: { in: [...FAILED_LOG_STATES] }, retries: { none: {} }, operations: { some: { operation: { state: "FAILURE" } } } },
    orderBy: { id: "desc" },
    take,
    select: { id: true, backend: true, state: true, exitCode: true, createdAt: true, stderr: true, server: { select: { id: true, name: true } } },
  });
}

/** Failures of the last `days` days per (server, backend). */
export async function fetchFailureMatrix(db: TxDb, days = 7) {
  const rows = await db.scriptLog.groupBy({
    by: ["serverId", "backend", "state"],
    where: { createdAt: { gte: new Date(Date.now() - days * DAY) } },
    _count: { _all: true },
  });
  const servers = await db.server.findMany({ select: { id: true, name: true }, orderBy: { name: "asc" } });
  const backends = [...new Set(rows.map((r) => r.backend))].sort();
  const cell = (serverId: number, backend: string) => {
    const mine = rows.filter((r) => r.serverId === serverId && r.backend === backend);
    const total = mine.reduce((n, r) => n + r._count._all, 0);
    const failed = mine.filter((r) => (FAILED_LOG_STATES as readonly string[]).includes(r.state)).reduce((n, r) => n + r._count._all, 0);
    return { total, failed };
  };
  return { servers, backends, cell };
}

/** Queued, retrying and running operations per server: the worker's live state. */
export async function fetchQueues(db: TxDb) {
  const rows = await db.operation.groupBy({
    by: ["serverId", "state"],
    where: { state: { in: ["PENDING", "RUNNING"] } },
    _count: { _all: true },
  });
  const retrying = await db.operation.groupBy({ by: ["serverId"], where: { state: "PENDING", attempts: { gt: 0 } }, _count: { _all: true } });
  const servers = await db.server.findMany({ where: { id: { in: [...new Set(rows.map((r) => r.serverId))] } }, select: { id: true, name: true } });
  return servers.map((s) => {
    const retry = retrying.find((r) => r.serverId === s.id)?._count._all ?? 0;
    const pending = rows.find((r) => r.serverId === s.id && r.state === "PENDING")?._count._all ?? 0;
    return { ...s, queued: pending - retry, retrying: retry, running: rows.find((r) => r.serverId === s.id && r.state === "RUNNING")?._count._all ?? 0 };
  });
}

/**
 * Unread notifications of operations that still failed. A notification tells of an operation that failed
 * for good; once a later run settled it (SUPERSEDED: its object was applied since) or an operator revoked
 * it, there is nothing left to act on, and listing it would send the operator after a fixed failure.
 */
export async function fetchNotifications(db: TxDb, take = 10) {
  const out: Notification[] = [];
  let before: number | undefined;
  while (out.length < take) {
    const batch = await db.notification.findMany({ where: { readAt: null, ...(before ? { id: { lt: before } } : {}) }, orderBy: { id: "desc" }, take: take * 2 });
    const ids = batch.map((n) => n.operationId).filter((id): id is number => id !== null);
    const failing = new Set((await db.operation.findMany({ where: { id: { in: ids }, state: "FAILURE" }, select: { id: true } })).map((o) => o.id));
    out.push(...batch.filter((n) => n.operationId === null || failing.has(n.operationId)));
    if (batch.length < take * 2) break;
    before = batch[batch.length - 1].id;
  }
  return out.slice(0, take);
}
