// The unit of work: `orchestrate(engine, fn)` runs `fn` in one database transaction with a client whose
// writes to watched models (those some backend declares, or relates to) are seen as they happen. At the
// end of `fn`, still inside the transaction, the changes are merged into operations, routed, and written
// as Operation rows: model rows and operations commit together or not at all (the outbox).
import { AsyncLocalStorage } from "node:async_hooks";
import { randomUUID } from "node:crypto";
import type { Db } from "../db-client";
import type { Operation } from "../../generated/sqlite/client";
import { Collector } from "./collector";
import { routeAsync, routeOperations, type RouteRow } from "./router";
import { delegateOf, toSnapshot } from "./snapshot";
import type { ChangeKind, PendingOperation, Snapshot } from "./types";
import type { Engine } from "./engine";
import { identityOf, leaseUntil, newOwner } from "./outbox";
import { agentSignal, bumpAgents, isRegistry } from "./registry";

export type TxDb = Omit<Db, "$connect" | "$disconnect" | "$on" | "$transaction" | "$extends">;

export type Store = { tx: TxDb; collector: Collector; engine: Engine; routed: Array<{ operation: PendingOperation; route: RouteRow }> };

/**
 * Adds operations already routed (to exactly their server) to the unit of work in progress, e.g. the
 * moves of a route change. Written with the unit's other operations, in the same transaction.
 */
export function enqueueRouted(engine: Engine, routed: ReadonlyArray<{ operation: PendingOperation; route: RouteRow }>): void {
  const store = engine.storage.getStore();
  if (!store) throw new Error("enqueueRouted needs a unit of work in progress");
  store.routed.push(...routed);
}

/** The unit of work in progress. Kept on the engine, not in module state: Next.js may load this module
 * in several bundles, and the capturing client and orchestrate() must share one store. */
export function createStorage() {
  return new AsyncLocalStorage<Store>();
}

export type OperationRow = Pick<Operation, "id" | "backend" | "action" | "model" | "objectId" | "objectLabel" | "serverId" | "async">;

export type UnitOfWorkResult<T> = {
  result: T;
  unitOfWork: string;
  /** Operation rows written (one per operation and server it was routed to). */
  operations: OperationRow[];
  /** Operations no active route matched: nothing to run, but worth telling the operator. */
  unrouted: PendingOperation[];
  routeErrors: string[];
  /** Servers whose agents pull a new configuration (registry routes): no Operation rows for those. */
  pulled?: number[];
};

type Row = { id: number | string } & Record<string, unknown>;

const WRITES = new Set(["create", "createMany", "createManyAndReturn", "update", "updateMany", "updateManyAndReturn", "upsert", "delete", "deleteMany"]);

/** The engine's database client with change capture installed (made once per engine). */
export function capturingClient(engine: Engine): Db {
  const watched = engine.registry.watchedModels();
  return engine.db.$extends({
    query: {
      $allModels: {
        async $allOperations({ model, operation, args, query }) {
          const store = engine.storage.getStore();
          if (!store || !watched.has(model) || !WRITES.has(operation)) return query(args);
          return capture(store, model, operation, args as Record<string, unknown>, query as (a: unknown) => Promise<unknown>);
        },
      },
    },
  }) as unknown as Db;
}

async function capture(store: Store, model: string, operation: string, args: Record<string, unknown>, query: (a: unknown) => Promise<unknown>) {
  const delegate = delegateOf(store.tx, model);
  const include = store.engine.registry.includeFor(model);
  const load = (where: unknown) => delegate.findUnique({ where, ...(include ? { include } : {}) });
  const loadMany = (where: unknown) => delegate.findMany({ where, ...(include ? { include } : {}), orderBy: { id: "asc" } });
  const record = (kind: ChangeKind, before: Row | null, after: Row | null) => {
    const id = String((after ?? before)!.id);
    store.collector.add({ model, kind, objectId: id, before: toSnapshot(before), after: toSnapshot(after) });
  };
  // A write to a related row (a website's domain) changes its main object: snapshot that object before
  // the write, from the rows it touches and the data it writes (their foreign keys).
  const related = store.collector.isRelated(model);
  const beforeWrite = async (...rows: unknown[]) => {
    if (!related) return;
    const flat = rows.flatMap((r) => (Array.isArray(r) ? r : [r])).filter((r): r is Record<string, unknown> => typeof r === "object" && r !== null);
    await store.collector.beforeRelatedWrite(model, flat, (main, id) => loadMain(store, main, id));
  };

  switch (operation) {
    case "create": {
      await beforeWrite(args.data);
      const result = (await query(args)) as Row;
      const after = result?.id !== undefined ? await load({ id: result.id }) : null;
      if (after) record("create", null, after);
      return result;
    }
    case "createMany": {
      await beforeWrite(args.data);
      // createMany returns no ids: run it as createManyAndReturn so every new row is seen.
      const rows = await delegate.createManyAndReturn({ data: args.data, ...(args.skipDuplicates ? { skipDuplicates: true } : {}) });
      return { count: rows.length };
    }
    case "createManyAndReturn": {
      await beforeWrite(args.data);
      const result = (await query(args)) as Row[];
      const ids = result.map((r) => r.id).filter((id) => id !== undefined);
      for (const after of await loadMany({ id: { in: ids } })) record("create", null, after);
      return result;
    }
    case "update": {
      const before = await load(args.where);
      await beforeWrite(before, args.data);
      const result = (await query(args)) as Row;
      if (before) record("update", before, await load({ id: before.id }));
      return result;
    }
    case "upsert": {
      const before = await load(args.where);
      await beforeWrite(before, before ? args.update : args.create);
      const result = (await query(args)) as Row;
      const after = await load(before ? { id: before.id } : result?.id !== undefined ? { id: result.id } : args.where);
      if (after) record(before ? "update" : "create", before, after);
      return result;
    }
    case "updateMany":
    case "updateManyAndReturn": {
      const befores = await loadMany(args.where ?? {});
      await beforeWrite(befores, befores.length ? args.data : null);
      const result = await query(args);
      const afters = await loadMany({ id: { in: befores.map((b) => b.id) } });
      for (const before of befores) record("update", before, afters.find((a) => a.id === before.id) ?? null);
      return result;
    }
    case "delete": {
      const before = await load(args.where);
      await beforeWrite(before);
      const result = await query(args);
      if (before) record("delete", before, null);
      return result;
    }
    case "deleteMany": {
      const befores = await loadMany(args.where ?? {});
      await beforeWrite(befores);
      const result = await query(args);
      for (const before of befores) record("delete", before, null);
      return result;
    }
    default:
      return query(args);
  }
}

/** A main object's snapshot (with the relations its backends include), read inside the unit's transaction. */
async function loadMain(store: Store, model: string, id: string) {
  const include = store.engine.registry.includeFor(model);
  const delegate = delegateOf(store.tx, model);
  return toSnapshot(await delegate.findUnique({ where: { id: Number(id) }, ...(include ? { include } : {}) }));
}

/** The lease owner of a unit of work's synchronous operations. */
export function ownerOf(unitOfWork: string) {
  return newOwner("uow", unitOfWork);
}

export type OrchestrateOptions = { unitOfWork?: string; timeoutMs?: number };

/**
 * Runs `fn` as one unit of work. Nothing reaches a server here: the caller dispatches the returned
 * operations after the commit (see dispatcher.ts). An exception in `fn` rolls back model writes and
 * operations alike. Nested calls join the outer unit of work.
 */
export async function orchestrate<T>(engine: Engine, fn: (tx: TxDb) => Promise<T>, options: OrchestrateOptions = {}): Promise<UnitOfWorkResult<T>> {
  const outer = engine.storage.getStore();
  if (outer) {
    const result = await fn(outer.tx);
    // (joined: the outer unit writes and returns the operations)
    return { result, unitOfWork: "(joined)", operations: [], unrouted: [], routeErrors: [] };
  }
  const unitOfWork = options.unitOfWork ?? randomUUID();
  const unit = await engine.capturing.$transaction(
    async (tx) => {
      const store: Store = { tx: tx as unknown as TxDb, collector: new Collector(engine.registry), engine, routed: [] };
      // Prisma queries are lazy: await inside the context so they execute where the store is visible.
      const result = await engine.storage.run(store, async () => await fn(store.tx));
      const pending = await store.collector.operations((model, id) => loadMain(store, model, id));
      const written = await writeOperations(engine, store.tx, unitOfWork, pending);
      // operations routed by the caller (route moves): each group to its one server
      const groups = new Map<string, { route: RouteRow; pending: PendingOperation[] }>();
      for (const { operation, route } of store.routed) {
        const k = `${route.serverId}\u0000${route.backend}`;
        if (!groups.has(k)) groups.set(k, { route, pending: [] });
        groups.get(k)!.pending.push(operation);
      }
      for (const { route, pending: ops } of groups.values()) {
        const more = await writeOperations(engine, store.tx, unitOfWork, ops, [route]);
        written.operations.push(...more.operations);
        written.pulled.push(...more.pulled);
      }
      return { result, unitOfWork, ...written };
    },
    { timeout: options.timeoutMs ?? 60_000, maxWait: 15_000 },
  );
  // committed: this process's waiting agents need not wait for their next look at the counter
  for (const serverId of new Set(unit.pulled)) agentSignal().emit("changed", serverId);
  return unit;
}

/** Routes operations and writes one Operation row per (operation, matching route). */
export async function writeOperations(engine: Engine, tx: TxDb, unitOfWork: string, pending: readonly PendingOperation[], onlyRoutes?: RouteRow[]) {
  if (pending.length === 0) return { operations: [], unrouted: [], routeErrors: [], pulled: [] as number[] };
  const routes =
    onlyRoutes ??
    ((await tx.route.findMany({
      where: { active: true, server: { archivedAt: null }, backend: { in: [...new Set(pending.map((p) => p.backend))] } },
      orderBy: { id: "asc" },
    })) as RouteRow[]);
  const { routed: all, unrouted, errors } = routeOperations(pending, routes);
  // Registry backends are pulled by the server's agent: the change is a new version for it, not a run.
  const pulledBy = (r: (typeof all)[number]) => engine.registry.has(r.operation.backend) && isRegistry(engine.registry.get(r.operation.backend));
  const pulled = [...new Set(all.filter(pulledBy).map((r) => r.route.serverId))];
  await bumpAgents(tx, pulled);
  const routed = all.filter((r) => !pulledBy(r));
  // Synchronous operations are leased to this unit of work, so no worker takes them before the
  // request runs them; if the process dies first, the lease expires and a worker does.
  const owner = ownerOf(unitOfWork);
  const until = leaseUntil(engine);
  const createdAt = engine.now();
  const data = routed.map(({ operation, route }) => ({
    unitOfWork,
    backend: operation.backend,
    action: operation.action,
    model: operation.model,
    objectId: operation.objectId,
    objectLabel: operation.objectLabel,
    identity: identityOf(engine.registry.has(operation.backend) ? engine.registry.get(operation.backend) : undefined, operation),
    before: (operation.before ?? undefined) as Snapshot | undefined,
    after: (operation.after ?? undefined) as Snapshot | undefined,
    serverId: route.serverId,
    async: routeAsync(route, operation.action),
    ...(routeAsync(route, operation.action) ? {} : { leaseOwner: owner, leaseUntil: until }),
    runAfter: createdAt, // (on the database's clock, as every lease and due time is compared)
  }));
  const select = { id: true, backend: true, action: true, model: true, objectId: true, objectLabel: true, serverId: true, async: true } as const;
  const operations = data.length
    ? ((await tx.operation.createManyAndReturn({ data: data as never, select })) as OperationRow[]).sort((a, b) => a.id - b.id)
    : [];
  return {
    operations,
    unrouted,
    routeErrors: errors.map((e) => `route #${e.route.id} (${e.route.backend}) for ${e.operation.objectLabel}: ${e.error}`),
    pulled,
  };
}
