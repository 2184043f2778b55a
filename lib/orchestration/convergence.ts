// Convergence: for every (server, backend, object) pair that the routes select, the desired state (a
// hash of the canonical script of the object as it is now: a save of it, rendered with the server's
// variables) against the applied one (the same hash recorded when a save succeeded there). A pair is
// in sync, pending (queued or running, or changed since it was applied and not queued), failed,
// drifted (a drift check found the live state different) or unknown (never applied since Orchestra
// tracks it). Applied pairs that no route selects any more are leftovers.
import { createHash, randomUUID } from "node:crypto";
import { objectLabel, type Backend } from "./backend";
import { runOperations } from "./dispatcher";
import { ownerOf, writeOperations } from "./unit-of-work";
import type { RouteRow } from "./router";
import type { Engine } from "./engine";
import { routeInput, selects } from "./router";
import { renderScript, type ServerLookup } from "./script";
import { withoutSecrets } from "./secret-fields";
import { delegateOf, toSnapshot } from "./snapshot";
import { serverLookup } from "./sync";
import { registryObjectHash } from "./registry";
import { serverInfo, type PendingOperation, type ServerInfo, type Snapshot } from "./types";
import type { RunReport } from "./runner";
import type { Operation } from "../../generated/sqlite/client";

export const PAIR_STATES = ["in sync", "pending", "failed", "drifted", "unknown"] as const;
export type PairState = (typeof PAIR_STATES)[number];

/** Backends whose objects are applied one by one (sync-kind and in-process ones have no per-object state). */
export function tracksObjects(backend: Backend): boolean {
  if (backend.kind === "registry") return Boolean(backend.render); // applied as its agent reports (registry.ts)
  return backend.kind !== "sync" && backend.method === "ssh" && Boolean(backend.save);
}

/** The canonical script of an object's state on a server: what a save of it, and nothing else, runs. */
export function desiredHash(backend: Backend, server: ServerInfo, model: string, objectId: string, object: Snapshot, lookup?: ServerLookup): string {
  if (backend.kind === "registry") return registryObjectHash(backend, server, object);
  const operation: PendingOperation = { backend: backend.name, action: "save", model, objectId, objectLabel: "", before: object, after: object };
  try {
    // the executable form: a secret (a password hash) that changed is a change to apply
    const { executable } = renderScript(backend, server, [operation], [], lookup);
    return createHash("sha256").update(executable).digest("hex").slice(0, 40);
  } catch (error) {
    // an object the backend refuses to render cannot be in sync
    return `refused:${createHash("sha256").update(String((error as Error).message)).digest("hex").slice(0, 16)}`;
  }
}

/**
 * After a successful run: each save's object is now applied on the server (its canonical hash and
 * state recorded), each delete's object is gone from it. Commands change nothing here.
 */
/** The server row and operation rows a run ran with. */
export type RunContext = { server: Parameters<typeof serverInfo>[0]; operations: ReadonlyArray<Pick<Operation, "id" | "action" | "model" | "objectId" | "objectLabel" | "after">> };

export async function recordApplied(engine: Engine, report: Pick<RunReport, "serverId" | "backend" | "operationIds">, known?: RunContext): Promise<void> {
  if (!engine.registry.has(report.backend)) return;
  const backend = engine.registry.get(report.backend);
  if (!tracksObjects(backend) || report.operationIds.length === 0) return;
  // (the run that just succeeded passes what it ran: the same rows, not read again)
  const [server, operations] = known
    ? [known.server, known.operations]
    : await Promise.all([
        engine.db.server.findUnique({ where: { id: report.serverId } }),
        engine.db.operation.findMany({ where: { id: { in: [...report.operationIds] }, state: "SUCCESS" }, orderBy: { id: "asc" } }),
      ]);
  if (!server) return;
  const info = serverInfo(server);
  const lookup = await serverLookup(engine, backend.asksRouter ?? []);
  // The last operation of each object decides what is applied now; all of it is written in one
  // transaction (a script of 200 objects is a few statements, not 200 round trips).
  const last = new Map<string, (typeof operations)[number]>();
  for (const op of operations) if (op.action === "delete" || (op.action === "save" && op.after)) last.set(`${op.model}\u0000${op.objectId}`, op);
  if (last.size === 0) return;
  const appliedAt = new Date();
  const byModel = new Map<string, string[]>();
  const rows: Array<{ serverId: number; backend: string; model: string; objectId: string; hash: string; snapshot: object; objectLabel: string; operationId: number; appliedAt: Date }> = [];
  for (const op of last.values()) {
    byModel.set(op.model, [...(byModel.get(op.model) ?? []), op.objectId]);
    if (op.action !== "save") continue;
    const after = op.after as Snapshot;
    rows.push({
      serverId: server.id,
      backend: backend.name,
      model: op.model,
      objectId: op.objectId,
      hash: desiredHash(backend, info, op.model, op.objectId, after, lookup),
      snapshot: withoutSecrets(op.model, after) as object,
      objectLabel: op.objectLabel,
      operationId: op.id,
      appliedAt,
    });
  }
  const pair = (model: string, objectId: string) => `${model}\u0000${objectId}`;
  const write = () =>
    engine.db.$transaction(async (tx) => {
      const existing = await tx.appliedState.findMany({
        where: { serverId: server.id, backend: backend.name, OR: [...byModel].map(([model, objectIds]) => ({ model, objectId: { in: objectIds } })) },
        select: { id: true, model: true, objectId: true, operationId: true },
      });
      // A row a later operation wrote stays (this run was overtaken by a newer one of the same object).
      const newer = new Set(existing.filter((e) => e.operationId !== null && e.operationId > last.get(pair(e.model, e.objectId))!.id).map((e) => pair(e.model, e.objectId)));
      const replaced = existing.filter((e) => !newer.has(pair(e.model, e.objectId))).map((e) => e.id);
      if (replaced.length) await tx.appliedState.deleteMany({ where: { id: { in: replaced } } });
      const fresh = rows.filter((r) => !newer.has(pair(r.model, r.objectId)));
      if (fresh.length) await tx.appliedState.createMany({ data: fresh });
    });
  try {
    await write();
  } catch (error) {
    // Another run of the same pair committed its row between this one's read and write (PostgreSQL,
    // read committed): read again, and keep whichever operation is later.
    if ((error as { code?: string }).code !== "P2002") throw error;
    await write();
  }
}

export type Pair = {
  serverId: number;
  server: string;
  backend: string;
  model: string;
  objectId: string;
  label: string;
  state: PairState;
  /** Why, in words (what is queued, what failed, what differs). */
  detail: string;
  operationId: number | null;
  appliedAt: Date | null;
};

export type Leftover = { serverId: number; server: string; backend: string; model: string; objectId: string; label: string; appliedAt: Date };

export type ConvergenceFilter = { serverId?: number; backend?: string; model?: string; objectIds?: string[] };

/**
 * Every pair the active routes select now (optionally for one server, backend, model or objects),
 * with its state; and the applied pairs no route selects any more.
 */
export async function convergence(engine: Engine, filter: ConvergenceFilter = {}): Promise<{ pairs: Pair[]; leftovers: Leftover[] }> {
  const db = engine.db;
  const backends = engine.registry.all().filter((b) => tracksObjects(b) && (!filter.backend || b.name === filter.backend) && (!filter.model || b.model === filter.model));
  if (backends.length === 0) return { pairs: [], leftovers: [] };
  const routes = await db.route.findMany({
    where: { active: true, backend: { in: backends.map((b) => b.name) }, server: { archivedAt: null }, ...(filter.serverId ? { serverId: filter.serverId } : {}) },
    include: { server: true },
    orderBy: { id: "asc" },
  });
  const servers = new Map(routes.map((r) => [r.serverId, serverInfo(r.server)]));
  const pairs: Pair[] = [];
  const selected = new Set<string>();
  const key = (serverId: number, backend: string, model: string, objectId: string) => `${serverId}\u0000${backend}\u0000${model}\u0000${objectId}`;

  for (const backend of backends) {
    const mine = routes.filter((r) => r.backend === backend.name);
    if (mine.length === 0) continue;
    const include = engine.registry.includeFor(backend.model);
    const rows = await delegateOf(db, backend.model).findMany({
      where: filter.objectIds ? { id: { in: filter.objectIds.map(Number) } } : {},
      ...(include ? { include } : {}),
      orderBy: { id: "asc" },
    });
    const objects = rows.map((r) => toSnapshot(r)!);
    const ids = objects.map((o) => String(o.id));
    const serverIds = mine.map((r) => r.serverId);
    const [applied, latest] = await Promise.all([
      db.appliedState.findMany({ where: { backend: backend.name, model: backend.model, serverId: { in: serverIds }, ...(filter.objectIds ? { objectId: { in: ids } } : {}) } }),
      latestOperations(engine, backend.name, backend.model, serverIds, filter.objectIds ? ids : null),
    ]);
    const appliedBy = new Map(applied.map((a) => [key(a.serverId, a.backend, a.model, a.objectId), a]));
    const lookup = await serverLookup(engine, backend.asksRouter ?? []);
    for (const object of objects) {
      const input = routeInput(backend.model, object);
      const id = String(object.id);
      for (const route of mine) {
        if (!selects(route.match, input)) continue;
        const k = key(route.serverId, backend.name, backend.model, id);
        selected.add(k);
        const server = servers.get(route.serverId)!;
        const done = appliedBy.get(k);
        const last = latest.get(`${route.serverId}\u0000${id}`);
        const desired = desiredHash(backend, server, backend.model, id, object, lookup);
        let state: PairState;
        let detail: string;
        if (last && (last.state === "PENDING" || last.state === "RUNNING")) {
          state = "pending";
          detail = `operation #${last.id} (${last.action}) is ${last.state.toLowerCase()}`;
        } else if (last && last.state === "FAILURE" && (!done || (done.operationId ?? 0) < last.id)) {
          state = "failed";
          detail = `operation #${last.id} (${last.action}) failed`;
        } else if (!done) {
          state = "unknown";
          detail = "never applied here since Orchestra records it: re-apply to know";
        } else if (done.hash !== desired) {
          state = "pending";
          detail = "changed since it was applied here (the object, the server's variables or the backend), and not queued: re-apply";
        } else if (done.drift) {
          state = "drifted";
          detail = done.drift;
        } else {
          state = "in sync";
          detail = done.checkedAt ? `applied; checked ${done.checkedAt.toISOString().slice(0, 16).replace("T", " ")}` : "applied";
        }
        pairs.push({ serverId: route.serverId, server: server.name, backend: backend.name, model: backend.model, objectId: id, label: backend.label?.(object) ?? id, state, detail, operationId: last?.id ?? null, appliedAt: done?.appliedAt ?? null });
      }
    }
  }

  const applied = await db.appliedState.findMany({
    where: { backend: { in: backends.map((b) => b.name) }, ...(filter.serverId ? { serverId: filter.serverId } : {}), ...(filter.objectIds ? { objectId: { in: filter.objectIds } } : {}) },
    include: { server: { select: { name: true } } },
    orderBy: { id: "asc" },
  });
  const leftovers = applied
    .filter((a) => !selected.has(key(a.serverId, a.backend, a.model, a.objectId)))
    .map((a) => ({ serverId: a.serverId, server: a.server.name, backend: a.backend, model: a.model, objectId: a.objectId, label: a.objectLabel || a.objectId, appliedAt: a.appliedAt }));
  return { pairs: pairs.sort((a, b) => a.server.localeCompare(b.server) || a.backend.localeCompare(b.backend) || a.label.localeCompare(b.label)), leftovers };
}

/** The newest operation (not a command) of each object on each server, for one backend. */
async function latestOperations(engine: Engine, backend: string, model: string, serverIds: number[], objectIds: string[] | null) {
  const groups = await engine.db.operation.groupBy({
    by: ["serverId", "objectId"],
    where: { backend, model, serverId: { in: serverIds }, action: { in: ["save", "delete"] }, state: { notIn: ["REVOKED", "SUPERSEDED"] }, ...(objectIds ? { objectId: { in: objectIds } } : {}) },
    _max: { id: true },
  });
  const ids = groups.map((g) => g._max.id).filter((id): id is number => id !== null);
  const rows = ids.length ? await engine.db.operation.findMany({ where: { id: { in: ids } }, select: { id: true, serverId: true, objectId: true, state: true, action: true } }) : [];
  return new Map(rows.map((r) => [`${r.serverId}\u0000${r.objectId}`, r]));
}

/** Counts per state (a dashboard tile). */
export function countStates(pairs: readonly Pair[]): Record<PairState, number> {
  const out = Object.fromEntries(PAIR_STATES.map((s) => [s, 0])) as Record<PairState, number>;
  for (const p of pairs) out[p.state]++;
  return out;
}

export type PairRef = { serverId: number; backend: string; model: string; objectId: string };

/**
 * Brings chosen pairs to their desired state in one unit of work: a save of each object as it is now
 * on its server, and a delete (from the state last applied there) of each leftover. Runs them now.
 */
export async function convergePairs(engine: Engine, chosen: { pairs?: PairRef[]; leftovers?: PairRef[] }, userId?: number | null): Promise<{ reports: RunReport[]; skipped: number }> {
  const unitOfWork = `converge:${randomUUID()}`;
  const groups = new Map<string, { route: RouteRow; pending: PendingOperation[] }>();
  const group = (serverId: number, backend: string) => {
    const k = `${serverId}\u0000${backend}`;
    // routed as chosen: exactly this server, whatever the routes say (a leftover has no route here any more)
    if (!groups.has(k)) groups.set(k, { route: { id: 0, backend, serverId, match: "true", async: false, asyncActions: [], active: true }, pending: [] });
    return groups.get(k)!;
  };
  let skipped = 0;
  const ids: number[] = [];
  await engine.db.$transaction(async (tx) => {
    for (const ref of chosen.pairs ?? []) {
      if (!engine.registry.has(ref.backend)) continue;
      const backend = engine.registry.get(ref.backend);
      const include = engine.registry.includeFor(backend.model);
      const row = toSnapshot(await delegateOf(tx, backend.model).findUnique({ where: { id: Number(ref.objectId) }, ...(include ? { include } : {}) }));
      if (!row) {
        skipped++;
        continue;
      }
      group(ref.serverId, backend.name).pending.push({ backend: backend.name, action: "save", model: backend.model, objectId: ref.objectId, objectLabel: objectLabel(backend, backend.model, row, ref.objectId), before: row, after: row });
    }
    for (const ref of chosen.leftovers ?? []) {
      const applied = await tx.appliedState.findUnique({ where: { serverId_backend_model_objectId: { serverId: ref.serverId, backend: ref.backend, model: ref.model, objectId: ref.objectId } } });
      if (!applied?.snapshot || !engine.registry.has(ref.backend)) {
        skipped++;
        continue;
      }
      group(ref.serverId, ref.backend).pending.push({ backend: ref.backend, action: "delete", model: ref.model, objectId: ref.objectId, objectLabel: applied.objectLabel, before: applied.snapshot as Snapshot, after: null });
    }
    for (const { route, pending } of groups.values()) {
      const written = await writeOperations(engine, tx, unitOfWork, pending, [route]);
      ids.push(...written.operations.map((o) => o.id));
    }
  });
  const reports = ids.length ? await runOperations(engine, ids, { userId, heldBy: ownerOf(unitOfWork) }) : [];
  return { reports, skipped };
}
