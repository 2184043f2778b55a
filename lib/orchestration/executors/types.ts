import type { ServerInfo } from "../types";

export type OutputSink = (stream: "stdout" | "stderr", chunk: string) => void;

export type ExecutionResult = {
  /** UNREACHABLE: the server could not be reached (refused, unresolvable, no route, connect timeout);
   * TIMEOUT: the script ran longer than allowed and was killed; CANCELLED: an operator stopped it. */
  state: "SUCCESS" | "FAILURE" | "ERROR" | "TIMEOUT" | "UNREACHABLE" | "ABORTED" | "CANCELLED";
  exitCode: number | null;
  /** Our explanation when the script did not run to an exit code (unreachable, key mismatch…). */
  error?: string;
  /** True when the script never started (server unreachable): nothing changed there, safe to retry. */
  notStarted?: boolean;
  /** Set when this run pinned the server's host key (first connection). */
  pinnedFingerprint?: string;
  /** The outcome is not known (the connection dropped and the server could not be asked): recovery
   * settles the run later from the server's run marker. */
  unsettled?: boolean;
};

/** A supervised run: the script runs on the server under a per-lane lock in its own process group and
 * leaves a marker (exit code, output) under its key, so a run whose result was lost can be read back. */
export type SupervisedRun = {
  /** Unique per script log (id + creation time), used in the marker's file names. */
  key: string;
  /** The lane's lock name: one run at a time per (server, backend) on the host. */
  lane: string;
};

export type RunOptions = {
  timeoutMs: number;
  onOutput: OutputSink;
  /** Aborting stops the run (its process group is killed on the server). `signal.reason` "cancel"
   * makes the result CANCELLED, anything else ABORTED. */
  signal?: AbortSignal;
  run?: SupervisedRun;
};

/** What a server says about a supervised run. */
export type RunMarker =
  | { status: "finished"; exitCode: number; stdout: string; stderr: string }
  | { status: "running" }
  | { status: "killed"; stdout: string; stderr: string }
  | { status: "unknown" };

export interface ScriptExecutor {
  run(server: ServerInfo, script: string, options: RunOptions): Promise<ExecutionResult>;
  /** Reads the markers of supervised runs (recovery after a lost result). */
  probe?(server: ServerInfo, keys: readonly string[]): Promise<Map<string, RunMarker>>;
  /** Kills a supervised run's process group on the server (cancel, or a timeout seen by another process). */
  kill?(server: ServerInfo, key: string): Promise<void>;
  close(): Promise<void>;
}
