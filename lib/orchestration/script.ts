// Renders the one script for a (server, backend) from all of its operations in a unit of work:
// head (strict mode, a banner naming the operations), the backend's prepare, one block per operation,
// and the backend's commit once. Pure: no I/O, the same inputs give the same text.
import type { Backend, RenderContext, ScriptContext } from "./backend";
import { commentText, quote, raw, type ShellFragment } from "./shell";
import type { PendingOperation, ServerInfo, Snapshot } from "./types";

export const MASK = "********";

export type RenderedScript = {
  /** The script as stored in the log: secrets masked. */
  text: string;
  /** The script as executed: `text` with the secrets' values. Never stored. */
  executable: string;
  /** The secret values, for masking the output. */
  secrets: string[];
  /** False when no operation produced a command: nothing needs to run (log state NOTHING). */
  hasContent: boolean;
};

/** Who else runs a backend for an object (see ScriptContext.serversFor); the runner passes its routes. */
export type ServerLookup = (backend: string, object: Snapshot) => ServerInfo[];

/** `objects`: for a sync-kind backend, every current object routed to this server. */
export function renderScript(
  backend: Backend,
  server: ServerInfo,
  operations: readonly PendingOperation[],
  objects: readonly Snapshot[] = [],
  lookup: ServerLookup = () => [],
): RenderedScript {
  const { ctx, lines, secrets } = scriptContext(backend, server, lookup);
  // Secret assignments come right after strict mode: masked in the stored text, real when executed.
  const assemble = (head: string[], body: string[]) => {
    const assign = (masked: boolean) => secrets.map((v, i) => `ORCHESTRA_SECRET_${i + 1}=${masked ? MASK : quote(v)}`);
    return {
      text: [...head, "set -euo pipefail", ...assign(true), "", ...body, ""].join("\n"),
      executable: [...head, "set -euo pipefail", ...assign(false), "", ...body, ""].join("\n"),
      secrets: [...secrets],
    };
  };

  if (backend.method === "local") {
    const text = banner(backend, server, operations).join("\n") + "\n# runs in-process (method: local)\n";
    return { text, executable: text, secrets: [], hasContent: operations.length > 0 };
  }

  backend.prepare?.(ctx, operations);
  const headLength = lines.length;
  if (backend.kind === "sync") {
    lines.push(`# sync: the whole configuration, ${objects.length} object(s)`);
    backend.sync?.(ctx, objects);
    backend.commit?.(ctx, operations);
    return { ...assemble(banner(backend, server, operations), lines), hasContent: true };
  }
  for (const operation of operations) {
    const object = operation.action === "delete" ? operation.before : operation.after;
    if (!object) continue;
    const before = lines.length;
    lines.push(`# ${operation.action} ${commentText(operation.model)} ${commentText(operation.objectLabel)}`);
    if (operation.action === "save") backend.save?.(ctx, object, operation);
    else if (operation.action === "delete") backend.delete?.(ctx, object, operation);
    else {
      const command = backend.commands?.[operation.action];
      if (!command) throw new Error(`backend ${backend.name} has no command ${JSON.stringify(operation.action)}`);
      command.run(ctx, object, operation);
    }
    if (lines.length === before + 1) lines.pop(); // the backend had nothing to do for it
  }
  const hasContent = lines.length > headLength || Boolean(backend.force);
  backend.commit?.(ctx, operations);

  return { ...assemble(banner(backend, server, operations), lines), hasContent };
}

function banner(backend: Backend, server: ServerInfo, operations: readonly PendingOperation[]): string[] {
  return [
    "#!/usr/bin/env bash",
    `# Orchestra: backend ${backend.name} on server ${commentText(server.name)}`,
    ...operations.map((op) => `#   ${op.action} ${commentText(op.model)} #${commentText(op.objectId)} ${commentText(op.objectLabel)}`),
  ];
}

/** The context a backend renders into: its lines, its secrets, its variables and router questions. */
/** What a backend reads of its server: the server, and its declared variables (plain or as a command). */
export function renderContext(backend: Backend, server: ServerInfo): RenderContext {
  const ctx: RenderContext = {
    server,
    variable(name) {
      const spec = backend.variables?.[name];
      if (!spec) throw new Error(`backend ${backend.name} reads variable ${name} but does not declare it`);
      return server.variables[name] ?? spec.default;
    },
    command(name) {
      return ctx.variable(name).split(/\s+/).filter(Boolean);
    },
  };
  return ctx;
}

function scriptContext(backend: Backend, server: ServerInfo, lookup: ServerLookup) {
  const lines: string[] = [];
  const secrets: string[] = [];
  const ctx: ScriptContext = {
    ...renderContext(backend, server),
    serversFor(name, object) {
      return lookup(name, object).filter((s) => s.id !== server.id);
    },
    append(line: ShellFragment) {
      lines.push(line.text);
    },
    secret(value: string) {
      let index = secrets.indexOf(value);
      if (index < 0) index = secrets.push(value) - 1;
      return raw(`"$ORCHESTRA_SECRET_${index + 1}"`);
    },
  };
  return { ctx, lines, secrets };
}

/** Marks where one object's facts begin in a check script's output. */
export const CHECK_MARKER = "ORCHESTRA-OBJECT";

/** The line a check script prints before an object's facts. */
export function checkMarker(id: string): string {
  return `printf '%s %s\\n' ${CHECK_MARKER} ${quote(id)}`;
}

/**
 * A read-only script printing the live state of each object (the backend's `check`), each object's
 * facts after a marker line with its id. Throws if the backend refuses an object.
 */
export function renderCheck(backend: Backend, server: ServerInfo, objects: ReadonlyArray<{ id: string; object: Snapshot }>, lookup: ServerLookup = () => []): RenderedScript {
  if (!backend.check && !backend.checkAll) throw new Error(`backend ${backend.name} has no drift check`);
  const { ctx, lines, secrets } = scriptContext(backend, server, lookup);
  backend.prepare?.(ctx, []);
  if (backend.checkAll) backend.checkAll(ctx, objects);
  else {
    for (const { id, object } of objects) {
      lines.push(checkMarker(id));
      backend.check!(ctx, object);
    }
  }
  const head = ["#!/usr/bin/env bash", `# Orchestra: drift check of ${backend.name} on server ${commentText(server.name)} (read-only), ${objects.length} object(s)`];
  const text = [...head, "set -euo pipefail", ...secrets.map((_v, i) => `ORCHESTRA_SECRET_${i + 1}=${MASK}`), "", ...lines, ""].join("\n");
  const executable = [...head, "set -euo pipefail", ...secrets.map((v, i) => `ORCHESTRA_SECRET_${i + 1}=${quote(v)}`), "", ...lines, ""].join("\n");
  return { text, executable, secrets: [...secrets], hasContent: objects.length > 0 };
}

/** The facts of each object in a check script's output: `key=value` lines after each marker. */
export function parseFacts(output: string): Map<string, Record<string, string>> {
  const out = new Map<string, Record<string, string>>();
  let current: Record<string, string> | null = null;
  for (const line of output.split("\n")) {
    if (line.startsWith(`${CHECK_MARKER} `)) {
      current = {};
      out.set(line.slice(CHECK_MARKER.length + 1).trim(), current);
      continue;
    }
    const eq = line.indexOf("=");
    if (current && eq > 0 && /^[a-z][a-z0-9_-]*$/.test(line.slice(0, eq))) current[line.slice(0, eq)] = line.slice(eq + 1);
  }
  return out;
}

/**
 * A read-only monitor script: after `prepare`, each object's monitors of the given resources, each
 * object's lines after a marker carrying a per-run nonce (so output the commands print cannot pose as
 * another object's). Each object runs in a subshell: one that fails leaves the others measured.
 */
export function renderMonitor(backend: Backend, server: ServerInfo, objects: ReadonlyArray<{ id: string; object: Snapshot }>, nonce: string, lookup: ServerLookup = () => []): RenderedScript {
  const monitors = Object.entries(backend.monitors ?? {});
  if (monitors.length === 0) throw new Error(`backend ${backend.name} has no monitor`);
  const { ctx, lines, secrets } = scriptContext(backend, server, lookup);
  backend.prepare?.(ctx, []);
  for (const { id, object } of objects) {
    lines.push(`printf '%s %s\\n' ${quote(`${MONITOR_MARKER}-${nonce}`)} ${quote(id)}`);
    lines.push("(");
    for (const [, monitor] of monitors) monitor.measure(ctx, object);
    lines.push(`) || echo ${quote(`monitor of #${id} failed`)} >&2`);
  }
  const head = ["#!/usr/bin/env bash", `# Orchestra: resource monitor of ${backend.name} on server ${commentText(server.name)} (read-only), ${objects.length} object(s)`];
  const text = [...head, "set -euo pipefail", ...secrets.map((_v, i) => `ORCHESTRA_SECRET_${i + 1}=${MASK}`), "", ...lines, ""].join("\n");
  const executable = [...head, "set -euo pipefail", ...secrets.map((v, i) => `ORCHESTRA_SECRET_${i + 1}=${quote(v)}`), "", ...lines, ""].join("\n");
  return { text, executable, secrets: [...secrets], hasContent: objects.length > 0 };
}

/** Marks where one object's measurements begin in a monitor script's output (followed by the run's nonce). */
export const MONITOR_MARKER = "ORCHESTRA-MONITOR";

/** A measurement: a plain non-negative decimal (no sign, exponent, hex or spaces), below 10^15. */
const MEASUREMENT = /^(0|[1-9][0-9]{0,14})(\.[0-9]{1,9})?$/;

/**
 * The measurements of each object in a monitor script's output: `resource=number` lines after the
 * marker with this run's nonce and an id that was asked for, up to the next marker line (a marker
 * without this nonce ends the section). Anything else is ignored; the last value of a resource wins.
 */
export function parseMeasurements(output: string, nonce: string, ids: ReadonlySet<string>, resources: ReadonlySet<string>): Map<string, Map<string, number>> {
  const out = new Map<string, Map<string, number>>();
  const marker = `${MONITOR_MARKER}-${nonce} `;
  let current: Map<string, number> | null = null;
  for (const line of output.split("\n")) {
    if (line.startsWith(marker)) {
      const id = line.slice(marker.length);
      current = ids.has(id) ? (out.get(id) ?? new Map()) : null;
      if (current) out.set(id, current);
      continue;
    }
    if (line.startsWith(MONITOR_MARKER)) {
      current = null; // a marker of another run, or a forged one: what follows belongs to nobody
      continue;
    }
    const eq = line.indexOf("=");
    if (!current || eq <= 0) continue;
    const name = line.slice(0, eq);
    const value = line.slice(eq + 1);
    if (resources.has(name) && MEASUREMENT.test(value)) current.set(name, Number(value));
  }
  return out;
}

const maskables = new WeakMap<readonly string[], string[]>();

const firsts = new WeakMap<string[], Set<string>>();
function firstCharacters(list: string[]): Set<string> {
  let set = firsts.get(list);
  if (!set) firsts.set(list, (set = new Set(list.map((s) => s[0]))));
  return set;
}

/** The secrets worth masking, longest first: one that begins another must not leave the other's rest. */
function maskable(secrets: readonly string[]): string[] {
  let list = maskables.get(secrets);
  if (!list) maskables.set(secrets, (list = [...new Set(secrets.filter((s) => s.length >= 4))].sort((a, b) => b.length - a.length)));
  return list;
}

/** Replaces every secret value in a text (script output) by the mask. */
export function maskSecrets(text: string, secrets: readonly string[]): string {
  let out = text;
  for (const secret of maskable(secrets)) if (out.includes(secret)) out = out.split(secret).join(MASK);
  return out;
}

/**
 * How much of a running script's output (raw) can be masked and handed on now: all of it but a tail
 * that could be the beginning of a secret whose rest has not arrived yet, and never a cut through a
 * whole secret (which would hand on its first part unmasked).
 */
export function safeCut(text: string, secrets: readonly string[]): number {
  const list = maskable(secrets);
  if (list.length === 0) return text.length;
  // the earliest position from which the rest of the text is the beginning of a secret
  let at = text.length;
  const starts = firstCharacters(list);
  for (let p = Math.max(0, text.length - list[0].length + 1); p < text.length; p++) {
    if (!starts.has(text[p])) continue;
    const rest = text.slice(p);
    if (list.some((secret) => secret.length > rest.length && secret.startsWith(rest))) {
      at = p;
      break;
    }
  }
  for (let moved = true; moved; ) {
    moved = false;
    for (const secret of list) {
      for (let i = text.indexOf(secret, Math.max(0, at - secret.length + 1)); i >= 0 && i < at; i = text.indexOf(secret, i + 1)) {
        if (i + secret.length > at) [at, moved] = [i, true];
      }
    }
  }
  return at;
}

/** Starts output read back from the server's run marker whose beginning was not kept (`tail -c`). */
export const CUT_HEAD = "[… earlier output not kept …]\n";

/** Masks output read back from a run marker; a cut beginning may hold the end of a secret: it is dropped. */
export function maskReadBack(text: string, secrets: readonly string[]): string {
  if (!text.startsWith(CUT_HEAD)) return maskSecrets(text, secrets);
  const longest = Math.max(0, ...maskable(secrets).map((s) => s.length));
  return CUT_HEAD + maskSecrets(text.slice(CUT_HEAD.length + Math.max(0, longest - 1)), secrets);
}
