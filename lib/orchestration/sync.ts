// For sync-kind backends: the current objects that the backend's active routes send to a server.
import type { Engine } from "./engine";
import { routeInput, selects } from "./router";
import { delegateOf, toSnapshot } from "./snapshot";
import type { ServerLookup } from "./script";
import { serverInfo, type ServerInfo, type Snapshot } from "./types";

export async function syncObjects(engine: Engine, backendName: string, serverId: number): Promise<Snapshot[]> {
  const backend = engine.registry.get(backendName);
  const routes = await engine.db.route.findMany({ where: { backend: backendName, serverId, active: true } });
  if (routes.length === 0) return [];
  const include = engine.registry.includeFor(backend.model);
  const rows = (await delegateOf(engine.db, backend.model).findMany({ orderBy: { id: "asc" }, ...(include ? { include } : {}) })).map((r) => toSnapshot(r)!);
  return rows.filter((row) => {
    const input = routeInput(backend.model, row);
    return routes.some((r) => selects(r.match, input));
  });
}

/**
 * For backends that ask the router (`Backend.asksRouter`): the servers whose active routes of a backend
 * match an object, loaded once per render. Archived servers are left out, as routing does.
 */
export async function serverLookup(engine: Engine, backendNames: readonly string[]): Promise<ServerLookup> {
  if (backendNames.length === 0) return () => [];
  const routes = await engine.db.route.findMany({
    where: { backend: { in: [...backendNames] }, active: true, server: { archivedAt: null } },
    include: { server: true },
    orderBy: { id: "asc" },
  });
  return (backend, object) => {
    const model = engine.registry.has(backend) ? engine.registry.get(backend).model : "";
    const input = routeInput(model, object);
    const out = new Map<number, ServerInfo>();
    for (const route of routes) {
      if (route.backend !== backend || out.has(route.serverId)) continue;
      if (selects(route.match, input)) out.set(route.serverId, serverInfo(route.server));
    }
    return [...out.values()];
  };
}
