import "server-only";
import { db } from "../db";
import { LOG_STATES } from "../orchestration/types";

export const PAGE_SIZE = 50;

export type LogFilters = { state?: string; serverId?: number; backend?: string; before?: number };

export function parseLogFilters(params: Record<string, string | string[] | undefined>): LogFilters {
  const one = (k: string) => (typeof params[k] === "string" ? (params[k] as string) : undefined);
  const state = one("state");
  const serverId = Number(one("server"));
  const before = Number(one("before"));
  return {
    state: state && (LOG_STATES as readonly string[]).includes(state) ? state : undefined,
    serverId: Number.isInteger(serverId) && serverId > 0 ? serverId : undefined,
    backend: one("backend") || undefined,
    before: Number.isInteger(before) && before > 0 ? before : undefined,
  };
}

/** A page of logs, newest first, by id cursor (stays fast however many rows there are). */
export async function fetchLogs(filters: LogFilters) {
  const rows = await db.scriptLog.findMany({
    where: {
      state: filters.state,
      serverId: filters.serverId,
      backend: filters.backend,
      ...(filters.before ? { id: { lt: filters.before } } : {}),
    },
    orderBy: { id: "desc" },
    take: PAGE_SIZE + 1,
    select: {
      id: true,
      backend: true,
      state: true,
      exitCode: true,
      createdAt: true,
      startedAt: true,
      finishedAt: true,
      server: { select: { id: true, name: true } },
      _count: { select: { operations: true } },
    },
  });
  return { logs: rows.slice(0, PAGE_SIZE), nextBefore: rows.length > PAGE_SIZE ? rows[PAGE_SIZE - 1].id : null };
}

export async function fetchLog(id: number) {
  return db.scriptLog.findUnique({
    where: { id },
    include: {
      server: { select: { id: true, name: true, address: true } },
      createdBy: { select: { email: true } },
      retryOf: { select: { id: true, state: true } },
      retries: { select: { id: true, state: true }, orderBy: { id: "asc" } },
      operations: { include: { operation: true }, orderBy: { operationId: "asc" } },
    },
  });
}

export async function fetchFilterChoices() {
  const [servers, backends] = await Promise.all([
    db.server.findMany({ select: { id: true, name: true }, orderBy: { name: "asc" } }),
    db.route.findMany({ select: { backend: true }, distinct: ["backend"], orderBy: { backend: "asc" } }),
  ]);
  return { servers, backends: backends.map((b) => b.backend) };
}
