// For sync-kind backends: the current objects that the backend's active routes send to a server.
import type { Engine } from "./engine";
import { compileMatch } from "./router";
import { delegateOf, toSnapshot } from "./snapshot";
import type { Snapshot } from "./types";

export async function syncObjects(engine: Engine, backendName: string, serverId: number): Promise<Snapshot[]> {
  const backend = engine.registry.get(backendName);
  const routes = await engine.db.route.findMany({ where: { backend: backendName, serverId, active: true } });
  if (routes.length === 0) return [];
  const include = engine.registry.includeFor(backend.model);
  const rows = (await delegateOf(engine.db, backend.model).findMany({ orderBy: { id: "asc" }, ...(include ? { include } : {}) })).map((r) => toSnapshot(r)!);
  const matches = routes.map((r) => compileMatch(r.match));
  return rows.filter((row) =>
    matches.some((m) => {
      try {
        return m(row);
      } catch {
        return false;
      }
    }),
  );
}
