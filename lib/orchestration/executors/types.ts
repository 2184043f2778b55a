import type { ServerInfo } from "../types";

export type OutputSink = (stream: "stdout" | "stderr", chunk: string) => void;

export type ExecutionResult = {
  state: "SUCCESS" | "FAILURE" | "ERROR" | "TIMEOUT" | "ABORTED";
  exitCode: number | null;
  /** Our explanation when the script did not run to an exit code (unreachable, key mismatch…). */
  error?: string;
  /** True when the script never started (server unreachable): nothing changed there, safe to retry. */
  notStarted?: boolean;
  /** Set when this run pinned the server's host key (first connection). */
  pinnedFingerprint?: string;
};

export type RunOptions = {
  timeoutMs: number;
  onOutput: OutputSink;
  signal?: AbortSignal;
};

export interface ScriptExecutor {
  run(server: ServerInfo, script: string, options: RunOptions): Promise<ExecutionResult>;
  close(): Promise<void>;
}
