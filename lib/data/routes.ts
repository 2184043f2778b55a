import "server-only";
import { engine } from "../orchestra";
import { compileMatch, isNamed, MatchError, routeInput } from "../orchestration/router";
import { delegateOf, toSnapshot } from "../orchestration/snapshot";
import { objectLabel } from "../orchestration/backend";
import type { TxDb } from "../orchestration/unit-of-work";
import { stringList } from "./json";

export async function fetchRoutes(db: TxDb) {
  const routes = await db.route.findMany({ include: { server: { select: { id: true, name: true } } }, orderBy: [{ backend: "asc" }, { id: "asc" }] });
  return routes.map((r) => ({ ...r, asyncActions: stringList(r.asyncActions) }));
}

export async function fetchRoute(db: TxDb, id: number) {
  const route = await db.route.findUnique({ where: { id } });
  return route && { ...route, asyncActions: stringList(route.asyncActions) };
}

export async function fetchServerChoices(db: TxDb) {
  // An archived server takes no new routes.
  return db.server.findMany({ where: { archivedAt: null }, select: { id: true, name: true }, orderBy: { name: "asc" } });
}

export function backendChoices() {
  return engine.registry.all().map((b) => ({ name: b.name, title: b.title, model: b.model }));
}

export type MatchPreview = {
  total: number;
  /** Per server: which objects run there (this route with its expression, the others as saved). */
  servers: Array<{ server: string; thisRoute: boolean; objects: string[] }>;
  nowhere: string[];
  errors: string[];
};

/** CPU time one preview may spend evaluating; it yields to other requests between slices. */
const PREVIEW_BUDGET_MS = 1_000;
const SLICE_MS = 20;

/**
 * Which existing objects of the backend's model (at most 500 looked at) would run on which servers if
 * this route had this expression: the route being edited plus the other active routes of the backend.
 * A viewer may call this with any expression: each evaluation is bounded (cel-bounds.ts), an
 * expression that hits a limit is not evaluated again, and the whole preview has a time budget.
 */
export async function previewMatch(db: TxDb, backendName: string, match: string, serverId: number | null, routeId: number | null): Promise<MatchPreview> {
  const backend = engine.registry.get(backendName);
  const include = engine.registry.includeFor(backend.model);
  const delegate = delegateOf(db, backend.model);
  const [rows, others, servers] = await Promise.all([
    delegate.findMany({ take: 500, orderBy: { id: "asc" }, ...(include ? { include } : {}) }),
    db.route.findMany({ where: { backend: backendName, active: true, ...(routeId ? { id: { not: routeId } } : {}) }, orderBy: { id: "asc" } }),
    db.server.findMany({ select: { id: true, name: true } }),
  ]);
  const candidates = [
    ...(serverId ? [{ serverId, match: match || "true", thisRoute: true }] : []),
    ...others.filter((r) => r.serverId !== serverId).map((r) => ({ serverId: r.serverId, match: r.match, thisRoute: false })),
  ];
  const preview: MatchPreview = {
    total: rows.length,
    servers: candidates.map((c) => ({ server: servers.find((s) => s.id === c.serverId)?.name ?? `#${c.serverId}`, thisRoute: c.thisRoute, objects: [] })),
    nowhere: [],
    errors: [],
  };
  const overLimit = new Set<number>();
  let spent = 0;
  let slice = performance.now();
  for (const [n, row] of rows.entries()) {
    if (performance.now() - slice > SLICE_MS) {
      spent += performance.now() - slice;
      if (spent > PREVIEW_BUDGET_MS) {
        preview.errors.push(`the preview stopped after ${n} of ${rows.length} objects: it used its ${PREVIEW_BUDGET_MS} ms budget`);
        break;
      }
      await new Promise((resolve) => setImmediate(resolve));
      slice = performance.now();
    }
    const snapshot = toSnapshot(row)!;
    const label = objectLabel(backend, backend.model, snapshot, String(row.id));
    const input = routeInput(backend.model, snapshot);
    let anywhere = false;
    candidates.forEach((c, i) => {
      if (overLimit.has(i)) return;
      try {
        if (compileMatch(c.match).cel(input)) {
          preview.servers[i].objects.push(label);
          anywhere = true;
        }
      } catch (error) {
        if (isNamed(error, "MatchError") && (error as MatchError).limit) overLimit.add(i);
        preview.errors.push(`${label} on ${preview.servers[i].server}: ${(error as Error).message}`);
      }
    });
    if (!anywhere) preview.nowhere.push(label);
  }
  return preview;
}
