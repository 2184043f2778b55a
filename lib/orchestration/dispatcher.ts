// Runs committed operations: grouped into one script per (server, backend) in first-seen order;
// servers in parallel, the scripts of one server one after another; a `serialize` backend one script
// at a time across all servers.
import type { Engine } from "./engine";
import { groupOperation, runGroup, type GroupOperation, type RunOptions, type RunReport } from "./runner";

type OperationWithServer = Parameters<typeof groupOperation>[0] & {
  serverId: number;
  server: Parameters<typeof runGroup>[1];
};

export type Group = { server: OperationWithServer["server"]; backend: string; operations: GroupOperation[] };

/** Groups operations per (server, backend), keeping the order in which they were committed. */
export function groupOperations(rows: readonly OperationWithServer[]): Group[] {
  const groups = new Map<string, Group>();
  for (const row of [...rows].sort((a, b) => a.id - b.id)) {
    const key = `${row.serverId}\u0000${row.backend}`;
    let group = groups.get(key);
    if (!group) groups.set(key, (group = { server: row.server, backend: row.backend, operations: [] }));
    group.operations.push(groupOperation(row));
  }
  return [...groups.values()];
}

const serialLocks = new Map<string, Promise<unknown>>();

async function serialized<T>(name: string, fn: () => Promise<T>): Promise<T> {
  const previous = serialLocks.get(name) ?? Promise.resolve();
  const next = previous.catch(() => undefined).then(fn);
  serialLocks.set(name, next);
  try {
    return await next;
  } finally {
    if (serialLocks.get(name) === next) serialLocks.delete(name);
  }
}

export async function runGroups(engine: Engine, groups: readonly Group[], options: RunOptions = {}): Promise<RunReport[]> {
  const byServer = new Map<number, Group[]>();
  for (const group of groups) byServer.set(group.server.id, [...(byServer.get(group.server.id) ?? []), group]);
  const perServer = await Promise.all(
    [...byServer.values()].map(async (serverGroups) => {
      const reports: RunReport[] = [];
      for (const group of serverGroups) {
        const backend = engine.registry.get(group.backend);
        const run = () => runGroup(engine, group.server, group.backend, group.operations, options);
        reports.push(await (backend.serialize ? serialized(backend.name, run) : run()));
      }
      return reports;
    }),
  );
  return perServer.flat().sort((a, b) => a.logId - b.logId);
}

/** Runs the given pending operations now (the synchronous path, after the unit of work committed). */
export async function runOperations(engine: Engine, operationIds: readonly number[], options: RunOptions = {}): Promise<RunReport[]> {
  if (operationIds.length === 0) return [];
  const rows = await engine.db.operation.findMany({
    where: { id: { in: [...operationIds] }, state: "PENDING" },
    include: { server: true },
    orderBy: { id: "asc" },
  });
  return runGroups(engine, groupOperations(rows), options);
}
