import "server-only";
import { db } from "../db";

const DAY_MS = 24 * 3600_000;

/** Servers with their latest run state and failures in the last 24 h, from the logs (no pinging).
 * Archived servers only when asked for. */
export async function fetchServers({ archived = false }: { archived?: boolean } = {}) {
  const since = new Date(Date.now() - DAY_MS);
  const [servers, failures, latest] = await Promise.all([
    db.server.findMany({ where: archived ? {} : { archivedAt: null }, orderBy: { name: "asc" } }),
    db.scriptLog.groupBy({
      by: ["serverId"],
      where: { createdAt: { gte: since }, state: { in: ["FAILURE", "ERROR", "TIMEOUT", "ABORTED"] } },
      _count: { _all: true },
    }),
    db.scriptLog.groupBy({ by: ["serverId"], _max: { id: true } }),
  ]);
  const lastIds = latest.map((l) => l._max.id).filter((id): id is number => id != null);
  const lastLogs = await db.scriptLog.findMany({ where: { id: { in: lastIds } }, select: { serverId: true, state: true, createdAt: true } });
  return servers.map((server) => ({
    ...server,
    failures24h: failures.find((f) => f.serverId === server.id)?._count._all ?? 0,
    lastRun: lastLogs.find((l) => l.serverId === server.id) ?? null,
  }));
}

export async function fetchServer(id: number) {
  return db.server.findUnique({ where: { id } });
}

export async function fetchServerDetail(id: number) {
  return db.server.findUnique({
    where: { id },
    include: {
      routes: { orderBy: { backend: "asc" } },
      _count: { select: { operations: true, scriptLogs: true } },
      scriptLogs: { orderBy: { id: "desc" }, take: 15, select: { id: true, backend: true, state: true, createdAt: true, exitCode: true } },
    },
  });
}
