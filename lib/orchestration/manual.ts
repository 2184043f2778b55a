// Runs outside a model change: retry a script log (converging to the current state), re-apply objects,
// run chosen objects on demand (or only render what would run, for a dry run).
import { randomUUID } from "node:crypto";
import type { Engine } from "./engine";
import { runOperations } from "./dispatcher";
import { covers, identityOf, leaseFree, leaseUntil, newOwner } from "./outbox";
import type { RunOptions, RunReport } from "./runner";
import { renderScript, type ServerLookup } from "./script";
import { serverLookup } from "./sync";
import { routeOperations, type RouteRow } from "./router";
import { delegateOf, onPostgres, toSnapshot } from "./snapshot";
import { ACTIONS, isStateAction, OperatorError, serverInfo, type PendingOperation, type Snapshot } from "./types";
import { objectLabel } from "./backend";
import { ownerOf, writeOperations } from "./unit-of-work";

export { revokeOperations, cancelLog } from "./outbox";

/** Why a log's object needs no retry: a later operation on the same server object replaced it. */
export type Superseded = { operationId: number; objectLabel: string; byOperationId: number; byLogId: number | null; byState: string };

type LogOperation = { id: number; backend: string; action: string; model: string; objectId: string; objectLabel: string; identity: string; before: unknown; after: unknown; state: string };

/**
 * For each operation of a log, the latest later operation of the same lane that shares one of its
 * identities (what the server knows the object by), if any.
 */
export async function supersededIn(engine: Engine, log: { serverId: number; backend: string }, operations: readonly LogOperation[], db: Pick<Engine["db"], "operation"> = engine.db): Promise<Superseded[]> {
  if (operations.length === 0) return [];
  const first = Math.min(...operations.map((o) => o.id));
  const later = await db.operation.findMany({
    // commands neither supersede nor are superseded (see supersedeFailures)
    where: { serverId: log.serverId, backend: log.backend, id: { gt: first }, state: { not: "REVOKED" }, action: { in: [...ACTIONS] } },
    select: { id: true, identity: true, state: true, scriptLogs: { select: { scriptLogId: true }, orderBy: { scriptLogId: "desc" }, take: 1 } },
    orderBy: { id: "desc" },
  });
  const out: Superseded[] = [];
  for (const op of operations) {
    if (!isStateAction(op.action)) continue;
    const newer = later.find((l) => l.id > op.id && !operations.some((o) => o.id === l.id) && covers(l.identity, op.identity));
    if (newer) out.push({ operationId: op.id, objectLabel: op.objectLabel, byOperationId: newer.id, byLogId: newer.scriptLogs[0]?.scriptLogId ?? null, byState: newer.state });
  }
  return out;
}

export type RetryOutcome = { report: RunReport | null; superseded: Superseded[]; queued: boolean };

/**
 * Brings the objects of a log to their *current* desired state on the log's server — it never replays
 * an old snapshot: an object that exists is saved as it is now (from what the log last knew, so a
 * rename is a rename), an object that is gone is deleted from its last snapshot. Objects that a later
 * operation on the same server object replaced are skipped (superseded), unless `reapply` is set, in
 * which case existing objects are saved as they are now anyway (gone ones still are not touched, a
 * newer object may own their name). The new log points at the old one.
 */
export async function retryLog(engine: Engine, logId: number, userId?: number | null, options: { reapply?: boolean; onLine?: RunOptions["onLine"] } = {}): Promise<RetryOutcome> {
  const log = await engine.db.scriptLog.findUnique({ where: { id: logId }, include: { operations: { include: { operation: true }, orderBy: { operationId: "asc" } } } });
  if (!log) throw new OperatorError(`script log #${logId} does not exist`);
  if (log.state === "STARTED" || log.state === "RECEIVED") throw new OperatorError(`script log #${logId} is still ${log.state}`);
  const operations = log.operations.map((o) => o.operation).filter((o) => o.state !== "REVOKED");
  if (operations.length === 0) throw new OperatorError(`script log #${logId} has no operation left to run`);
  if (operations.some((o) => o.state === "RUNNING")) throw new OperatorError(`script log #${logId}: its operations are running right now`);
  const owner = newOwner("retry", `log${logId}`);
  const backend = engine.registry.get(log.backend);

  // Read the current rows and write the new operations in one transaction, with the rows locked, so a
  // save of the same object cannot slip in between (its operation would run before this one, and this
  // one would then push an older state). SQLite: the transaction holds the write lock from its start.
  const { created, superseded } = await engine.db.$transaction(async (tx) => {
    const postgres = onPostgres(engine.db);
    if (postgres) {
      for (const op of operations) {
        // model names come from the backend registry (not user data), ids are bound parameters
        await tx.$queryRawUnsafe(`SELECT id FROM "${op.model.replace(/"/g, "")}" WHERE id = $1 FOR UPDATE`, Number(op.objectId));
      }
    }
    const superseded = await supersededIn(engine, log, operations, tx);
    const skip = new Set(superseded.map((s) => s.operationId));
    // Operations waiting for an automatic retry are replaced by this one, which brings the current state.
    const now = engine.now();
    await tx.operation.updateMany({
      where: { id: { in: operations.filter((o) => o.state === "PENDING").map((o) => o.id) }, state: "PENDING", OR: leaseFree(now) },
      data: { state: "SUPERSEDED", leaseOwner: null, leaseUntil: null },
    });
    const pending: PendingOperation[] = [];
    const seen = new Set<string>();
    for (const op of [...operations].reverse()) {
      const key = `${op.model}#${op.objectId}`;
      if (seen.has(key)) continue; // the log's last operation on an object is the one that counts
      seen.add(key);
      const isSuperseded = skip.has(op.id);
      if (isSuperseded && !options.reapply) continue;
      const include = engine.registry.includeFor(op.model);
      const current = toSnapshot(await delegateOf(tx, op.model).findUnique({ where: { id: Number(op.objectId) }, ...(include ? { include } : {}) }));
      const last = (op.after ?? op.before) as Snapshot | null;
      if (!isStateAction(op.action)) {
        // a command runs again on the object as it is now; on a deleted object it has no meaning
        if (current) pending.push({ backend: backend.name, action: op.action, model: op.model, objectId: op.objectId, objectLabel: objectLabel(backend, op.model, current, op.objectId), before: current, after: current });
      } else if (current) {
        // What the server had before this log's change: the log's `before` (a rename is a rename).
        const before = (op.before as Snapshot | null) ?? null;
        pending.push({ backend: backend.name, action: "save", model: op.model, objectId: op.objectId, objectLabel: objectLabel(backend, op.model, current, op.objectId), before, after: current });
      } else if (!isSuperseded && last) {
        pending.push({ backend: backend.name, action: "delete", model: op.model, objectId: op.objectId, objectLabel: op.objectLabel, before: last, after: null });
      }
    }
    pending.reverse();
    const created = pending.length
      ? await tx.operation.createManyAndReturn({
          data: pending.map((p) => ({
            unitOfWork: `retry:${logId}`,
            backend: p.backend,
            action: p.action,
            model: p.model,
            objectId: p.objectId,
            objectLabel: p.objectLabel,
            identity: identityOf(backend, p),
            before: (p.before ?? undefined) as never,
            after: (p.after ?? undefined) as never,
            serverId: log.serverId,
            leaseOwner: owner,
            leaseUntil: leaseUntil(engine),
            runAfter: engine.now(),
          })),
          select: { id: true },
        })
      : [];
    return { created, superseded };
  });
  if (created.length === 0) return { report: null, superseded, queued: false };

  // Held by this retry until it runs them (in lane order).
  const reports = await runOperations(engine, created.map((c) => c.id), { userId, retryOfId: log.id, heldBy: owner, onLine: options.onLine });
  return { report: reports[0] ?? null, superseded, queued: reports.length === 0 };
}

export type Selection = {
  model?: string;
  ids?: string[];
  backend?: string;
  server?: string;
  /** A backend command to run instead of a save of the current state (only backends declaring it). */
  command?: string;
};

/** Save (or command) operations for the current state of the selected objects, routed but not written. */
export async function selectOperations(engine: Engine, selection: Selection) {
  const backends = engine.registry
    .all()
    .filter((b) => (!selection.backend || b.name === selection.backend) && (!selection.model || b.model === selection.model))
    .filter((b) => !selection.command || b.commands?.[selection.command]);
  if (selection.backend) engine.registry.get(selection.backend); // fails loudly on an unknown name
  if (selection.command && backends.length === 0) throw new OperatorError(`no backend${selection.backend ? ` ${selection.backend}` : ""}${selection.model ? ` of ${selection.model}` : ""} has a command ${JSON.stringify(selection.command)}`);
  const action = selection.command ?? "save";
  const pending: PendingOperation[] = [];
  for (const backend of backends) {
    const delegate = delegateOf(engine.db, backend.model);
    const include = engine.registry.includeFor(backend.model);
    const where = selection.ids?.length ? { id: { in: selection.ids.map(Number) } } : {};
    for (const row of await delegate.findMany({ where, ...(include ? { include } : {}), orderBy: { id: "asc" } })) {
      const snapshot = toSnapshot(row)!;
      const id = String(row.id);
      pending.push({ backend: backend.name, action, model: backend.model, objectId: id, objectLabel: objectLabel(backend, backend.model, snapshot, id), before: snapshot, after: snapshot });
    }
  }
  const routes = (await engine.db.route.findMany({ where: { active: true, server: { archivedAt: null }, ...(selection.server ? { server: { name: selection.server } } : {}) }, orderBy: { id: "asc" } })) as RouteRow[];
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
  const lookups = new Map<string, ServerLookup>();
  for (const backend of new Set([...groups.values()].map((g) => g.backend))) lookups.set(backend, await serverLookup(engine, engine.registry.get(backend).asksRouter ?? []));
  return {
    scripts: [...groups.values()].map((g) => {
      // only the stored (masked) form: a dry run prints no secret
      const backend = engine.registry.get(g.backend);
      const { text, hasContent } = renderScript(backend, serverInfo(g.server), g.operations, [], lookups.get(g.backend));
      return { server: g.server.name, backend: g.backend, text, hasContent };
    }),
    unrouted,
  };
}

/** Runs the backends of the selected objects now, as a unit of work of its own. */
export async function runSelection(engine: Engine, selection: Selection, userId?: number | null, options: Pick<RunOptions, "onLine"> = {}): Promise<{ reports: RunReport[]; unrouted: PendingOperation[] }> {
  const { pending, routes } = await selectOperations(engine, selection);
  const unitOfWork = `${selection.command ? `command:${selection.command}` : "manual"}:${randomUUID()}`;
  const written = await engine.db.$transaction((tx) => writeOperations(engine, tx, unitOfWork, pending, routes));
  const reports = await runOperations(engine, written.operations.map((o) => o.id), { userId, heldBy: ownerOf(unitOfWork), onLine: options.onLine });
  return { reports, unrouted: written.unrouted };
}
