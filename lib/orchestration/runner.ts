// Runs one script — one (server, backend) group of operations — and keeps its ScriptLog: written
// STARTED with the script (in the transaction that marks its operations RUNNING), output streamed in
// while it runs, then SUCCESS / FAILURE / ERROR / TIMEOUT / ABORTED; a script that could not be
// rendered, or had nothing to do, is written RECEIVED and closed as ERROR or NOTHING. Operations
// follow their log's outcome.
import type { Operation } from "../../generated/sqlite/client";
import type { Engine } from "./engine";
import { runLocal } from "./executors/local";
import type { ExecutionResult } from "./executors/types";
import { MaskedOutput } from "./output";
import { OutputLines, type OutputLine } from "./output-lines";
import { laneName, runKey } from "./executors/supervisor";
import { renderScript } from "./script";
import { serverLookup, syncObjects } from "./sync";
import { serverInfo, type LogState, type PendingOperation, type Snapshot } from "./types";

export type GroupOperation = PendingOperation & { id: number };

export type RunReport = {
  logId: number;
  server: string;
  serverId: number;
  backend: string;
  state: LogState;
  exitCode: number | null;
  operations: string[];
  operationIds: number[];
  /** The script never started (unreachable server): safe to retry. */
  notStarted?: boolean;
  /**
   * The run's result came after it had lost its operations (a stall past its lease: recovery or another
   * worker settled them meanwhile). `state` is then what the log says, and nothing more is done with it.
   */
  overtaken?: boolean;
};

export type RunOptions = {
  userId?: number | null;
  retryOfId?: number | null;
  signal?: AbortSignal;
  /** Called after the script ended, before its log is written (crash drills). */
  beforeFinish?: () => void;
  /** The lease owner holding these operations: state changes apply only while it still holds them,
   * so a run whose lease expired (and was taken over) cannot overwrite the new owner's states. */
  owner?: string;
  /** Each line of the output as it arrives, secrets masked (the CLI prints them live). */
  onLine?: (line: OutputLine) => void;
};

/** How often a running script's log is checked for a Cancel request. */
const CANCEL_POLL_MS = 1000;

type ServerRow = Parameters<typeof serverInfo>[0];

export async function runGroup(engine: Engine, serverRow: ServerRow, backendName: string, operations: GroupOperation[], options: RunOptions = {}): Promise<RunReport> {
  const { db } = engine;
  const backend = engine.registry.get(backendName);
  const server = serverInfo(serverRow);
  const opIds = operations.map((o) => o.id);
  const labels = operations.map((o) => `${o.action} ${o.objectLabel}`);

  let script = "";
  let executable = "";
  let secrets: string[] = [];
  let renderError: string | undefined;
  let hasContent = false;
  try {
    const objects = backend.kind === "sync" ? await syncObjects(engine, backend.name, server.id) : [];
    const lookup = await serverLookup(engine, backend.asksRouter ?? []);
    ({ text: script, executable, secrets, hasContent } = renderScript(backend, server, operations, objects, lookup));
  } catch (error) {
    renderError = `rendering failed: ${(error as Error).message}`;
  }

  const logData = {
    backend: backend.name,
    serverId: server.id,
    method: backend.method,
    script,
    createdById: options.userId ?? null,
    retryOfId: options.retryOfId ?? null,
    operations: { create: opIds.map((operationId) => ({ operationId })) },
  };
  const select = { id: true, createdAt: true } as const;
  const report = (logId: number, state: LogState, exitCode: number | null = null, notStarted?: boolean): RunReport => ({
    logId,
    server: server.name,
    serverId: server.id,
    backend: backend.name,
    state,
    exitCode,
    operations: labels,
    operationIds: opIds,
    ...(notStarted ? { notStarted } : {}),
  });
  // What a fenced finish that matched nothing reports: the log as it is stored now.
  const overtaken = async (logId: number): Promise<RunReport> => {
    const stored = await db.scriptLog.findUnique({ where: { id: logId }, select: { state: true, exitCode: true } });
    return { ...report(logId, (stored?.state ?? "ABORTED") as LogState, stored?.exitCode ?? null), overtaken: true };
  };

  if (renderError || !hasContent) {
    const log = await db.scriptLog.create({ data: { ...logData, state: "RECEIVED" }, select });
    if (renderError) {
      if (!(await finish(engine, log.id, opIds, { state: "ERROR", exitCode: null }, "", `[orchestra] ${renderError}\n`, undefined, options.owner))) return overtaken(log.id);
      return report(log.id, "ERROR");
    }
    if (!(await finish(engine, log.id, opIds, { state: "SUCCESS", exitCode: null }, "", "", "NOTHING", options.owner))) return overtaken(log.id);
    return report(log.id, "NOTHING");
  }

  // Start only while this owner still holds every operation (a lease lost meanwhile — to a stall, or a
  // database outage — means someone else may run them now): the log is written STARTED, and the
  // operations RUNNING, in one transaction.
  const startedAt = new Date();
  const log = await db
    .$transaction(async (tx) => {
      const { count } = await tx.operation.updateMany({ where: { id: { in: opIds }, state: "PENDING", ...fence(options.owner) }, data: { state: "RUNNING", attempts: { increment: 1 } } });
      if (count !== opIds.length) throw new LeaseLost(count, opIds.length);
      return tx.scriptLog.create({ data: { ...logData, state: "STARTED", startedAt }, select });
    })
    .catch((error: Error) => {
      if (error.name !== "LeaseLost") throw error;
      return null;
    });
  if (!log) {
    const aborted = await db.scriptLog.create({
      data: { ...logData, state: "ABORTED", finishedAt: new Date(), stderr: "[orchestra] not started: this run no longer held all of its operations (its lease expired); whoever holds them runs them\n" },
      select,
    });
    return report(aborted.id, "ABORTED");
  }

  // Output is masked as it arrives, before it is kept, stored or watched (output.ts).
  const watch = options.onLine;
  const lineOf = (stream: "stdout" | "stderr") =>
    new OutputLines((text) => {
      try {
        watch?.({ logId: log.id, server: server.name, backend: backend.name, stream, text });
      } catch {
        // a watcher that fails does not fail the run
      }
    });
  const lines = watch ? { stdout: lineOf("stdout"), stderr: lineOf("stderr") } : null;
  const stdout = new MaskedOutput(engine.outputLimit, secrets, lines ? (text) => lines.stdout.push(text) : undefined);
  const stderr = new MaskedOutput(engine.outputLimit, secrets, lines ? (text) => lines.stderr.push(text) : undefined);
  let dirty = false;
  let flushing: Promise<unknown> = Promise.resolve();
  const flush = () => {
    if (!dirty) return flushing;
    dirty = false;
    flushing = flushing.then(() => db.scriptLog.update({ where: { id: log.id }, data: { stdout: stdout.toString(), stderr: stderr.toString() } }).catch(() => undefined));
    return flushing;
  };
  const ticker = setInterval(flush, engine.flushIntervalMs);
  // Cancel (from any process) is a flag on the log: seen here, it stops the run on the server.
  const cancel = new AbortController();
  const onOuterAbort = () => cancel.abort(options.signal?.reason);
  if (options.signal?.aborted) onOuterAbort();
  options.signal?.addEventListener("abort", onOuterAbort, { once: true });
  const cancelPoll = setInterval(() => {
    db.scriptLog
      .findUnique({ where: { id: log.id }, select: { cancelRequestedAt: true } })
      .then((row) => row?.cancelRequestedAt && cancel.abort("cancel"))
      .catch(() => undefined);
  }, CANCEL_POLL_MS);
  const onOutput = (stream: "stdout" | "stderr", chunk: string) => {
    (stream === "stdout" ? stdout : stderr).push(chunk);
    dirty = true;
  };

  let result: ExecutionResult;
  try {
    result =
      backend.method === "local"
        ? await runLocal(backend, server, operations, { timeoutMs: engine.scriptTimeoutMs, onOutput, signal: cancel.signal })
        : await engine.executor.run(server, executable, {
            timeoutMs: engine.scriptTimeoutMs,
            onOutput,
            signal: cancel.signal,
            run: { key: runKey(log.id, log.createdAt), lane: laneName(server.id, backend.name) },
          });
  } catch (error) {
    result = { state: "ERROR", exitCode: null, error: (error as Error).message };
  } finally {
    clearInterval(ticker);
    clearInterval(cancelPoll);
    options.signal?.removeEventListener("abort", onOuterAbort);
    stdout.end();
    stderr.end();
    lines?.stdout.end();
    lines?.stderr.end();
    await flushing;
  }
  if (result.unsettled) {
    // The connection dropped before the exit code arrived, and the server could not be asked: the
    // run may still be going on there. Leave it to recovery, which reads the server's run marker.
    await db.scriptLog.update({ where: { id: log.id }, data: { stdout: stdout.toString(), stderr: stderr.toString() + `[orchestra] ${result.error}\n` } }).catch(() => undefined);
    await db.operation.updateMany({ where: { id: { in: opIds }, state: "RUNNING", ...fence(options.owner) }, data: { leaseUntil: new Date(0) } });
    return report(log.id, "ABORTED", null);
  }
  if (result.state !== "SUCCESS" && result.state !== "CANCELLED") {
    // Cancel may have killed the run directly (from another process) before this one saw the flag.
    const flagged = await db.scriptLog.findUnique({ where: { id: log.id }, select: { cancelRequestedAt: true } }).catch(() => null);
    if (flagged?.cancelRequestedAt) result = { state: "CANCELLED", exitCode: result.exitCode, error: "cancelled by an operator: its processes on the server were killed" };
  }
  options.beforeFinish?.();
  if (result.error) {
    stderr.push(`${stderr.toString().endsWith("\n") || !stderr.toString() ? "" : "\n"}[orchestra] ${result.error}\n`);
    stderr.end();
  }
  if (result.pinnedFingerprint) {
    // First connection: pin the key it offered (only if nobody pinned one meanwhile).
    await db.server.updateMany({ where: { id: server.id, hostKeyFingerprint: null }, data: { hostKeyFingerprint: result.pinnedFingerprint } });
  }
  if (!(await finish(engine, log.id, opIds, result, stdout.toString(), stderr.toString(), undefined, options.owner))) return overtaken(log.id);
  if (backend.recordOutput) {
    await backend.recordOutput(db, { serverId: server.id, logId: log.id, state: result.state, stdout: stdout.toString() }).catch((error: Error) => console.error(`[runner] ${backend.name} could not record the output of log #${log.id}: ${error.message}`));
  }
  return report(log.id, result.state, result.exitCode, result.notStarted);
}

function fence(owner?: string) {
  return owner ? { leaseOwner: owner } : {};
}

class LeaseLost extends Error {
  constructor(held: number, wanted: number) {
    super(`holds ${held} of ${wanted} operations`);
    this.name = "LeaseLost";
  }
}

async function finish(
  engine: Engine,
  logId: number,
  opIds: number[],
  result: Pick<ExecutionResult, "state" | "exitCode">,
  stdout: string,
  stderr: string,
  logState?: LogState,
  owner?: string,
): Promise<boolean> {
  const state = logState ?? result.state;
  // Fenced: a log already settled by recovery, and operations this owner no longer holds (or that were
  // revoked or superseded meanwhile), keep what they say. Returns whether this run still held them all:
  // if not, its result is not the one that counts.
  const [logs, ops] = await engine.db.$transaction([
    engine.db.scriptLog.updateMany({ where: { id: logId, state: { in: ["RECEIVED", "STARTED"] } }, data: { state, exitCode: result.exitCode, stdout, stderr, finishedAt: new Date() } }),
    engine.db.operation.updateMany({
      where: { id: { in: opIds }, state: { in: ["PENDING", "RUNNING"] }, ...fence(owner) },
      data: { state: result.state === "SUCCESS" ? "SUCCESS" : "FAILURE", leaseOwner: null, leaseUntil: null },
    }),
  ]);
  return logs.count === 1 && ops.count === opIds.length;
}

/** Operation rows as the runner needs them (snapshots are JSON columns). */
export function groupOperation(row: Pick<Operation, "id" | "backend" | "action" | "model" | "objectId" | "objectLabel" | "before" | "after">): GroupOperation {
  return {
    id: row.id,
    backend: row.backend,
    action: row.action,
    model: row.model,
    objectId: row.objectId,
    objectLabel: row.objectLabel,
    before: (row.before as Snapshot | null) ?? null,
    after: (row.after as Snapshot | null) ?? null,
  };
}
