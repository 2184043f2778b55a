import "server-only";
import { db as appDb } from "../db";
import { engine } from "../orchestra";
import { supersededIn } from "../orchestration/manual";
import { LOG_STATES } from "../orchestration/types";
import type { TxDb } from "../orchestration/unit-of-work";
import { snapshot } from "./json";
import type { LogFilters } from "./log-list";

export { fetchLogs, type LogFilters } from "./log-list";

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

async function readLog(db: TxDb, id: number) {
  const log = await db.scriptLog.findUnique({
    where: { id },
    include: {
      server: { select: { id: true, name: true, address: true } },
      createdBy: { select: { email: true } },
      retryOf: { select: { id: true, state: true } },
      retries: { select: { id: true, state: true }, orderBy: { id: "asc" } },
      operations: { include: { operation: true }, orderBy: { operationId: "asc" } },
    },
  });
  if (!log) return null;
  return {
    ...log,
    operations: log.operations.map((link) => ({ ...link, operation: { ...link.operation, before: snapshot(link.operation.before), after: snapshot(link.operation.after) } })),
  };
}

export type LogDetail = NonNullable<Awaited<ReturnType<typeof readLog>>>;

/** One log with its server, retries and operations. */
export async function fetchLog(db: TxDb, id: number): Promise<LogDetail | null>;
/** @deprecated Pass the client first: fetchLog(db, id). Kept for app/(admin)/logs/[id]/page.tsx. */
export async function fetchLog(id: number): Promise<LogDetail | null>;
export async function fetchLog(...args: [TxDb, number] | [number]): Promise<LogDetail | null> {
  return args.length === 2 ? readLog(...args) : readLog(appDb, args[0]);
}

export async function fetchFilterChoices(db: TxDb) {
  const [servers, backends] = await Promise.all([
    db.server.findMany({ select: { id: true, name: true }, orderBy: { name: "asc" } }),
    db.route.findMany({ select: { backend: true }, distinct: ["backend"], orderBy: { backend: "asc" } }),
  ]);
  return { servers, backends: backends.map((b) => b.backend) };
}

/** The log's objects that a later operation on the same server object replaced. */
export async function fetchSuperseded(db: TxDb, log: LogDetail): Promise<Awaited<ReturnType<typeof supersededIn>>>;
/** @deprecated Pass the client first: fetchSuperseded(db, log). Kept for app/(admin)/logs/[id]/page.tsx. */
export async function fetchSuperseded(log: LogDetail): Promise<Awaited<ReturnType<typeof supersededIn>>>;
export async function fetchSuperseded(...args: [TxDb, LogDetail] | [LogDetail]) {
  const [db, log] = args.length === 2 ? args : [appDb, args[0]];
  const operations = log.operations.map((o) => o.operation).filter((o) => o.state !== "REVOKED");
  return supersededIn(engine, log, operations, db);
}
