// The registry strategy: a registry-kind backend is never pushed. The unit of work that changes what
// its routes send to a server bumps that server's agent counter (Agent.configVersion) in the same
// transaction instead of writing Operation rows; the agent's long-poll (lib/agent/api.ts) sees the new
// counter, and `renderRegistry` renders the whole configuration of the server from the current rows,
// memoryless like a sync backend. The version the agent sees is a hash of what was rendered, so a
// change that renders the same files wakes nobody for nothing.
import { createHash } from "node:crypto";
import { EventEmitter } from "node:events";
import type { Backend, RegistryConfig } from "./backend";
import type { Engine } from "./engine";
import { renderContext } from "./script";
import { syncObjects } from "./sync";
import { withoutSecrets } from "./secret-fields";
import { serverInfo, type ServerInfo, type Snapshot } from "./types";
import type { TxDb } from "./unit-of-work";

export function isRegistry(backend: Backend | undefined): boolean {
  return backend?.kind === "registry";
}

/** The configuration document an agent receives: one entry per registry backend routed to its server. */
export type AgentConfig = {
  server: string;
  version: string;
  backends: Array<({ backend: string } & RegistryConfig) | { backend: string; error: string }>;
};

/** Everything the registry backends' active routes send to a server, and its version (ETag). */
export async function renderRegistry(engine: Engine, serverId: number): Promise<AgentConfig> {
  const row = await engine.db.server.findUniqueOrThrow({ where: { id: serverId } });
  const server = serverInfo(row);
  const routed = row.archivedAt
    ? []
    : await engine.db.route.findMany({ where: { serverId, active: true, backend: { in: engine.registry.all().filter(isRegistry).map((b) => b.name) } }, select: { backend: true }, distinct: ["backend"], orderBy: { backend: "asc" } });
  const backends: AgentConfig["backends"] = [];
  for (const { backend: name } of routed) {
    const backend = engine.registry.get(name);
    try {
      const objects = await syncObjects(engine, name, serverId);
      backends.push({ backend: name, ...backend.render!(renderContext(backend, server), objects) });
    } catch (error) {
      // an object the backend refuses: the agent leaves this backend's files as they are and says so
      backends.push({ backend: name, error: (error as Error).message });
    }
  }
  const version = createHash("sha256").update(JSON.stringify({ server: server.name, backends })).digest("hex").slice(0, 32);
  return { server: server.name, version, backends };
}

/** Inside a unit of work: the agents of these servers have a new configuration to fetch. */
export async function bumpAgents(tx: TxDb, serverIds: readonly number[]): Promise<void> {
  if (serverIds.length === 0) return;
  await tx.agent.updateMany({ where: { serverId: { in: [...new Set(serverIds)].sort((a, b) => a - b) } }, data: { configVersion: { increment: 1 } } });
}

/** Wakes this process's long-polls at once after a commit (other web nodes see the counter by polling). */
export function agentSignal(): EventEmitter {
  const store = globalThis as unknown as { orchestraAgentSignal?: EventEmitter };
  if (!store.orchestraAgentSignal) {
    store.orchestraAgentSignal = new EventEmitter();
    store.orchestraAgentSignal.setMaxListeners(0);
  }
  return store.orchestraAgentSignal;
}

/** What one object renders to on a server (its files and roots): the convergence hash of a pulled pair. */
export function registryObjectHash(backend: Backend, server: ServerInfo, object: Snapshot): string {
  try {
    const { files, roots } = backend.render!(renderContext(backend, server), [object]);
    return createHash("sha256").update(JSON.stringify({ files, roots })).digest("hex").slice(0, 40);
  } catch (error) {
    return `refused:${createHash("sha256").update(String((error as Error).message)).digest("hex").slice(0, 16)}`;
  }
}

/**
 * After an agent reported `version` applied for these backends: when that is still the server's
 * current configuration, each object it holds is recorded as applied there (AppliedState, as a push
 * run records it) and objects it no longer holds are forgotten. An older version is left to the
 * report of the newer one.
 */
export async function recordPulled(engine: Engine, serverId: number, version: string, backendNames: readonly string[]): Promise<void> {
  if (backendNames.length === 0) return;
  const current = await renderRegistry(engine, serverId);
  if (current.version !== version) return;
  const row = await engine.db.server.findUniqueOrThrow({ where: { id: serverId } });
  const server = serverInfo(row);
  // a backend no longer routed here, whose files the agent removed: nothing of it is applied any more
  const gone = backendNames.filter((name) => !current.backends.some((b) => b.backend === name));
  if (gone.length) await engine.db.appliedState.deleteMany({ where: { serverId, backend: { in: gone } } });
  for (const entry of current.backends) {
    if ("error" in entry || !backendNames.includes(entry.backend)) continue;
    const backend = engine.registry.get(entry.backend);
    const objects = await syncObjects(engine, backend.name, serverId);
    const ids = objects.map((o) => String(o.id));
    await engine.db.appliedState.deleteMany({ where: { serverId, backend: backend.name, model: backend.model, objectId: { notIn: ids } } });
    for (const object of objects) {
      const objectId = String(object.id);
      const data = {
        hash: registryObjectHash(backend, server, object),
        snapshot: withoutSecrets(backend.model, object) as object,
        objectLabel: backend.label?.(object) ?? String(object.name ?? objectId),
        appliedAt: new Date(),
        drift: null,
        checkedAt: null,
      };
      await engine.db.appliedState.upsert({
        where: { serverId_backend_model_objectId: { serverId, backend: backend.name, model: backend.model, objectId } },
        create: { serverId, backend: backend.name, model: backend.model, objectId, ...data },
        update: data,
      });
    }
  }
}
