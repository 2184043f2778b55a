// The per-server variables as an operator needs to see them: for each backend routed to a server,
// the variables it reads with their effective value (the server's, or the declared default), and the
// server's keys that nothing reads (a typo such as SYSUSER_PREFX would otherwise fall back to the
// default silently — for SYSUSER_PREFIX, the real root).
import type { BackendRegistry } from "../orchestration/backend";
import { RUN_DIR_VARIABLE } from "../orchestration/executors/supervisor";

export type EffectiveVariable = {
  name: string;
  value: string;
  source: "server" | "default";
  description: string;
  command: boolean;
  backends: string[];
};

export type UnknownVariable = { name: string; suggestion: string | null };

/** Variables the engine itself reads on every server (not a backend's). */
export const ENGINE_VARIABLES: Record<string, string> = {
  [RUN_DIR_VARIABLE]: "Where the supervisor keeps run markers on the server (default ~/.orchestra).",
};

function distance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    let previous = row[0];
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const current = row[j];
      row[j] = Math.min(row[j] + 1, row[j - 1] + 1, previous + (a[i - 1] === b[j - 1] ? 0 : 1));
      previous = current;
    }
  }
  return row[b.length];
}

export function variablesReport(registry: BackendRegistry, routedBackends: readonly string[], serverVariables: Record<string, string>) {
  const declared = registry.declaredVariables();
  const variables: EffectiveVariable[] = [];
  for (const [name, readers] of declared) {
    const here = readers.filter((r) => routedBackends.includes(r.backend.name));
    if (here.length === 0) continue;
    const spec = here[0].spec;
    const own = Object.hasOwn(serverVariables, name);
    variables.push({ name, value: own ? serverVariables[name] : spec.default, source: own ? "server" : "default", description: spec.description, command: Boolean(spec.command), backends: here.map((r) => r.backend.name) });
  }
  const known = [...declared.keys(), ...Object.keys(ENGINE_VARIABLES)];
  const unknown: UnknownVariable[] = Object.keys(serverVariables)
    .filter((name) => !known.includes(name))
    .map((name) => {
      const best = known.map((k) => ({ k, d: distance(name.toUpperCase(), k) })).sort((x, y) => x.d - y.d)[0];
      return { name, suggestion: best && best.d <= Math.max(2, Math.floor(name.length / 5)) ? best.k : null };
    });
  return { variables: variables.sort((a, b) => a.name.localeCompare(b.name)), unknown };
}

/** One sentence per unknown key, for the server's page and the banner after a save. */
export function unknownVariableNotices(unknown: readonly UnknownVariable[]): string[] {
  return unknown.map((u) => `Variable ${u.name} is read by no backend${u.suggestion ? ` — did you mean ${u.suggestion}?` : "."}`);
}
