// Drift detection: a read-only check script per (server, backend) prints the live state of each
// routed object (the backend's `check`), which is compared fact by fact with what the object's desired
// state should give (`expectedFacts`). Differences are recorded on the applied pair (drifted, with a
// readable difference) until the next apply; each check is logged like a run (method "check").
import type { Engine } from "./engine";
import { convergence, type ConvergenceFilter, type Pair } from "./convergence";
import { MaskedOutput } from "./output";
import { parseFacts, renderCheck } from "./script";
import { delegateOf, toSnapshot } from "./snapshot";
import { serverLookup } from "./sync";
import { serverInfo, type Snapshot } from "./types";

export type DriftFinding = { serverId: number; server: string; backend: string; objectId: string; label: string; difference: string };
/** `skipped`: pairs not compared because they are not applied as wanted now (pending, failed, unknown). */
export type DriftResult = { checked: number; skipped: number; drifted: DriftFinding[]; logs: Array<{ logId: number; server: string; backend: string; state: string }> };

/** A readable difference between expected and live facts, or null when they agree. */
export function difference(expected: Record<string, string>, live: Record<string, string> | undefined): string | null {
  if (!live) return "the check printed nothing for it";
  const parts = Object.entries(expected)
    .filter(([k, v]) => live[k] !== v)
    .map(([k, v]) => `${k}: ${JSON.stringify(live[k] ?? "(missing)")} on the server, ${JSON.stringify(v)} wanted`);
  return parts.length ? parts.join("; ") : null;
}

export async function checkDrift(engine: Engine, filter: ConvergenceFilter = {}, userId?: number | null): Promise<DriftResult> {
  const { pairs } = await convergence(engine, filter);
  const result: DriftResult = { checked: 0, skipped: 0, drifted: [], logs: [] };
  const groups = new Map<string, typeof pairs>();
  for (const pair of pairs) {
    const backend = engine.registry.get(pair.backend);
    if ((!backend.check && !backend.checkAll) || !backend.expectedFacts) continue;
    // Only what was applied as it is wanted now can have drifted: a queued, failed, changed or never
    // applied pair is expected to differ on the server (its state says so already).
    if (pair.state !== "in sync" && pair.state !== "drifted") {
      result.skipped++;
      continue;
    }
    const k = `${pair.serverId}\u0000${pair.backend}`;
    let group = groups.get(k);
    if (!group) groups.set(k, (group = []));
    group.push(pair);
  }
  // one check script per (server, backend), the servers at once; each records its own findings
  const outcomes = await Promise.all([...groups.values()].map((group) => checkGroup(engine, group, userId)));
  for (const outcome of outcomes) {
    result.checked += outcome.checked;
    result.drifted.push(...outcome.drifted);
    result.logs.push(outcome.log);
  }
  return result;
}

async function checkGroup(engine: Engine, group: Pair[], userId?: number | null): Promise<{ checked: number; drifted: DriftFinding[]; log: DriftResult["logs"][number] }> {
  const { serverId, backend: backendName, model } = group[0];
  const backend = engine.registry.get(backendName);
  const server = serverInfo(await engine.db.server.findUniqueOrThrow({ where: { id: serverId } }));
  const include = engine.registry.includeFor(model);
  const rows = await delegateOf(engine.db, model).findMany({ where: { id: { in: group.map((p) => Number(p.objectId)) } }, ...(include ? { include } : {}) });
  const objects = new Map(rows.map((r) => [String(r.id), toSnapshot(r)!]));
  const lookup = await serverLookup(engine, backend.asksRouter ?? []);
  const checked = group.filter((p) => objects.has(p.objectId));
  let rendered;
  try {
    rendered = renderCheck(backend, server, checked.map((p) => ({ id: p.objectId, object: objects.get(p.objectId)! })), lookup);
  } catch (error) {
    const log = await engine.db.scriptLog.create({ data: { backend: backendName, serverId, method: "check", state: "ERROR", stderr: `[orchestra] rendering the check failed: ${(error as Error).message}\n`, createdById: userId ?? null, finishedAt: new Date() } });
    return { checked: 0, drifted: [], log: { logId: log.id, server: server.name, backend: backendName, state: "ERROR" } };
  }
  const log = await engine.db.scriptLog.create({ data: { backend: backendName, serverId, method: "check", script: rendered.text, state: "STARTED", startedAt: new Date(), createdById: userId ?? null } });
  const stdout = new MaskedOutput(engine.outputLimit, rendered.secrets);
  const stderr = new MaskedOutput(engine.outputLimit, rendered.secrets);
  let full = "";
  const execution = await engine.executor.run(server, rendered.executable, {
    timeoutMs: engine.scriptTimeoutMs,
    onOutput: (stream, chunk) => {
      if (stream === "stdout") {
        full += chunk; // parsed whole (facts), stored bounded
        stdout.push(chunk);
      } else stderr.push(chunk);
    },
  });
  stdout.end();
  stderr.end();
  const state = execution.state;
  await engine.db.scriptLog.update({
    where: { id: log.id },
    data: { state, exitCode: execution.exitCode, stdout: stdout.toString(), stderr: stderr.toString() + (execution.error ? `[orchestra] ${execution.error}\n` : ""), finishedAt: new Date() },
  });
  const outcome = { checked: 0, drifted: [] as DriftFinding[], log: { logId: log.id, server: server.name, backend: backendName, state } };
  if (state !== "SUCCESS") return outcome;
  const facts = parseFacts(full);
  const now = new Date();
  const agree: string[] = [];
  const ctx = { server, variable: (name: string) => server.variables[name] ?? backend.variables?.[name]?.default ?? "" };
  for (const pair of checked) {
    outcome.checked++;
    const diff = difference(backend.expectedFacts!(ctx, objects.get(pair.objectId) as Snapshot), facts.get(pair.objectId));
    if (!diff) {
      agree.push(pair.objectId);
      continue;
    }
    outcome.drifted.push({ serverId, server: server.name, backend: backendName, objectId: pair.objectId, label: pair.label, difference: diff });
  }
  // the pairs that agree in one statement; each drifted one with its own difference
  const where = { serverId, backend: backendName, model };
  await engine.db.$transaction([
    engine.db.appliedState.updateMany({ where: { ...where, objectId: { in: agree } }, data: { drift: null, checkedAt: now } }),
    ...outcome.drifted.map((d) => engine.db.appliedState.updateMany({ where: { ...where, objectId: d.objectId }, data: { drift: `drifted: ${d.difference}`.slice(0, 2000), checkedAt: now } })),
  ]);
  return outcome;
}
