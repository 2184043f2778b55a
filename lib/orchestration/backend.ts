// Backends: code that turns operations on one model into commands. A plain typed registry that fails
// loudly on an unknown name.
import type { Db } from "../db-client";
import { declareSecretFields } from "./secret-fields";
import type { ShellFragment } from "./shell";
import { ACTIONS, type Action, type PendingOperation, type ServerInfo, type Snapshot } from "./types";

/** What a backend's functions receive while a script is rendered for one server. */
export type ScriptContext = {
  server: ServerInfo;
  /** A per-server variable, or the backend's default for it. */
  variable(name: string): string;
  /** Appends a line (or lines) of shell. Build them with `sh`. */
  append(line: ShellFragment): void;
  /**
   * A secret value (a password hash, a key): a reference to a shell variable set at the top of the
   * executed script. The stored script shows it masked, and its value is masked in the logged output.
   */
  secret(value: string): ShellFragment;
  /** A variable naming a command, split into words (each quoted by `sh`, so it cannot smuggle syntax). */
  command(name: string): string[];
  /**
   * The other servers where `backend` runs for `object` (its routes, active, server not archived), e.g.
   * a DNS primary finding its secondaries. Empty when the render has no routing at hand (a dry run of
   * one backend in a test).
   */
  serversFor(backend: string, object: Snapshot): ServerInfo[];
};

/** What a registry backend's `render` receives: the server and its variables (no shell is written). */
export type RenderContext = Pick<ScriptContext, "server" | "variable" | "command">;

/**
 * One registry backend's configuration for one server, as the agent applies it: `files` (name →
 * content) are the whole set of managed files in `directory` (names starting with `prefix` and ending
 * with `suffix`; others are never touched), `test` must accept them before `reload` runs, else the
 * previous files are restored. `roots` are directories to create, each with a placeholder index.html
 * written only when absent. `objects` say which file holds which object (for the per-object report).
 */
export type RegistryConfig = {
  directory: string;
  prefix: string;
  suffix: string;
  files: Record<string, string>;
  test: string[];
  reload: string[];
  roots: Array<{ path: string; title: string }>;
  objects: Array<{ id: string; label: string; file: string | null }>;
};

/** A per-server variable a backend reads: the server page lists it with its effective value. */
export type VariableSpec = {
  default: string;
  description: string;
  /** The value is a command line (split into words, each quoted). */
  command?: boolean;
};

/**
 * A named action beyond save and delete ("expire password", "reload"): run on chosen objects from the
 * admin or the CLI, routed like a save of the object's current state and logged like any operation.
 * It changes nothing in the database.
 */
export type BackendCommand = {
  title: string;
  description?: string;
  /** Asked before running it from the admin. */
  confirm?: string;
  run(ctx: ScriptContext, object: Snapshot, operation: PendingOperation): void;
};

/**
 * Relations included in snapshots: `true`, or a nested Prisma include / select (a database's grants
 * with each grant's user name, never the user's secret columns).
 */
export type Include = Record<string, true | Record<string, unknown>>;

export type RelatedModel = {
  model: string;
  /** The ids of the main objects a related row belongs to. */
  mainIds(row: Snapshot): Array<string | number>;
};

/**
 * A resource monitor: read-only commands (after `prepare`) that print the object's usage of one
 * resource as one line `<resource>=<number>` in `unit` (e.g. `disk=12.5`). Nothing else is read from
 * the output: an object whose monitor prints no number has no measurement this time.
 */
export type BackendMonitor = {
  unit: string;
  measure(ctx: ScriptContext, object: Snapshot): void;
};

/**
 * What runs through the normal pipeline when a resource crosses its limit (or comes back under it):
 * a backend command on the object (`command: "backend:name"`), a save of the object with fields
 * changed (`set: { enabled: false }`), or a re-apply of its current state (`reapply: true`), routed
 * and logged like an operator's.
 */
export type ResourceAction = { title: string; command?: string; set?: Record<string, string | number | boolean>; reapply?: boolean };

/** A resource of a service's objects, measured by its backends' monitors of the same name. */
export type ResourceSpec = {
  /** The name backends' `monitors` use, e.g. "disk". */
  name: string;
  title: string;
  unit: string;
  description: string;
  /** The limit of an object without its own (null: none). */
  defaultLimit?: number | null;
  exceeded?: ResourceAction;
  recovery?: ResourceAction;
};

export type LocalContext = {
  server: ServerInfo;
  stdout(text: string): void;
  stderr(text: string): void;
};

export type Backend = {
  name: string;
  /** Shown in the admin. */
  title: string;
  model: string;
  actions: readonly Action[];
  relatedModels?: readonly RelatedModel[];
  /**
   * Fields shown masked in the admin (operation snapshots); their values reach scripts via ctx.secret.
   * Route expressions never see them.
   */
  secretFields?: readonly string[];
  /** Updates that change only these fields produce no operation (descriptive fields). */
  ignoreFields?: readonly string[];
  /** Relations to include in snapshots (e.g. a website's domains), as a Prisma `include`. */
  include?: Include;
  /** task: a script per change (push); sync: the whole configuration pushed; registry: pulled by the
   * server's agent (`render`), never pushed — see registry.ts. */
  kind?: "task" | "sync" | "registry";
  method: "ssh" | "local";
  /** Run one script of this backend at a time, across servers. */
  serialize?: boolean;
  /** The per-server variables this backend reads, with defaults (ctx.variable refuses undeclared ones). */
  variables?: Record<string, VariableSpec>;
  /** Named actions beyond save and delete (the operation's action is the command's name). */
  commands?: Record<string, BackendCommand>;
  /**
   * What the server knows the object by (a username, a site's file name). Operations of a lane that
   * share it run in commit order even when their database ids differ (a deleted and re-created site).
   * Without it, the database id is the only identity.
   */
  identity?(object: Snapshot): string;
  /** Label of an object in banners and lists. */
  label?(object: Snapshot): string;
  prepare?(ctx: ScriptContext, operations: readonly PendingOperation[]): void;
  save?(ctx: ScriptContext, object: Snapshot, operation: PendingOperation): void;
  delete?(ctx: ScriptContext, object: Snapshot, operation: PendingOperation): void;
  commit?(ctx: ScriptContext, operations: readonly PendingOperation[]): void;
  /**
   * For kind "sync": renders the whole configuration of a server from the current objects routed to it
   * (memoryless), instead of a block per operation. Any number of queued changes need one run.
   */
  sync?(ctx: ScriptContext, objects: readonly Snapshot[]): void;
  /**
   * Drift detection: read-only commands that print the live state of one object on the server, one
   * fact per line as `key=value` (after `prepare`; nothing may change there).
   */
  check?(ctx: ScriptContext, object: Snapshot): void;
  /**
   * Instead of `check` per object: one pass for all of them (e.g. one `sha256sum` of every file rather
   * than a process per object). It prints each object's marker itself (`checkMarker`), in any order.
   */
  checkAll?(ctx: ScriptContext, objects: ReadonlyArray<{ id: string; object: Snapshot }>): void;
  /** The facts `check` should print for an object in its desired state (compared key by key). */
  expectedFacts?(ctx: Pick<ScriptContext, "variable" | "server">, object: Snapshot): Record<string, string>;
  /**
   * For kind "registry": the whole configuration of a server from the current objects routed to it, as
   * files the agent writes, tests and reloads (pure; throws to refuse an object).
   */
  render?(ctx: RenderContext, objects: readonly Snapshot[]): RegistryConfig;
  /** Resource monitors by resource name (the service's `resources`), run by the `monitor` action. */
  monitors?: Record<string, BackendMonitor>;
  /** The service's resources (limits and actions), given to each of its backends by the service kit. */
  resources?: readonly ResourceSpec[];
  /** For method "local": runs in-process instead of a script. Throwing marks the log FAILURE. */
  runLocal?(ctx: LocalContext, operations: readonly PendingOperation[]): Promise<void>;
  /** Backends whose routes this one reads while rendering (ctx.serversFor), e.g. a DNS primary its secondaries'. */
  asksRouter?: readonly string[];
  /** Render a script even when no operation added content (e.g. a sync of the whole config). */
  force?: boolean;
  /**
   * Facts a run printed for Orchestra to keep (a certificate's expiry), read from its masked stdout once
   * its log is settled, whatever its state. Throwing is logged; it never changes the run's outcome.
   */
  recordOutput?(db: Db, run: RunOutput): Promise<void>;
};

/** What `recordOutput` reads of a finished run. */
export type RunOutput = { serverId: number; logId: number; state: string; stdout: string };

export class BackendRegistry {
  private readonly byName = new Map<string, Backend>();

  constructor(backends: readonly Backend[] = []) {
    backends.forEach((b) => this.register(b));
  }

  register(backend: Backend): void {
    if (this.byName.has(backend.name)) throw new Error(`backend ${backend.name} is registered twice`);
    for (const name of Object.keys(backend.commands ?? {})) {
      if (!/^[a-z][a-z0-9-]{0,39}$/.test(name) || (ACTIONS as readonly string[]).includes(name)) throw new Error(`backend ${backend.name}: command name ${JSON.stringify(name)} is not a plain name`);
    }
    if (backend.method === "local" && !backend.runLocal) throw new Error(`local backend ${backend.name} needs runLocal`);
    this.byName.set(backend.name, backend);
    declareSecretFields(backend.model, backend.secretFields);
  }

  get(name: string): Backend {
    const backend = this.byName.get(name);
    if (!backend) throw new Error(`unknown backend "${name}" (known: ${[...this.byName.keys()].join(", ") || "none"})`);
    return backend;
  }

  has(name: string): boolean {
    return this.byName.has(name);
  }

  all(): Backend[] {
    return [...this.byName.values()];
  }

  /** Backends whose main model is `model`. */
  forModel(model: string): Backend[] {
    return this.all().filter((b) => b.model === model);
  }

  /** (backend, relation) pairs for which `model` is a related model. */
  relatedTo(model: string): Array<{ backend: Backend; related: RelatedModel }> {
    return this.all().flatMap((backend) =>
      (backend.relatedModels ?? []).filter((r) => r.model === model).map((related) => ({ backend, related })),
    );
  }

  /** Every model whose writes a unit of work must watch. */
  watchedModels(): Set<string> {
    const models = new Set<string>();
    for (const b of this.all()) {
      models.add(b.model);
      b.relatedModels?.forEach((r) => models.add(r.model));
    }
    return models;
  }

  /** Every variable name some backend declares, with the backends that read it. */
  declaredVariables(): Map<string, Array<{ backend: Backend; spec: VariableSpec }>> {
    const out = new Map<string, Array<{ backend: Backend; spec: VariableSpec }>>();
    for (const backend of this.all()) {
      for (const [name, spec] of Object.entries(backend.variables ?? {})) out.set(name, [...(out.get(name) ?? []), { backend, spec }]);
    }
    return out;
  }

  /** The command `name` of a backend, or null. */
  command(backend: string, name: string): BackendCommand | null {
    return this.has(backend) ? (this.get(backend).commands?.[name] ?? null) : null;
  }

  /** Relations to include when snapshotting a row of `model`. */
  includeFor(model: string): Include | undefined {
    const include = Object.assign({}, ...this.forModel(model).map((b) => b.include ?? {}));
    return Object.keys(include).length ? include : undefined;
  }
}

export function objectLabel(backend: Backend | undefined, model: string, object: Snapshot | null, id: string): string {
  if (object && backend?.label) return backend.label(object);
  const o = object ?? {};
  const name = o.name ?? o.username ?? o.title;
  return typeof name === "string" ? name : `${model} #${id}`;
}
