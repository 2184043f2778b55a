// Renders the one script for a (server, backend) from all of its operations in a unit of work:
// head (strict mode, a banner naming the operations), the backend's prepare, one block per operation,
// and the backend's commit once. Pure: no I/O, the same inputs give the same text.
import type { Backend, ScriptContext } from "./backend";
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
  const lines: string[] = [];
  const secrets: string[] = [];
  const ctx: ScriptContext = {
    server,
    variable(name) {
      const spec = backend.variables?.[name];
      if (!spec) throw new Error(`backend ${backend.name} reads variable ${name} but does not declare it`);
      return server.variables[name] ?? spec.default;
    },
    command(name) {
      return ctx.variable(name).split(/\s+/).filter(Boolean);
    },
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

/** Replaces every secret value in a text (script output) by the mask. */
export function maskSecrets(text: string, secrets: readonly string[]): string {
  let out = text;
  for (const secret of secrets) if (secret.length >= 4) out = out.split(secret).join(MASK);
  return out;
}
