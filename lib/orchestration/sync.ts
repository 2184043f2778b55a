// For sync-kind backends: the current objects that the backend's active routes send to a server.
import type { Engine } from "./engine";
import { compileMatch, routeInput } from "./router";
import { delegateOf, toSnapshot } from "./snapshot";
import type { Snapshot } from "./types";

export async function syncObjects(engine: Engine, backendName: string, serverId: number): Promise<Snapshot[]> {
  const backend = engine.registry.get(backendName);
  const routes = await engine.db.route.findMany({ where: { backend: backendName, serverId, active: true } });
  if (routes.length === 0) return [];
  const include = engine.registry.includeFor(backend.model);
  const rows = (await delegateOf(engine.db, backend.model).findMany({ orderBy: { id: "asc" }, ...(include ? { include } : {}) })).map((r) => toSnapshot(r)!);
  return rows.filter((row) => {
    const input = routeInput(backend.model, row);
    return routes.some((r) => {
      try {
        return compileMatch(r.match).cel(input);
      } catch {
        return false; // an expression that cannot be compiled or evaluated selects nothing
      }
    });
  });
}
