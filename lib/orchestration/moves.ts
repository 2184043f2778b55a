// Route changes move configuration: when a route is added, changed (match, server, backend, active)
// or removed, the objects it selected leave the servers that no longer get them (a delete there) and
// arrive on the servers that now do (a save there), in the same unit of work as the route change. An
// object another route still sends to the same server stays where it is.
import type { Engine } from "./engine";
import { objectLabel } from "./backend";
import { routeInput, selects, type RouteRow } from "./router";
import { delegateOf, toSnapshot } from "./snapshot";
import type { TxDb } from "./unit-of-work";
import type { PendingOperation, Snapshot } from "./types";

export type RouteDef = { id?: number; backend: string; serverId: number; match: string; active: boolean };

export type Move = { serverId: number; server: string; backend: string; model: string; objectId: string; label: string; action: "save" | "delete"; object: Snapshot };

type Client = Pick<TxDb, "route" | "server">;

/** Which objects leave which servers and arrive on which, if route `before` became `after` (null: none). */
export async function routeMoves(engine: Engine, db: Client, before: RouteDef | null, after: RouteDef | null, limit = 5000): Promise<Move[]> {
  const backends = [...new Set([before, after].filter((r): r is RouteDef => r !== null).map((r) => r.backend))].filter((b) => engine.registry.has(b));
  const moves: Move[] = [];
  for (const name of backends) {
    const backend = engine.registry.get(name);
    if (backend.method !== "ssh") continue;
    const others = (await db.route.findMany({ where: { backend: name, active: true, server: { archivedAt: null }, ...(before?.id ? { id: { not: before.id } } : {}) } })) as RouteRow[];
    const live = (r: RouteDef | null) => (r && r.active && r.backend === name ? [r] : []);
    const now = [...others, ...live(before)];
    const next = [...others, ...live(after)];
    const touched = new Set([...live(before), ...live(after)].map((r) => r.serverId));
    if (touched.size === 0) continue;
    const archived = new Set((await db.server.findMany({ where: { id: { in: [...touched] }, archivedAt: { not: null } }, select: { id: true } })).map((s) => s.id));
    const names = new Map((await db.server.findMany({ where: { id: { in: [...touched] } }, select: { id: true, name: true } })).map((s) => [s.id, s.name]));
    const include = engine.registry.includeFor(backend.model);
    const rows = await delegateOf(db as unknown as object, backend.model).findMany({ ...(include ? { include } : {}), orderBy: { id: "asc" } });
    const servers = (routes: RouteDef[], input: ReturnType<typeof routeInput>) =>
      new Set(
        routes
          .filter((r) => touched.has(r.serverId) && !archived.has(r.serverId))
          .filter((r) => selects(r.match, input))
          .map((r) => r.serverId),
      );
    for (const row of rows) {
      const object = toSnapshot(row)!;
      const input = routeInput(backend.model, object);
      const [from, to] = [servers(now, input), servers(next, input)];
      const label = objectLabel(backend, backend.model, object, String(row.id));
      const move = (serverId: number, action: "save" | "delete") => moves.push({ serverId, server: names.get(serverId) ?? `#${serverId}`, backend: name, model: backend.model, objectId: String(row.id), label, action, object });
      for (const s of from) if (!to.has(s)) move(s, "delete");
      for (const s of to) if (!from.has(s)) move(s, "save");
      if (moves.length > limit) throw new Error(`this route change moves more than ${limit} objects: split it, or re-apply from the Convergence page`);
    }
  }
  return moves;
}

/** Moves as operations, each routed to exactly its server. */
export function moveOperations(moves: readonly Move[]): Array<{ operation: PendingOperation; route: RouteRow }> {
  return moves.map((m) => ({
    operation: { backend: m.backend, action: m.action, model: m.model, objectId: m.objectId, objectLabel: m.label, before: m.object, after: m.action === "save" ? m.object : null },
    route: { id: 0, backend: m.backend, serverId: m.serverId, match: "true", async: false, asyncActions: [], active: true },
  }));
}

/** One line for a preview or a banner. */
export function describeMoves(moves: readonly Move[]): string {
  if (moves.length === 0) return "On save, no object moves between servers.";
  const by = (action: string) => {
    const groups = new Map<string, string[]>();
    for (const m of moves.filter((x) => x.action === action)) groups.set(m.server, [...(groups.get(m.server) ?? []), m.label]);
    return [...groups].map(([server, labels]) => `${server}: ${labels.slice(0, 10).join(", ")}${labels.length > 10 ? ` and ${labels.length - 10} more` : ""}`);
  };
  const leave = by("delete");
  const arrive = by("save");
  return `On save: ${[leave.length && `removed from ${leave.join("; ")}`, arrive.length && `applied on ${arrive.join("; ")}`].filter(Boolean).join(" · ")}.`;
}
