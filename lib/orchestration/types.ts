/**
 * Terminology (see ARCHITECTURE.md):
 * - Service object: a row of a managed model (SystemUser, Website…).
 * - Backend: turns operations on one model into commands for one kind of server (./backend.ts).
 * - Action: `save` or `delete` (`monitor` reserved).
 * - Change: one write seen in a unit of work, before the merge rules.
 * - Operation: (backend, action, object) with the object's snapshot before and after the change. Once
 *   routed, one Operation row exists per server it runs on (the outbox).
 * - Unit of work: one server action / CLI command / API call; its operations commit with its writes.
 * - Route: (backend, server, CEL match, async, asyncActions, active): where a backend runs.
 * - Script: the text rendered for one (server, backend) from all its operations in one unit of work.
 * - ScriptLog: one execution of a script, with state, output, exit code and its operations.
 * - Executor: runs a script on a server (ssh) or a function in-process (local).
 */

/** The actions that change what a server should hold; any other action is a backend's command. */
export const ACTIONS = ["save", "delete"] as const;
export type Action = (typeof ACTIONS)[number];

/** True for save and delete; false for a backend's command (which leaves the desired state alone). */
export function isStateAction(action: string): action is Action {
  return action === "save" || action === "delete";
}

/** A JSON-safe copy of a row (dates as ISO strings), as stored on the Operation. */
export type Snapshot = Record<string, unknown>;

export type ChangeKind = "create" | "update" | "delete";

/** One write to a model row, as the unit of work saw it. */
export type Change = {
  model: string;
  kind: ChangeKind;
  objectId: string;
  before: Snapshot | null;
  after: Snapshot | null;
};

/** An operation before routing. */
export type PendingOperation = {
  backend: string;
  /** save, delete, or the name of one of the backend's commands. */
  action: string;
  model: string;
  objectId: string;
  objectLabel: string;
  before: Snapshot | null;
  after: Snapshot | null;
};

/**
 * ScriptLog states. RECEIVED → STARTED → SUCCESS | FAILURE (exit ≠ 0) | ERROR (ours: rendering, auth,
 * host key) | TIMEOUT (ran too long: killed on the server) | UNREACHABLE (refused, unresolvable, no
 * route, no handshake: never started) | ABORTED (interrupted: its owner stopped or it was stopped) |
 * CANCELLED (an operator stopped it); NOTHING (no content); REVOKED (withdrawn before it ran).
 */
export const LOG_STATES = ["RECEIVED", "STARTED", "SUCCESS", "FAILURE", "ERROR", "TIMEOUT", "UNREACHABLE", "ABORTED", "CANCELLED", "REVOKED", "NOTHING"] as const;
export type LogState = (typeof LOG_STATES)[number];
export const FINAL_LOG_STATES: readonly LogState[] = ["SUCCESS", "FAILURE", "ERROR", "TIMEOUT", "UNREACHABLE", "ABORTED", "CANCELLED", "REVOKED", "NOTHING"];
export const FAILED_LOG_STATES: readonly LogState[] = ["FAILURE", "ERROR", "TIMEOUT", "UNREACHABLE", "ABORTED", "CANCELLED"];

/**
 * Operation states. PENDING (queued, maybe leased to whoever will run it) → RUNNING → SUCCESS |
 * FAILURE (retried with backoff by the worker until out of attempts) | REVOKED (withdrawn) |
 * SUPERSEDED (a failure made moot: a later operation on the same server object succeeded).
 */
export const OPERATION_STATES = ["PENDING", "RUNNING", "SUCCESS", "FAILURE", "REVOKED", "SUPERSEDED"] as const;
export type OperationState = (typeof OPERATION_STATES)[number];

/** What a backend and an executor know of a server. */
export type ServerInfo = {
  id: number;
  name: string;
  address: string;
  port: number;
  sshUser: string;
  hostKeyFingerprint: string | null;
  variables: Record<string, string>;
};

export function serverInfo(row: Omit<ServerInfo, "variables"> & { variables: unknown }): ServerInfo {
  const vars: Record<string, string> = {};
  if (row.variables && typeof row.variables === "object") {
    for (const [k, v] of Object.entries(row.variables as Record<string, unknown>)) vars[k] = String(v);
  }
  return { id: row.id, name: row.name, address: row.address, port: row.port, sshUser: row.sshUser, hostKeyFingerprint: row.hostKeyFingerprint, variables: vars };
}

const OPERATOR_ERROR = Symbol.for("orchestra.operator-error");

/** A refusal the operator should read as is ("log #4 is still running"); any other error is ours and
 * is shown only as a reference. Recognised by a registry-wide symbol, not `instanceof`. */
export class OperatorError extends Error {
  readonly [OPERATOR_ERROR] = true;
  constructor(message: string) {
    super(message);
    this.name = "OperatorError";
  }
}

export function isOperatorError(error: unknown): error is OperatorError {
  return typeof error === "object" && error !== null && (error as Record<symbol, unknown>)[OPERATOR_ERROR] === true;
}
