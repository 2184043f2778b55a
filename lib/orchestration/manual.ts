// Runs outside a model change: retry a script log, revoke pending work, run chosen objects on demand
// (or only render what would run, for a dry run).
import type { Engine } from "./engine";
import { runGroups, runOperations } from "./dispatcher";
import { groupOperation, type RunReport } from "./runner";
import { renderScript } from "./script";
import { routeOperations, type RouteRow } from "./router";
import { delegateOf, toSnapshot } from "./snapshot";
import { serverInfo, type PendingOperation } from "./types";
import { objectLabel } from "./backend";
import { ownerOf, writeOperations } from "./unit-of-work";

/**
 * Runs a log's operations again from their stored snapshots, on the log's server: a failed delete can
 * be retried although its object is gone. The new log points at the old one.
 */
export async function retryLog(engine: Engine, logId: number, userId?: number | null): Promise<RunReport> {
  const log = await engine.db.scriptLog.findUnique({
    where: { id: logId },
    include: { server: true, operations: { include: { operation: true }, orderBy: { operationId: "asc" } } },
  });
  if (!log) throw new Error(`script log #${logId} does not exist`);
  if (log.state === "STARTED" || log.state === "RECEIVED") throw new Error(`script log #${logId} is still ${log.state}`);
  const operations = log.operations.map((o) => o.operation).filter((o) => o.state !== "REVOKED");
  if (operations.length === 0) throw new Error(`script log #${logId} has no operation left to run`);
  // Take the operations over (not those another run holds right now), then run exactly those.
  const token = `retry:${logId}:${Date.now()}`;
  await engine.db.operation.updateMany({
    where: {
      id: { in: operations.map((o) => o.id) },
      OR: [{ state: { in: ["FAILURE", "SUCCESS"] } }, { state: "PENDING", OR: [{ leaseUntil: null }, { leaseUntil: { lt: new Date() } }] }],
    },
    data: { state: "PENDING", leaseOwner: token, leaseUntil: new Date(Date.now() + 120_000) },
  });
  const mine = operations.filter((o) => o.state !== "RUNNING");
  const held = await engine.db.operation.findMany({ where: { id: { in: mine.map((o) => o.id) }, leaseOwner: token }, select: { id: true } });
  const runnable = mine.filter((o) => held.some((h) => h.id === o.id));
  if (runnable.length === 0) throw new Error(`script log #${logId}: its operations are running elsewhere right now`);
  const [report] = await runGroups(engine, [{ server: log.server, backend: log.backend, operations: runnable.map(groupOperation) }], {
    userId,
    retryOfId: log.id,
    owner: token,
  });
  return report;
}

/** Revokes work that has not run: pending operations (and their logs still RECEIVED). */
export async function revokeOperations(engine: Engine, operationIds: readonly number[]): Promise<number> {
  const { count } = await engine.db.operation.updateMany({ where: { id: { in: [...operationIds] }, state: { in: ["PENDING", "FAILURE"] } }, data: { state: "REVOKED" } });
  await engine.db.scriptLog.updateMany({
    where: { state: "RECEIVED", operations: { every: { operation: { state: "REVOKED" } } }, NOT: { operations: { none: {} } } },
    data: { state: "REVOKED", finishedAt: new Date() },
  });
  return count;
}

export type Selection = {
  model?: string;
  ids?: string[];
  backend?: string;
  server?: string;
};

/** Save operations for the current state of the selected objects, routed but not written. */
export async function selectOperations(engine: Engine, selection: Selection) {
  const backends = engine.registry.all().filter((b) => (!selection.backend || b.name === selection.backend) && (!selection.model || b.model === selection.model));
  if (selection.backend) engine.registry.get(selection.backend); // fails loudly on an unknown name
  const pending: PendingOperation[] = [];
  for (const backend of backends) {
    const delegate = delegateOf(engine.db, backend.model);
    const include = engine.registry.includeFor(backend.model);
    const where = selection.ids?.length ? { id: { in: selection.ids.map(Number) } } : {};
    for (const row of await delegate.findMany({ where, ...(include ? { include } : {}), orderBy: { id: "asc" } })) {
      const snapshot = toSnapshot(row)!;
      const id = String(row.id);
      pending.push({ backend: backend.name, action: "save", model: backend.model, objectId: id, objectLabel: objectLabel(backend, backend.model, snapshot, id), before: snapshot, after: snapshot });
    }
  }
  const routes = (await engine.db.route.findMany({ where: { active: true, ...(selection.server ? { server: { name: selection.server } } : {}) }, orderBy: { id: "asc" } })) as RouteRow[];
  return { pending, routes };
}

/** The scripts a run would execute, per (server, backend), without touching any server or row. */
export async function dryRun(engine: Engine, selection: Selection) {
  const { pending, routes } = await selectOperations(engine, selection);
  const { routed, unrouted } = routeOperations(pending, routes);
  const servers = await engine.db.server.findMany({ where: { id: { in: [...new Set(routed.map((r) => r.route.serverId))] } } });
  const groups = new Map<string, { server: (typeof servers)[number]; backend: string; operations: PendingOperation[] }>();
  for (const { operation, route } of routed) {
    const key = `${route.serverId}\u0000${operation.backend}`;
    const server = servers.find((s) => s.id === route.serverId)!;
    if (!groups.has(key)) groups.set(key, { server, backend: operation.backend, operations: [] });
    groups.get(key)!.operations.push(operation);
  }
  return {
    scripts: [...groups.values()].map((g) => {
      // only the stored (masked) form: a dry run prints no secret
      const { text, hasContent } = renderScript(engine.registry.get(g.backend), serverInfo(g.server), g.operations);
      return { server: g.server.name, backend: g.backend, text, hasContent };
    }),
    unrouted,
  };
}

/** Runs the backends of the selected objects now, as a unit of work of its own. */
export async function runSelection(engine: Engine, selection: Selection, userId?: number | null): Promise<{ reports: RunReport[]; unrouted: PendingOperation[] }> {
  const { pending, routes } = await selectOperations(engine, selection);
  const unitOfWork = `manual:${Date.now()}`;
  const written = await engine.db.$transaction((tx) => writeOperations(tx, unitOfWork, pending, routes));
  const reports = await runOperations(engine, written.operations.map((o) => o.id), { userId, heldBy: ownerOf(unitOfWork) });
  return { reports, unrouted: written.unrouted };
}
