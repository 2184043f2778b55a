// The service kit: one declaration per service (`defineService`) gives the admin everything else —
// menu entry, generic list / new / detail pages with search, filters, sorting and keyset paging, the
// form, bulk actions, the backends with typed objects, route-expression samples, wipe order in tests.
// A service folder holds its zod schemas, its backends and this declaration; registration is one line
// in ./index.ts. Framework-free: pages and actions read the declaration, the engine its backends.
import { z } from "zod";
import type { Backend, BackendCommand, BackendMonitor, Include, RelatedModel, ResourceAction, ResourceSpec, ScriptContext } from "../orchestration/backend";
import type { PendingOperation, Snapshot } from "../orchestration/types";

// ——— backends with typed objects ———

/** An operation as a typed backend sees it: `before` and `after` parsed like the object. */
export type TypedOperation<T> = Omit<PendingOperation, "before" | "after"> & { before: T | null; after: T | null };

/** A backend written against the snapshot type `T` of its model; the kit parses every object first. */
export type TypedBackend<T> = Omit<Backend, "save" | "delete" | "sync" | "identity" | "label" | "commands" | "check" | "checkAll" | "expectedFacts" | "monitors"> & {
  check?(ctx: ScriptContext, object: T): void;
  checkAll?(ctx: ScriptContext, objects: ReadonlyArray<{ id: string; object: T }>): void;
  expectedFacts?(ctx: Pick<ScriptContext, "variable" | "server">, object: T): Record<string, string>;
  save?(ctx: ScriptContext, object: T, operation: TypedOperation<T>): void;
  delete?(ctx: ScriptContext, object: T, operation: TypedOperation<T>): void;
  sync?(ctx: ScriptContext, objects: readonly T[]): void;
  identity?(object: T): string;
  label?(object: T): string;
  /** Named actions beyond save and delete (run on chosen objects, routed and logged like any operation). */
  commands?: Record<string, Omit<BackendCommand, "run"> & { run(ctx: ScriptContext, object: T, operation: TypedOperation<T>): void }>;
  /** Resource monitors by resource name (see the service's `resources`). */
  monitors?: Record<string, Omit<BackendMonitor, "measure"> & { measure(ctx: ScriptContext, object: T): void }>;
};

/**
 * Wraps a typed backend into the engine's untyped one. Each object is parsed with the service's
 * snapshot schema before the backend sees it: a row of the wrong shape (written by another path than
 * the form) makes the run ERROR before anything is rendered, naming the field.
 */
export function defineBackend<T extends Snapshot>(snapshot: z.ZodType<T>, typed: TypedBackend<T>): Backend {
  const parse = (object: Snapshot): T => {
    const result = snapshot.safeParse(object);
    if (result.success) return result.data;
    const issue = result.error.issues[0];
    const label = String(object.name ?? object.username ?? object.id ?? "?");
    throw new Error(`refusing to render ${typed.model} ${JSON.stringify(label)}: ${issue.path.join(".") || "the object"} is not valid (${issue.message.replace(/\.$/, "")}).`);
  };
  const op = (operation: PendingOperation): TypedOperation<T> => ({
    ...operation,
    before: operation.before ? parse(operation.before) : null,
    after: operation.after ? parse(operation.after) : null,
  });
  const { save, delete: remove, sync, identity, label, commands, check, checkAll, expectedFacts, monitors, ...rest } = typed;
  return {
    ...rest,
    ...(save && { save: (ctx, object, operation) => save(ctx, parse(object), op(operation)) }),
    ...(remove && { delete: (ctx, object, operation) => remove(ctx, parse(object), op(operation)) }),
    ...(sync && { sync: (ctx, objects) => sync(ctx, objects.map(parse)) }),
    ...(check && { check: (ctx, object) => check(ctx, parse(object)) }),
    ...(checkAll && { checkAll: (ctx, objects) => checkAll(ctx, objects.map(({ id, object }) => ({ id, object: parse(object) }))) }),
    ...(expectedFacts && { expectedFacts: (ctx, object) => expectedFacts(ctx, parse(object)) }),
    // identity and label see rows that may not parse (an old snapshot): they must not throw
    ...(identity && { identity: (object) => identity(object as T) }),
    ...(label && { label: (object) => label(object as T) }),
    ...(monitors && {
      monitors: Object.fromEntries(Object.entries(monitors).map(([name, { measure, ...monitor }]) => [name, { ...monitor, measure: (ctx: ScriptContext, object: Snapshot) => measure(ctx, parse(object)) }])),
    }),
    ...(commands && {
      commands: Object.fromEntries(
        Object.entries(commands).map(([name, { run, ...command }]) => [name, { ...command, run: (ctx, object, operation) => run(ctx, parse(object), op(operation)) }]),
      ),
    }),
  };
}

// ——— form fields, derived from the input schema ———

export type FieldKind = "text" | "number" | "checkbox" | "password" | "textarea" | "list" | "select";

/** What a form field needs in the browser (plain data: it crosses to a client component). */
export type FieldSpec = {
  name: string;
  label: string;
  kind: FieldKind;
  hint?: string;
  /** Shown instead of `hint` when editing an object that has a value for this (secret) field. */
  setHint?: string;
  mono?: boolean;
  placeholder?: string;
  options?: Array<{ value: string; label: string }>;
  /** Initial value of a new object's field. */
  initial?: string | boolean;
  /** A textarea's height in lines (default 4). */
  rows?: number;
  /** Spans the whole form's width (a long textarea). */
  wide?: boolean;
};

/** Metadata a service attaches to a field of its input schema with `.meta({...})`. */
export type FieldMeta = Partial<Omit<FieldSpec, "name">>;

function metaOf(schema: z.ZodType): FieldMeta {
  return (schema.meta() as FieldMeta | undefined) ?? {};
}

/** The form's fields, in the order of the input schema, with labels and widgets from `.meta()`. */
export function formFields(input: z.ZodObject): FieldSpec[] {
  return Object.entries(input.shape).map(([name, schema]) => {
    const meta = metaOf(schema as z.ZodType);
    return { name, label: meta.label ?? name, kind: meta.kind ?? "text", ...meta };
  });
}

/** The description every service's objects have: for people only (declare it among `ignoredFields`). */
export const descriptionField = z.string().trim().max(500, "At most 500 characters.").default("").meta({ label: "Description", hint: "For people only: changing it runs nothing." });

// ——— route-expression samples, derived from the snapshot schema ———

/** A typed sample of a snapshot, for checking route expressions (every field, the right JSON type). */
export function sampleOf(schema: z.ZodType): unknown {
  const def = (schema as unknown as { def: Record<string, unknown> & { type: string } }).def;
  switch (def.type) {
    case "object":
      return Object.fromEntries(Object.entries((schema as z.ZodObject).shape).map(([k, v]) => [k, sampleOf(v as z.ZodType)]));
    case "array":
      return [sampleOf(def.element as z.ZodType)];
    case "string":
      return "";
    case "number":
    case "int":
      return 0;
    case "boolean":
      return true;
    case "date":
      return "";
    case "enum":
      return Object.values(def.entries as Record<string, string>)[0] ?? "";
    case "literal":
      return (def.values as unknown[])[0];
    case "nullable":
    case "optional":
    case "default":
    case "prefault":
    case "readonly":
    case "catch":
      return sampleOf(def.innerType as z.ZodType);
    case "pipe":
      return sampleOf(def.out as z.ZodType);
    case "union":
      return sampleOf((def.options as z.ZodType[])[0]);
    case "record":
      return {};
    default:
      return null;
  }
}

// ——— lists ———

export type Column<T> = {
  label: string;
  value(object: T): string | number | boolean | null | undefined;
  mono?: boolean;
  /** The first column links to the object. */
};

export type Filter = {
  name: string;
  label: string;
  options: Array<{ value: string; label: string; where: Record<string, unknown> }>;
};

export type ListSpec<T> = {
  columns: Array<Column<T>>;
  /** The Prisma `where` of a search text (already trimmed, non-empty). `insensitive` is true on PostgreSQL. */
  search(q: string, mode: { insensitive: boolean }): Record<string, unknown>;
  filters?: Filter[];
  /** Sortable scalar, non-null columns; the first is the default. Paging is keyset on (column, id). */
  sorts: Array<{ field: string; label: string }>;
};

// ——— the declaration ———

/** What a service's hooks get: the action's (audited, unit-of-work) client and who acts. */
export type ServiceContext<Db> = { db: Db; user: { id: number; role: string }; id?: number };

export type ServiceDefinition<T extends Snapshot = Snapshot, I extends Record<string, unknown> = Record<string, unknown>, Db = unknown> = {
  slug: string;
  /** Plural, for the menu and the list ("System users"). */
  title: string;
  /** Singular, lower case, for buttons and messages ("system user"). */
  singular: string;
  description: string;
  /** The Prisma model. */
  model: string;
  /** The form's fields: its shape gives the fields, `.meta()` their labels and widgets. */
  input: z.ZodObject;
  /** Whole-object checks every role is held to (run after the fields parse). */
  refine?(input: I, ctx: z.RefinementCtx): void;
  /** The shape of a stored object as backends and route expressions see it. */
  snapshot: z.ZodType<T>;
  label(object: T): string;
  /** Relations included in snapshots (a website's domains). */
  include?: Include;
  related?: readonly RelatedModel[];
  /** Columns never shown, echoed or given to route expressions; their values reach scripts via ctx.secret. */
  secretFields?: readonly string[];
  /** Form fields never echoed back to the browser. */
  secretInputs?: readonly string[];
  /** Changes of these alone run nothing. */
  ignoredFields?: readonly string[];
  backends: readonly Backend[];
  list: ListSpec<T>;
  /** Checks that need the database or the role (policy, uniqueness across rows). Throw a UserError. */
  check?(input: I, ctx: ServiceContext<Db>): Promise<void>;
  /** The row's data for a create or update; default: the input as is. */
  data?(input: I, ctx: ServiceContext<Db>): Promise<Record<string, unknown>> | Record<string, unknown>;
  /** Custom writes (relations); default: `create` / `update` of the model with `data`. */
  create?(data: Record<string, unknown>, ctx: ServiceContext<Db>): Promise<{ id: number }>;
  update?(id: number, data: Record<string, unknown>, ctx: ServiceContext<Db>): Promise<void>;
  /** What still uses these objects (one sentence each): a delete is refused while anything does. */
  usedBy?(ids: readonly number[], db: Db): Promise<string[]>;
  /** Form values of a stored object (default: fields by name, lists joined with ", "). */
  formValues?(object: T): Record<string, string | boolean | number | null>;
  /** Resources measured by the backends' monitors, with limits and what runs when one is crossed. */
  resources?: readonly ResourceSpec[];
};

export type { ResourceAction, ResourceSpec };

export type Service = ServiceDefinition<Snapshot, Record<string, unknown>, unknown> & {
  fields: FieldSpec[];
  sample: Snapshot;
  createSchema: z.ZodType;
  updateSchema: z.ZodType;
};

/**
 * Declares a service. Backends inherit the service's model facts (secret, ignored and related fields,
 * includes) unless they state their own.
 */
export function defineService<T extends Snapshot, I extends Record<string, unknown>, Db = unknown>(definition: ServiceDefinition<T, I, Db>): Service {
  const refine = definition.refine;
  const withRefine = (schema: z.ZodObject) => (refine ? schema.superRefine((v, ctx) => refine(v as I, ctx)) : schema);
  const backends = definition.backends.map((b) => {
    if (b.model !== definition.model) throw new Error(`backend ${b.name} is for ${b.model}, not ${definition.model}`);
    return {
      ...b,
      secretFields: b.secretFields ?? definition.secretFields,
      ignoreFields: b.ignoreFields ?? definition.ignoredFields,
      relatedModels: b.relatedModels ?? definition.related,
      include: b.include ?? definition.include,
      label: b.label ?? ((o: Snapshot) => definition.label(o as T)),
      resources: b.resources ?? definition.resources,
    };
  });
  return {
    ...(definition as unknown as ServiceDefinition),
    backends,
    fields: formFields(definition.input),
    sample: sampleOf(definition.snapshot) as Snapshot,
    createSchema: withRefine(definition.input),
    updateSchema: withRefine(definition.input.extend({ id: z.coerce.number().int().positive() })),
  };
}

/** Form values of a stored object: scalars as they are, lists (of names) joined with ", ". */
export function defaultFormValues(service: Pick<Service, "fields" | "secretFields">, object: Snapshot): Record<string, string | boolean | number | null> {
  const out: Record<string, string | boolean | number | null> = {};
  for (const field of service.fields) {
    if (field.kind === "password" || service.secretFields?.includes(field.name)) continue;
    const value = object[field.name];
    if (Array.isArray(value)) out[field.name] = value.map((v) => (v && typeof v === "object" ? String((v as { name?: unknown }).name ?? "") : String(v))).join(", ");
    else if (value === undefined) continue;
    else out[field.name] = value as string | boolean | number | null;
  }
  return out;
}
