// The REST API's other resources: servers, routes, operations and script logs (with their output),
// and the engine's manual actions on them (retry, cancel, revoke). Snapshots and secret-looking
// variables never leave: operations are listed by what they did, not by the object's stored state.
import "server-only";
import { db } from "../db";
import { engine } from "../orchestra";
import { SECRET_NAME, MASK } from "../audit";
import { fetchLogs } from "../data/log-list";
import { parseLogFilters } from "../data/logs";
import { fetchOperations, parseOperationFilters } from "../data/operations";
import { cancelLog, retryLog, revokeOperations } from "../orchestration/manual";
import { ApiError } from "./handler";

const params = (url: URL) => Object.fromEntries(url.searchParams.entries());
const masked = (variables: unknown) =>
  Object.fromEntries(Object.entries((variables ?? {}) as Record<string, unknown>).map(([k, v]) => [k, SECRET_NAME.test(k) ? MASK : String(v)]));

export async function servers() {
  const rows = await db.server.findMany({ where: { archivedAt: null }, orderBy: { name: "asc" } });
  return { servers: rows.map((s) => ({ id: s.id, name: s.name, address: s.address, port: s.port, sshUser: s.sshUser, os: s.os, description: s.description, hostKeyFingerprint: s.hostKeyFingerprint, variables: masked(s.variables), createdAt: s.createdAt })) };
}

export async function routes() {
  const rows = await db.route.findMany({ orderBy: { id: "asc" }, include: { server: { select: { name: true } } } });
  return { routes: rows.map((r) => ({ id: r.id, backend: r.backend, serverId: r.serverId, server: r.server.name, match: r.match, async: r.async, asyncActions: r.asyncActions, active: r.active })) };
}

export async function operations(url: URL) {
  const { operations, nextBefore } = await fetchOperations(db, parseOperationFilters(params(url)), 100);
  return {
    operations: operations.map((o) => ({ id: o.id, backend: o.backend, action: o.action, model: o.model, objectId: o.objectId, objectLabel: o.objectLabel, state: o.state, async: o.async, attempts: o.attempts, createdAt: o.createdAt, server: o.server, logIds: o.scriptLogs.map((l) => l.scriptLogId) })),
    nextBefore,
  };
}

export async function logs(url: URL) {
  return fetchLogs(db, parseLogFilters(params(url)), 100);
}

export async function log(id: number) {
  const row = await db.scriptLog.findUnique({
    where: { id },
    include: { server: { select: { id: true, name: true } }, operations: { include: { operation: { select: { id: true, action: true, model: true, objectId: true, objectLabel: true, state: true } } }, orderBy: { operationId: "asc" } } },
  });
  if (!row) throw new ApiError(404, "not_found", `No script log #${id}.`);
  const { operations, ...rest } = row;
  // the stored script and output are already masked (secrets are set only in the executed script)
  return { ...rest, operations: operations.map((o) => o.operation) };
}

export async function retry(id: number, userId: number, reapply: boolean) {
  const outcome = await retryLog(engine, id, userId, { reapply });
  return { report: outcome.report && { logId: outcome.report.logId, server: outcome.report.server, backend: outcome.report.backend, state: outcome.report.state, operations: outcome.report.operations }, superseded: outcome.superseded, queued: outcome.queued };
}

export async function cancel(id: number) {
  await cancelLog(engine, id);
  return { message: `Cancel requested for script log #${id}.` };
}

export async function revoke(id: number) {
  const count = await revokeOperations(engine, [id]);
  if (count === 0) throw new ApiError(409, "conflict", `Operation #${id} is not pending: only a queued operation can be revoked.`);
  return { revoked: count };
}
