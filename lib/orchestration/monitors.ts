// Resource monitors: a read-only monitor script per (server, backend) prints each routed object's usage
// of the backend's resources (a home directory's size, a site's traffic, a database's size) as numbers,
// stored as a time series (ResourceData). A resource's value is the sum of the latest measurement on
// each server; crossing its limit is recorded once (ResourceLimit.exceededAt), raises a
// "resource-exceeded" notification and runs the resource's exceeded action through the normal
// pipeline; coming back under runs its recovery action. Monitor runs are logged (method "monitor").
import { randomBytes } from "node:crypto";
import type { Backend, ResourceAction, ResourceSpec } from "./backend";
import type { Engine } from "./engine";
import { runSelection } from "./manual";
import { raise } from "./notify";
import { MaskedOutput } from "./output";
import { routeInput, selects } from "./router";
import type { RunReport } from "./runner";
import { parseMeasurements, renderMonitor } from "./script";
import { delegateOf, toSnapshot } from "./snapshot";
import { serverLookup } from "./sync";
import { runUnitOfWork } from "./dispatcher";
import { orchestrate } from "./unit-of-work";
import { serverInfo, type Snapshot } from "./types";

export type MonitorFilter = { serverId?: number; backend?: string; model?: string; objectIds?: string[] };

export type ResourceCrossing = { model: string; objectId: string; label: string; resource: string; value: number; limit: number | null; unit: string; direction: "exceeded" | "recovered"; action: string | null; runs: RunReport[] };

export type MonitorResult = {
  /** Measurements stored. */
  measured: number;
  logs: Array<{ logId: number; server: string; backend: string; state: string }>;
  crossings: ResourceCrossing[];
};

/** Characters of a monitor's stdout that are parsed (the log keeps the engine's output limit). */
const PARSED_OUTPUT_LIMIT = 4 * 1024 * 1024;

/** The resources of a model (from any of its backends: the service gives each the same list). */
export function resourcesOf(engine: Engine, model: string): readonly ResourceSpec[] {
  return engine.registry.forModel(model).find((b) => b.resources?.length)?.resources ?? [];
}

/** Measures every routed (object, server) pair of the backends with monitors, in scope; then checks limits. */
export async function measureResources(engine: Engine, filter: MonitorFilter = {}, userId?: number | null): Promise<MonitorResult> {
  const backends = engine.registry.all().filter((b) => b.method === "ssh" && Object.keys(b.monitors ?? {}).length > 0 && (!filter.backend || b.name === filter.backend) && (!filter.model || b.model === filter.model));
  const result: MonitorResult = { measured: 0, logs: [], crossings: [] };
  const touched = new Map<string, { model: string; objectId: string; label: string; object: Snapshot }>();
  for (const backend of backends) {
    const routes = await engine.db.route.findMany({
      where: { active: true, backend: backend.name, server: { archivedAt: null }, ...(filter.serverId ? { serverId: filter.serverId } : {}) },
      include: { server: true },
      orderBy: { id: "asc" },
    });
    if (routes.length === 0) continue;
    const include = engine.registry.includeFor(backend.model);
    const rows = await delegateOf(engine.db, backend.model).findMany({ where: filter.objectIds ? { id: { in: filter.objectIds.map(Number) } } : {}, ...(include ? { include } : {}), orderBy: { id: "asc" } });
    const objects = rows.map((r) => toSnapshot(r)!);
    const perServer = new Map<number, { server: (typeof routes)[number]["server"]; objects: Snapshot[] }>();
    for (const object of objects) {
      const input = routeInput(backend.model, object);
      for (const route of routes) {
        if (!selects(route.match, input)) continue;
        const group = perServer.get(route.serverId) ?? { server: route.server, objects: [] };
        if (!group.objects.includes(object)) group.objects.push(object);
        perServer.set(route.serverId, group);
      }
    }
    const lookup = await serverLookup(engine, backend.asksRouter ?? []);
    for (const { server, objects: routed } of perServer.values()) {
      const measured = await measureOnServer(engine, backend, serverInfo(server), routed, lookup, userId, result);
      for (const object of measured) {
        const objectId = String(object.id);
        touched.set(`${backend.model}\u0000${objectId}`, { model: backend.model, objectId, label: backend.label?.(object) ?? objectId, object });
      }
    }
  }
  for (const object of touched.values()) result.crossings.push(...(await evaluateLimits(engine, object, userId)));
  return result;
}

/** One monitor run; returns the objects that got a measurement. */
async function measureOnServer(engine: Engine, backend: Backend, server: ReturnType<typeof serverInfo>, objects: Snapshot[], lookup: Awaited<ReturnType<typeof serverLookup>>, userId: number | null | undefined, result: MonitorResult): Promise<Snapshot[]> {
  const nonce = randomBytes(8).toString("hex");
  const base = { backend: backend.name, serverId: server.id, method: "monitor", createdById: userId ?? null };
  let rendered;
  try {
    rendered = renderMonitor(backend, server, objects.map((o) => ({ id: String(o.id), object: o })), nonce, lookup);
  } catch (error) {
    const log = await engine.db.scriptLog.create({ data: { ...base, state: "ERROR", stderr: `[orchestra] rendering the monitor failed: ${(error as Error).message}\n`, finishedAt: new Date() } });
    result.logs.push({ logId: log.id, server: server.name, backend: backend.name, state: "ERROR" });
    return [];
  }
  const log = await engine.db.scriptLog.create({ data: { ...base, script: rendered.text, state: "STARTED", startedAt: new Date() } });
  const stdout = new MaskedOutput(engine.outputLimit, rendered.secrets);
  const stderr = new MaskedOutput(engine.outputLimit, rendered.secrets);
  let full = "";
  const execution = await engine.executor.run(server, rendered.executable, {
    timeoutMs: engine.scriptTimeoutMs,
    onOutput: (stream, chunk) => {
      if (stream === "stdout") {
        if (full.length < PARSED_OUTPUT_LIMIT) full += chunk;
        stdout.push(chunk);
      } else stderr.push(chunk);
    },
  });
  stdout.end();
  stderr.end();
  await engine.db.scriptLog.update({
    where: { id: log.id },
    data: { state: execution.state, exitCode: execution.exitCode, stdout: stdout.toString(), stderr: stderr.toString() + (execution.error ? `[orchestra] ${execution.error}\n` : ""), finishedAt: new Date() },
  });
  result.logs.push({ logId: log.id, server: server.name, backend: backend.name, state: execution.state });
  if (execution.state !== "SUCCESS") return [];
  const ids = new Set(objects.map((o) => String(o.id)));
  const measurements = parseMeasurements(full.slice(0, PARSED_OUTPUT_LIMIT), nonce, ids, new Set(Object.keys(backend.monitors ?? {})));
  const measuredAt = new Date();
  const data = [...measurements].flatMap(([objectId, values]) =>
    [...values].map(([resource, value]) => ({ model: backend.model, objectId, resource, serverId: server.id, backend: backend.name, value, scriptLogId: log.id, measuredAt })),
  );
  if (data.length) await engine.db.resourceData.createMany({ data });
  result.measured += data.length;
  return objects.filter((o) => measurements.get(String(o.id))?.size);
}

/** How far back a server's latest measurement still counts towards a resource's value. */
const FRESH_MS = 7 * 24 * 3600_000;

/** The value of each resource of an object: the sum of the latest measurement on each server. */
export async function currentValues(engine: Pick<Engine, "db">, model: string, objectId: string): Promise<Map<string, number>> {
  const latest = await engine.db.resourceData.findMany({
    where: { model, objectId, measuredAt: { gte: new Date(Date.now() - FRESH_MS) } },
    orderBy: [{ measuredAt: "desc" }, { id: "desc" }],
    distinct: ["resource", "serverId"],
    select: { resource: true, value: true },
  });
  const out = new Map<string, number>();
  for (const row of latest) out.set(row.resource, (out.get(row.resource) ?? 0) + row.value);
  return out;
}

/** The limit of a resource of an object: its own, or the resource's default. */
export function effectiveLimit(spec: ResourceSpec, own: number | null | undefined): number | null {
  return own ?? spec.defaultLimit ?? null;
}

/**
 * Compares each resource of a measured object with its limit. The crossing is recorded with a
 * compare-and-set on `exceededAt`, so of two monitor runs at once only one raises it and runs its action.
 */
async function evaluateLimits(engine: Engine, target: { model: string; objectId: string; label: string; object: Snapshot }, userId: number | null | undefined): Promise<ResourceCrossing[]> {
  const specs = resourcesOf(engine, target.model);
  const values = await currentValues(engine, target.model, target.objectId);
  const crossings: ResourceCrossing[] = [];
  for (const spec of specs) {
    const value = values.get(spec.name);
    if (value === undefined) continue;
    const key = { model: target.model, objectId: target.objectId, resource: spec.name };
    const row = await engine.db.resourceLimit.upsert({
      where: { model_objectId_resource: key },
      create: { ...key, value, measuredAt: new Date() },
      update: { value, measuredAt: new Date() },
    });
    const limit = effectiveLimit(spec, row.limitValue);
    const over = limit !== null && value > limit;
    let direction: ResourceCrossing["direction"] | null = null;
    if (over && !row.exceededAt) {
      const { count } = await engine.db.resourceLimit.updateMany({ where: { id: row.id, exceededAt: null }, data: { exceededAt: new Date() } });
      if (count === 1) direction = "exceeded";
    } else if (!over && row.exceededAt) {
      const { count } = await engine.db.resourceLimit.updateMany({ where: { id: row.id, exceededAt: row.exceededAt }, data: { exceededAt: null } });
      if (count === 1) direction = "recovered";
    }
    if (!direction) continue;
    const action = direction === "exceeded" ? spec.exceeded : spec.recovery;
    const runs = action ? await runResourceAction(engine, target, action, userId) : [];
    const crossing: ResourceCrossing = { ...key, label: target.label, value, limit, unit: spec.unit, direction, action: action?.title ?? null, runs };
    crossings.push(crossing);
    if (direction === "exceeded") await notifyExceeded(engine, crossing, spec);
  }
  return crossings;
}

/**
 * Runs a resource's action through the normal pipeline: a backend command on the object (routed and
 * logged like an operator's), or a save of the object with fields changed, in a unit of work of its own.
 */
export async function runResourceAction(engine: Engine, target: { model: string; objectId: string }, action: ResourceAction, userId?: number | null): Promise<RunReport[]> {
  try {
    if (action.command) {
      const [backend, command] = action.command.split(":");
      const { reports } = await runSelection(engine, { model: target.model, ids: [target.objectId], backend, command }, userId);
      return reports;
    }
    if (action.reapply) {
      const { reports } = await runSelection(engine, { model: target.model, ids: [target.objectId] }, userId);
      return reports;
    }
    if (action.set) {
      const set = action.set;
      const unit = await orchestrate(engine, async (tx) => {
        const table = delegateOf(tx, target.model) as unknown as { updateMany(args: unknown): Promise<{ count: number }> };
        const { count } = await table.updateMany({ where: { id: Number(target.objectId) }, data: set });
        // in the audit log like any change of a service object, in the change's own transaction
        if (count) await tx.auditLog.create({ data: { userId: userId ?? null, userEmail: "resource monitor", action: "update", entity: target.model, entityId: target.objectId, summary: action.title, after: set } });
      });
      return await runUnitOfWork(engine, unit, { userId });
    }
  } catch (error) {
    console.error(`[monitor] ${action.title} of ${target.model} #${target.objectId} failed: ${(error as Error).message}`);
  }
  return [];
}

async function notifyExceeded(engine: Engine, crossing: ResourceCrossing, spec: ResourceSpec): Promise<void> {
  const ran = crossing.runs.length ? ` ${crossing.action}: ${crossing.runs.map((r) => `${r.backend} on ${r.server} ${r.state} (log #${r.logId})`).join(", ")}.` : crossing.action ? ` ${crossing.action}: nothing ran (no route).` : "";
  try {
    await raise(engine, {
      event: "resource-exceeded",
      level: "warning",
      title: `${crossing.label}: ${spec.title.toLowerCase()} ${formatValue(crossing.value)} ${spec.unit} exceeds its limit of ${formatValue(crossing.limit ?? 0)} ${spec.unit}`,
      body: `${crossing.model} #${crossing.objectId} (${crossing.label}), resource ${spec.name}.${ran}`,
      scriptLogId: crossing.runs[0]?.logId ?? null,
    });
  } catch (error) {
    console.error(`[notify] could not record that ${crossing.label} exceeded ${spec.name}: ${(error as Error).message}`);
  }
}

/** A measurement as people read it: at most two decimals. */
export function formatValue(value: number): string {
  return value.toLocaleString("en", { maximumFractionDigits: 2 });
}
