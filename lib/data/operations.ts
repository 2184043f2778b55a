import "server-only";
import { OPERATION_STATES } from "../orchestration/types";
import type { TxDb } from "../orchestration/unit-of-work";
import { snapshot } from "./json";

export type OperationFilters = { state?: string; backend?: string; action?: string; model?: string; objectId?: string; serverId?: number; before?: number; since?: string; until?: string };

const DAY = /^\d{4}-\d{2}-\d{2}$/;

export function parseOperationFilters(params: Record<string, string | string[] | undefined>): OperationFilters {
  const one = (k: string) => (typeof params[k] === "string" && params[k] ? (params[k] as string) : undefined);
  const state = one("state");
  const serverId = Number(one("server"));
  const before = Number(one("before"));
  return {
    state: state && (OPERATION_STATES as readonly string[]).includes(state) ? state : undefined,
    backend: one("backend"),
    action: one("action") === "save" || one("action") === "delete" ? one("action") : undefined,
    model: one("model"),
    objectId: one("object"),
    serverId: Number.isInteger(serverId) && serverId > 0 ? serverId : undefined,
    before: Number.isInteger(before) && before > 0 ? before : undefined,
    since: DAY.test(one("since") ?? "") ? one("since") : undefined,
    until: DAY.test(one("until") ?? "") ? one("until") : undefined,
  };
}

export async function fetchOperations(db: TxDb, f: OperationFilters, pageSize = 50) {
  const rows = await db.operation.findMany({
    where: {
      state: f.state,
      backend: f.backend,
      action: f.action,
      model: f.model,
      objectId: f.objectId,
      serverId: f.serverId,
      ...(f.before ? { id: { lt: f.before } } : {}),
      ...(f.since || f.until
        ? { createdAt: { ...(f.since ? { gte: new Date(`${f.since}T00:00:00Z`) } : {}), ...(f.until ? { lt: new Date(new Date(`${f.until}T00:00:00Z`).getTime() + 86_400_000) } : {}) } }
        : {}),
    },
    orderBy: { id: "desc" },
    take: pageSize + 1,
    select: {
      id: true, backend: true, action: true, model: true, objectId: true, objectLabel: true, state: true, async: true, attempts: true, createdAt: true,
      server: { select: { id: true, name: true } },
      scriptLogs: { select: { scriptLogId: true, scriptLog: { select: { state: true } } }, orderBy: { scriptLogId: "asc" } },
    },
  });
  return { operations: rows.slice(0, pageSize), nextBefore: rows.length > pageSize ? rows[pageSize - 1].id : null };
}

/** One operation with its server, script logs and snapshots. */
export async function fetchOperation(db: TxDb, id: number) {
  const op = await db.operation.findUnique({
    where: { id },
    include: { server: { select: { id: true, name: true } }, scriptLogs: { include: { scriptLog: { select: { id: true, state: true, createdAt: true } } } } },
  });
  return op && { ...op, before: snapshot(op.before), after: snapshot(op.after) };
}
