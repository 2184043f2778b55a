// Drift detection: a read-only check script per (server, backend) prints the live state of each
// routed object (the backend's `check`), which is compared fact by fact with what the object's desired
// state should give (`expectedFacts`). Differences are recorded on the applied pair (drifted, with a
// readable difference) until the next apply; each check is logged like a run (method "check").
import type { Engine } from "./engine";
import { convergence, type ConvergenceFilter } from "./convergence";
import { BoundedOutput } from "./output";
import { maskSecrets, parseFacts, renderCheck } from "./script";
import { delegateOf, toSnapshot } from "./snapshot";
import { serverLookup } from "./sync";
import { serverInfo, type Snapshot } from "./types";

export type DriftFinding = { serverId: number; server: string; backend: string; objectId: string; label: string; difference: string };
export type DriftResult = { checked: number; drifted: DriftFinding[]; logs: Array<{ logId: number; server: string; backend: string; state: string }> };

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
  const groups = new Map<string, typeof pairs>();
  for (const pair of pairs) {
    const backend = engine.registry.get(pair.backend);
    if (!backend.check || !backend.expectedFacts) continue;
    const k = `${pair.serverId}\u0000${pair.backend}`;
    groups.set(k, [...(groups.get(k) ?? []), pair]);
  }
  const result: DriftResult = { checked: 0, drifted: [], logs: [] };
  for (const group of groups.values()) {
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
      result.logs.push({ logId: log.id, server: server.name, backend: backendName, state: "ERROR" });
      continue;
    }
    const log = await engine.db.scriptLog.create({ data: { backend: backendName, serverId, method: "check", script: rendered.text, state: "STARTED", startedAt: new Date(), createdById: userId ?? null } });
    const stdout = new BoundedOutput(engine.outputLimit);
    const stderr = new BoundedOutput(engine.outputLimit);
    let full = "";
    const execution = await engine.executor.run(server, rendered.executable, {
      timeoutMs: engine.scriptTimeoutMs,
      onOutput: (stream, chunk) => {
        if (stream === "stdout") {
          full += chunk; // parsed whole (facts), stored bounded
          stdout.push(maskSecrets(chunk, rendered.secrets));
        } else stderr.push(maskSecrets(chunk, rendered.secrets));
      },
    });
    const state = execution.state;
    await engine.db.scriptLog.update({
      where: { id: log.id },
      data: { state, exitCode: execution.exitCode, stdout: stdout.toString(), stderr: stderr.toString() + (execution.error ? `[orchestra] ${execution.error}\n` : ""), finishedAt: new Date() },
    });
    result.logs.push({ logId: log.id, server: server.name, backend: backendName, state });
    if (state !== "SUCCESS") continue;
    const facts = parseFacts(full);
    const now = new Date();
    for (const pair of checked) {
      result.checked++;
      const expected = backend.expectedFacts!({ server, variable: (name) => server.variables[name] ?? backend.variables?.[name]?.default ?? "" }, objects.get(pair.objectId) as Snapshot);
      const diff = difference(expected, facts.get(pair.objectId));
      if (diff) result.drifted.push({ serverId, server: server.name, backend: backendName, objectId: pair.objectId, label: pair.label, difference: diff });
      await engine.db.appliedState.updateMany({
        where: { serverId, backend: backendName, model, objectId: pair.objectId },
        data: { drift: diff ? `drifted: ${diff}`.slice(0, 2000) : null, checkedAt: now },
      });
    }
  }
  return result;
}
