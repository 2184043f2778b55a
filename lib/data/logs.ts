import "server-only";
import { db } from "../db";
import { engine } from "../orchestra";
import { supersededIn } from "../orchestration/manual";
import { LOG_STATES } from "../orchestration/types";
import { queryLogs, type LogFilters } from "../queries/logs";

export type { LogFilters };

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
  return queryLogs(db, filters);
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

/** The log's objects that a later operation on the same server object replaced. */
export async function fetchSuperseded(log: NonNullable<Awaited<ReturnType<typeof fetchLog>>>) {
  const operations = log.operations.map((o) => o.operation).filter((o) => o.state !== "REVOKED");
  return supersededIn(engine, log, operations);
}
