// Renders the one script for a (server, backend) from all of its operations in a unit of work:
// head (strict mode, a banner naming the operations), the backend's prepare, one block per operation,
// and the backend's commit once. Pure: no I/O, the same inputs give the same text.
import type { Backend, ScriptContext } from "./backend";
import { commentText, type ShellFragment } from "./shell";
import type { PendingOperation, ServerInfo, Snapshot } from "./types";

export type RenderedScript = {
  text: string;
  /** False when no operation produced a command: nothing needs to run (log state NOTHING). */
  hasContent: boolean;
};

/** `objects`: for a sync-kind backend, every current object routed to this server. */
export function renderScript(backend: Backend, server: ServerInfo, operations: readonly PendingOperation[], objects: readonly Snapshot[] = []): RenderedScript {
  const lines: string[] = [];
  const ctx: ScriptContext = {
    server,
    variable(name) {
      const value = server.variables[name] ?? backend.variables?.[name];
      if (value === undefined) throw new Error(`backend ${backend.name} reads variable ${name} but declares no default`);
      return value;
    },
    append(line: ShellFragment) {
      lines.push(line.text);
    },
  };

  if (backend.method === "local") {
    return { text: banner(backend, server, operations).join("\n") + "\n# runs in-process (method: local)\n", hasContent: operations.length > 0 };
  }

  backend.prepare?.(ctx, operations);
  const headLength = lines.length;
  if (backend.kind === "sync") {
    lines.push(`# sync: the whole configuration, ${objects.length} object(s)`);
    backend.sync?.(ctx, objects);
    backend.commit?.(ctx, operations);
    const text = [...banner(backend, server, operations), "set -euo pipefail", "", ...lines, ""].join("\n");
    return { text, hasContent: true };
  }
  for (const operation of operations) {
    const object = operation.action === "delete" ? operation.before : operation.after;
    if (!object) continue;
    const before = lines.length;
    lines.push(`# ${operation.action} ${commentText(operation.model)} ${commentText(operation.objectLabel)}`);
    if (operation.action === "save") backend.save?.(ctx, object, operation);
    else backend.delete?.(ctx, object, operation);
    if (lines.length === before + 1) lines.pop(); // the backend had nothing to do for it
  }
  const hasContent = lines.length > headLength || Boolean(backend.force);
  backend.commit?.(ctx, operations);

  const text = [...banner(backend, server, operations), "set -euo pipefail", "", ...lines, ""].join("\n");
  return { text, hasContent };
}

function banner(backend: Backend, server: ServerInfo, operations: readonly PendingOperation[]): string[] {
  return [
    "#!/usr/bin/env bash",
    `# Orchestra: backend ${backend.name} on server ${commentText(server.name)}`,
    ...operations.map((op) => `#   ${op.action} ${commentText(op.model)} #${commentText(op.objectId)} ${commentText(op.objectLabel)}`),
  ];
}
