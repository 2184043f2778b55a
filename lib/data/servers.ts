import "server-only";
import type { TxDb } from "../orchestration/unit-of-work";
import { stringMap } from "./json";

const DAY_MS = 24 * 3600_000;

/** Servers with their latest run state and failures in the last 24 h, from the logs (no pinging).
 * Archived servers only when asked for. */
export async function fetchServers(db: TxDb, { archived = false }: { archived?: boolean } = {}) {
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
    variables: stringMap(server.variables),
    failures24h: failures.find((f) => f.serverId === server.id)?._count._all ?? 0,
    lastRun: lastLogs.find((l) => l.serverId === server.id) ?? null,
  }));
}

async function readServerDetail(db: TxDb, id: number) {
  const server = await db.server.findUnique({
    where: { id },
    include: {
      routes: { orderBy: { backend: "asc" } },
      // never the token's hash
      agent: { select: { prefix: true, configVersion: true, appliedEtag: true, appliedAt: true, agentVersion: true, lastSeenAt: true, installedAt: true } },
      _count: { select: { operations: true, scriptLogs: true } },
      scriptLogs: { orderBy: { id: "desc" }, take: 15, select: { id: true, backend: true, state: true, createdAt: true, exitCode: true } },
    },
  });
  return server && { ...server, variables: stringMap(server.variables) };
}

export type ServerDetail = NonNullable<Awaited<ReturnType<typeof readServerDetail>>>;

/** One server with its routes, run counts and latest script logs. */
export async function fetchServerDetail(db: TxDb, id: number): Promise<ServerDetail | null> {
  return readServerDetail(db, id);
}
