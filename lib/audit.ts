// The audit trail: every write an admin action makes to a model that people manage (servers, routes,
// users, settings, service objects) becomes an AuditLog row — who, when, what, before and after, secrets
// masked — written through the same client, so inside the action's transaction: a change that rolls
// back leaves no audit row, and no change escapes it. The action wrapper hands each handler an audited
// client (lib/actions/index.ts); handlers do not call anything themselves.
// Framework-free, like the engine: tests pass it their own database client.
import type { Db } from "./db-client";

export type Actor = { id: number; email: string };

type Client = Pick<Db, "auditLog">;
type Row = { id: number | string } & Record<string, unknown>;
type Delegate = {
  findUnique(args: unknown): Promise<Row | null>;
  findMany(args: unknown): Promise<Row[]>;
  createManyAndReturn(args: unknown): Promise<Row[]>;
} & Record<string, (args?: unknown) => Promise<unknown>>;

export type AuditSettings = {
  /** Relations to show with a row (a website's domains), as the engine's snapshots do. */
  include?(model: string): Record<string, unknown> | undefined;
  /** Columns a model declares secret (never shown, only "changed"). */
  secretFields?(model: string): readonly string[];
  /** For a client outside a transaction: runs one audited write and its audit row atomically. */
  transaction?<T>(fn: (tx: object) => Promise<T>): Promise<T>;
};

/** The engine's own bookkeeping and the audit trail itself: written by the system, not by people. */
const NOT_AUDITED = new Set(["Operation", "ScriptLog", "ScriptLogOperation", "Lane", "Notification", "SignInFailure", "AuditLog"]);
const WRITES = new Set(["create", "createMany", "createManyAndReturn", "update", "updateMany", "updateManyAndReturn", "upsert", "delete", "deleteMany"]);
/** Column names that hold secrets whatever the model says (also inside Json values such as server variables). */
export const SECRET_NAME = /pass(word|phrase)|secret|token|private.?key|api.?key|credential/i;
/** Changes of these alone are not worth a row. */
const NOISE = new Set(["updatedAt"]);
export const MASK = "[secret]";
export const MASK_CHANGED = "[secret, changed]";

const modelOf = (delegateName: string) => delegateName[0].toUpperCase() + delegateName.slice(1);
const isDelegate = (value: unknown): value is Delegate =>
  typeof value === "object" && value !== null && typeof (value as Delegate).findUnique === "function";

/** `client` with every write to an audited model recorded in AuditLog as `actor`. */
export function auditing<C extends object>(client: C, actor: Actor, settings: AuditSettings = {}): C {
  return new Proxy(client, {
    get(target, prop, receiver) {
      const value = Reflect.get(target, prop, receiver);
      if (typeof prop !== "string") return value;
      if (prop === "$transaction" && typeof value === "function") {
        // An interactive transaction inside the handler: its client is audited too (atomically).
        return (arg: unknown, options?: unknown) =>
          typeof arg === "function"
            ? value.call(target, (tx: object) => (arg as (tx: object) => unknown)(auditing(tx, actor, { ...settings, transaction: undefined })), options)
            : value.call(target, arg, options);
      }
      if (prop.startsWith("$") || !isDelegate(value) || NOT_AUDITED.has(modelOf(prop))) {
        return typeof value === "function" ? value.bind(target) : value;
      }
      return auditedDelegate(target, prop, value, actor, settings);
    },
  });
}

function auditedDelegate(client: object, name: string, delegate: Delegate, actor: Actor, settings: AuditSettings): Delegate {
  const model = modelOf(name);
  return new Proxy(delegate, {
    get(target, method, receiver) {
      const value = Reflect.get(target, method, receiver);
      if (typeof method !== "string" || !WRITES.has(method) || typeof value !== "function") {
        return typeof value === "function" ? value.bind(target) : value;
      }
      return (args: Record<string, unknown> = {}) => {
        const write = (tx: object) => recordedWrite(tx, model, method, args, actor, settings);
        return settings.transaction ? settings.transaction(write) : write(client);
      };
    },
  });
}

/** Models whose primary key is not `id`. */
const PRIMARY_KEYS: Record<string, string> = { Setting: "key" };
const keyOf = (model: string) => PRIMARY_KEYS[model] ?? "id";

async function recordedWrite(client: object, model: string, method: string, args: Record<string, unknown>, actor: Actor, settings: AuditSettings) {
  const pk = keyOf(model);
  const delegate = (client as Record<string, Delegate>)[model[0].toLowerCase() + model.slice(1)];
  const include = settings.include?.(model);
  const withInclude = include ? { include } : {};
  const load = (where: unknown) => delegate.findUnique({ where, ...withInclude });
  const loadMany = (where: unknown) => delegate.findMany({ where, ...withInclude, orderBy: { [pk]: "asc" } });
  const record = (before: Row | null, after: Row | null) => recordChange(client as Client, actor, model, before, after, settings);
  const byId = (rows: Row[]) => new Map(rows.map((r) => [r[pk], r]));

  switch (method) {
    case "create": {
      const result = (await delegate.create(args)) as Row;
      await record(null, await load({ [pk]: result[pk] }));
      return result;
    }
    case "createMany":
    case "createManyAndReturn": {
      // createMany returns no ids: run it as createManyAndReturn so every new row is recorded.
      const { select: _select, include: _include, omit: _omit, ...data } = args;
      const rows = await delegate.createManyAndReturn(data);
      for (const row of await loadMany({ [pk]: { in: rows.map((r) => r[pk]) } })) await record(null, row);
      return method === "createMany" ? { count: rows.length } : delegate.findMany({ where: { [pk]: { in: rows.map((r) => r[pk]) } }, ...pick(args) });
    }
    case "update":
    case "upsert": {
      const before = await load(args.where);
      const result = (await delegate[method](args)) as Row;
      await record(before, await load({ [pk]: result[pk] }));
      return result;
    }
    case "delete": {
      const before = await load(args.where);
      const result = await delegate.delete(args);
      await record(before, null);
      return result;
    }
    case "updateMany":
    case "updateManyAndReturn": {
      const befores = await loadMany(args.where ?? {});
      const result = await delegate[method](args);
      const afters = byId(await loadMany({ [pk]: { in: befores.map((r) => r[pk]) } }));
      for (const before of befores) await record(before, afters.get(before[pk]) ?? null);
      return result;
    }
    case "deleteMany": {
      const befores = await loadMany(args.where ?? {});
      const result = await delegate.deleteMany(args);
      for (const before of befores) await record(before, null);
      return result;
    }
    default:
      throw new Error(`audit: unhandled write ${model}.${method}`);
  }
}

function pick(args: Record<string, unknown>) {
  return Object.fromEntries(Object.entries(args).filter(([k]) => k === "select" || k === "include" || k === "omit"));
}

/** One AuditLog row for a change seen as a before/after pair (either may be null). */
export async function recordChange(client: Client, actor: Actor, model: string, before: Row | null, after: Row | null, settings: AuditSettings = {}) {
  const row = after ?? before;
  if (!row) return;
  const changed = before && after ? changedFields(before, after) : [];
  if (before && after && changed.length === 0) return;
  const secrets = new Set(settings.secretFields?.(model) ?? []);
  await audit(client, actor, {
    action: verb(before, after, changed),
    entity: model,
    entityId: String(row[keyOf(model)]),
    summary: `${labelOf(row)}${changed.length ? ` (${changed.join(", ")})` : ""}`,
    before: before ? masked(before, secrets, new Set()) : undefined,
    after: after ? masked(after, secrets, new Set(changed)) : undefined,
  });
}

export type AuditEntry = { action: string; entity: string; entityId?: string; summary?: string; before?: unknown; after?: unknown };

/** Writes one audit row through `client` (pass the transaction of the change it describes). */
export async function audit(client: Client, actor: Actor, entry: AuditEntry) {
  await client.auditLog.create({
    data: {
      userId: actor.id,
      userEmail: actor.email,
      action: entry.action,
      entity: entry.entity,
      entityId: entry.entityId ?? "",
      summary: entry.summary ?? "",
      before: entry.before === undefined ? undefined : toJson(entry.before),
      after: entry.after === undefined ? undefined : toJson(entry.after),
    },
  });
}

function verb(before: Row | null, after: Row | null, changed: string[]): string {
  if (!before) return "create";
  if (!after) return "delete";
  if (changed.includes("archivedAt")) return after.archivedAt ? "archive" : "restore";
  if (changed.every((f) => f === "sessionVersion")) return "end-sessions";
  return "update";
}

function changedFields(before: Row, after: Row): string[] {
  return Object.keys({ ...before, ...after }).filter((k) => !NOISE.has(k) && JSON.stringify(before[k]) !== JSON.stringify(after[k]));
}

function labelOf(row: Row): string {
  for (const key of ["name", "email", "username", "backend", "key"]) {
    if (typeof row[key] === "string" && row[key]) return String(row[key]);
  }
  return `#${row.id}`;
}

/** The row as JSON with secret values replaced: declared secret columns, and any key named like a secret. */
function masked(row: Row, secrets: Set<string>, changed: Set<string>): unknown {
  const hide = (key: string, value: unknown): unknown => (value == null ? value : changed.has(key) ? MASK_CHANGED : MASK);
  const walk = (value: unknown): unknown => {
    if (Array.isArray(value)) return value.map(walk);
    if (value && typeof value === "object" && !(value instanceof Date)) {
      return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, SECRET_NAME.test(k) ? hide(k, v) : walk(v)]));
    }
    return value;
  };
  return Object.fromEntries(
    Object.entries(row).map(([k, v]) => [k, secrets.has(k) || k === "passwordHash" || SECRET_NAME.test(k) ? hide(k, v) : walk(v)]),
  );
}

function toJson(value: unknown) {
  return JSON.parse(JSON.stringify(value)) as object;
}
