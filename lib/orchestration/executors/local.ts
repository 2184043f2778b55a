// Runs a backend's TypeScript function in-process, with the same log semantics as a script.
import type { Backend } from "../backend";
import type { PendingOperation, ServerInfo } from "../types";
import type { ExecutionResult, RunOptions } from "./types";

export async function runLocal(
  backend: Backend,
  server: ServerInfo,
  operations: readonly PendingOperation[],
  options: RunOptions,
): Promise<ExecutionResult> {
  if (!backend.runLocal) return { state: "ERROR", exitCode: null, error: `backend ${backend.name} has no runLocal` };
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<ExecutionResult>((resolve) => {
    timer = setTimeout(() => resolve({ state: "TIMEOUT", exitCode: null, error: `still running after ${options.timeoutMs} ms` }), options.timeoutMs);
  });
  const work = backend
    .runLocal({ server, stdout: (t) => options.onOutput("stdout", t), stderr: (t) => options.onOutput("stderr", t) }, operations)
    .then((): ExecutionResult => ({ state: "SUCCESS", exitCode: 0 }))
    .catch((error: unknown): ExecutionResult => {
      options.onOutput("stderr", `${error instanceof Error ? error.message : String(error)}\n`);
      return { state: "FAILURE", exitCode: 1 };
    });
  try {
    return await Promise.race([work, timeout]);
  } finally {
    clearTimeout(timer);
  }
}
