// What a schedule can do: a typed registry of built-in kinds, each with the zod schema of its params
// (as stored on Schedule.params) and the function that runs it. An unknown kind fails loudly.
import { z } from "zod";
import type { Engine } from "../engine";
import { checkDrift } from "../drift";
import { runSelection } from "../manual";
import { formatValue, measureResources } from "../monitors";
import { notifyDrift, notifyUnreachable } from "../notify";
import { applyRetention, RETENTION_DEFAULTS } from "../retention";
import { OperatorError } from "../types";
import { renewCertificates } from "./renew-certificates";

export type KindContext = { scheduleName: string; userId?: number | null };
export type KindResult = { ok: boolean; message: string; result?: Record<string, unknown> };

export type ScheduleKind<P = unknown> = {
  name: string;
  title: string;
  description: string;
  params: z.ZodType<P>;
  run(engine: Engine, params: P, context: KindContext): Promise<KindResult>;
};

const optionalName = z.string().trim().max(200).optional().transform((v) => v || undefined);
/** Where a drift check or a sync runs: one server and/or one backend, or everywhere. */
export const scopeParams = z.object({ server: optionalName, backend: optionalName });
export type ScopeParams = z.infer<typeof scopeParams>;

export const retentionParams = z.object({
  maxAgeDays: z.coerce.number().int().min(1, "At least 1 day.").max(3650).default(RETENTION_DEFAULTS.maxAgeDays),
  truncateAfterDays: z.coerce.number().int().min(1, "At least 1 day.").max(3650).default(RETENTION_DEFAULTS.truncateAfterDays),
  truncateChars: z.coerce.number().int().min(1024, "At least 1,024 characters.").max(16 * 1024 * 1024).default(RETENTION_DEFAULTS.truncateChars),
});
export type RetentionParams = z.infer<typeof retentionParams>;

async function serverIdOf(engine: Engine, name: string | undefined): Promise<number | undefined> {
  if (!name) return undefined;
  const server = await engine.db.server.findUnique({ where: { name }, select: { id: true } });
  if (!server) throw new OperatorError(`server ${name} does not exist (any more)`);
  return server.id;
}

const driftCheck: ScheduleKind<ScopeParams> = {
  name: "drift-check",
  title: "Drift check",
  description: "Runs the read-only check of every routed pair (or one server's, one backend's) and notifies when something drifted.",
  params: scopeParams,
  async run(engine, params, context) {
    const serverId = await serverIdOf(engine, params.server);
    if (params.backend) engine.registry.get(params.backend);
    const result = await checkDrift(engine, { serverId, backend: params.backend }, context.userId);
    await notifyDrift(engine, result, context.scheduleName);
    const unreachable = result.logs.filter((l) => l.state === "UNREACHABLE");
    if (unreachable.length) {
      const logs = await engine.db.scriptLog.findMany({ where: { id: { in: unreachable.map((l) => l.logId) } }, select: { id: true, serverId: true } });
      for (const l of unreachable) {
        const serverId = logs.find((x) => x.id === l.logId)?.serverId;
        if (serverId) await notifyUnreachable(engine, { serverId, server: l.server, backend: l.backend, logId: l.logId });
      }
    }
    const failed = result.logs.filter((l) => l.state !== "SUCCESS");
    return {
      ok: failed.length === 0,
      message: `${result.checked} pair(s) checked, ${result.drifted.length} drifted${result.skipped ? `, ${result.skipped} not checked (pending, failed or never applied)` : ""}${failed.length ? `; ${failed.length} of ${result.logs.length} check(s) did not run to the end (${failed.map((f) => `${f.backend} on ${f.server}: ${f.state}`).slice(0, 5).join(", ")})` : ""}.`,
      result: { checked: result.checked, drifted: result.drifted.length, logs: result.logs.map((l) => l.logId) },
    };
  },
};

const sync: ScheduleKind<ScopeParams> = {
  name: "sync",
  title: "Sync",
  description: "Re-applies the sync-kind backends (the whole configuration of each server, from the database).",
  params: scopeParams,
  async run(engine, params, context) {
    await serverIdOf(engine, params.server);
    if (params.backend && engine.registry.get(params.backend).kind !== "sync") throw new OperatorError(`${params.backend} is not a sync-kind backend`);
    const backends = engine.registry.all().filter((b) => b.kind === "sync" && (!params.backend || b.name === params.backend));
    if (backends.length === 0) return { ok: true, message: "No sync-kind backend: nothing to do." };
    const logs: Array<{ logId: number; server: string; backend: string; state: string }> = [];
    for (const backend of backends) {
      const { reports } = await runSelection(engine, { backend: backend.name, server: params.server }, context.userId);
      logs.push(...reports.map((r) => ({ logId: r.logId, server: r.server, backend: r.backend, state: r.state })));
    }
    const failed = logs.filter((l) => l.state !== "SUCCESS" && l.state !== "NOTHING");
    const message = logs.length
      ? `${logs.map((l) => `${l.backend} on ${l.server}: ${l.state}`).slice(0, 10).join(", ")}${logs.length > 10 ? ` and ${logs.length - 10} more` : ""}.`
      : `${backends.map((b) => b.name).join(", ")}: no route sends them anywhere.`;
    return { ok: failed.length === 0, message, result: { logs } };
  },
};

const retention: ScheduleKind<RetentionParams> = {
  name: "retention",
  title: "Retention",
  description: "Deletes script logs, operations and read notifications older than an age (never running work, never the last of an object on a server) and shortens old output.",
  params: retentionParams,
  async run(engine, params) {
    const r = await applyRetention(engine, params);
    return {
      ok: true,
      message: `Deleted ${r.logsDeleted} log(s), ${r.operationsDeleted} operation(s), ${r.notificationsDeleted} notification(s), ${r.scheduleRunsDeleted} schedule run(s) older than ${params.maxAgeDays} days; shortened ${r.logsTruncated} log(s) older than ${params.truncateAfterDays} days.`,
      result: r,
    };
  },
};

const resourceMonitors: ScheduleKind<ScopeParams> = {
  name: "resource-monitors",
  title: "Resource monitors",
  description: "Measures the resources (disk, traffic, database size) of every routed object (or one server's, one backend's); a resource over its limit notifies and runs its exceeded action, one back under runs its recovery.",
  params: scopeParams,
  async run(engine, params, context) {
    const serverId = await serverIdOf(engine, params.server);
    if (params.backend && !Object.keys(engine.registry.get(params.backend).monitors ?? {}).length) throw new OperatorError(`${params.backend} has no resource monitor`);
    const result = await measureResources(engine, { serverId, backend: params.backend }, context.userId);
    for (const l of result.logs.filter((l) => l.state === "UNREACHABLE")) {
      const log = await engine.db.scriptLog.findUnique({ where: { id: l.logId }, select: { serverId: true } });
      if (log) await notifyUnreachable(engine, { serverId: log.serverId, server: l.server, backend: l.backend, logId: l.logId });
    }
    const failed = result.logs.filter((l) => l.state !== "SUCCESS");
    const crossed = result.crossings.map((c) => `${c.label} ${c.resource} ${formatValue(c.value)} ${c.unit} ${c.direction}${c.action ? ` (${c.action})` : ""}`);
    return {
      ok: failed.length === 0,
      message: `${result.measured} measurement(s) in ${result.logs.length} run(s)${crossed.length ? `; ${crossed.slice(0, 10).join(", ")}` : ""}${failed.length ? `; ${failed.length} run(s) did not succeed (${failed.map((f) => `${f.backend} on ${f.server}: ${f.state}`).slice(0, 5).join(", ")})` : ""}.`,
      result: { measured: result.measured, logs: result.logs.map((l) => l.logId), crossings: result.crossings.length },
    };
  },
};

// (each kind parses its own params before running: the registry forgets their types)
const KINDS = [driftCheck, sync, retention, renewCertificates, resourceMonitors] as unknown as ReadonlyArray<ScheduleKind<unknown>>;
export const SCHEDULE_KINDS = KINDS.map((k) => k.name);

export function hasScheduleKind(name: string): boolean {
  return KINDS.some((k) => k.name === name);
}

export function scheduleKind(name: string): ScheduleKind<unknown> {
  const kind = KINDS.find((k) => k.name === name);
  if (!kind) throw new OperatorError(`unknown schedule kind ${JSON.stringify(name)} (known: ${SCHEDULE_KINDS.join(", ")})`);
  return kind;
}

export function scheduleKinds(): ReadonlyArray<Pick<ScheduleKind, "name" | "title" | "description">> {
  return KINDS.map(({ name, title, description }) => ({ name, title, description }));
}
