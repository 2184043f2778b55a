// Secret fields (password hashes, keys) of service objects. Backends declare them (`secretFields`);
// the admin masks them, and route expressions never see them (router.ts strips them before CEL).
// Kept per process, not per registry: the registry that renders scripts and the one that checks a
// route's expression are different objects, and Next.js may load this module in several bundles.
import type { Snapshot } from "./types";

const KEY = Symbol.for("orchestra.secretFields");
type Store = Map<string, Set<string>>;

function store(): Store {
  const g = globalThis as unknown as Record<symbol, Store | undefined>;
  return (g[KEY] ??= new Map());
}

/** Names that are secret whether or not a backend declared them (a forgotten declaration fails closed). */
const SECRET_NAME = /pass(word|wd)|secret|token|private|hash/i;

export function declareSecretFields(model: string, fields: readonly string[] = []): void {
  const set = store().get(model) ?? new Set<string>();
  fields.forEach((f) => set.add(f));
  store().set(model, set);
}

export function isSecretField(model: string, field: string): boolean {
  return SECRET_NAME.test(field) || (store().get(model)?.has(field) ?? false);
}

/** A copy of a snapshot without its secret fields, at any depth (related rows included). */
export function withoutSecrets(model: string, object: Snapshot): Snapshot {
  const strip = (value: unknown, top: boolean): unknown => {
    if (Array.isArray(value)) return value.map((v) => strip(v, false));
    if (!value || typeof value !== "object") return value;
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) {
      if (SECRET_NAME.test(k) || (top && isSecretField(model, k))) continue;
      out[k] = strip(v, false);
    }
    return out;
  };
  return strip(object, true) as Snapshot;
}
