// A real worker process (bin/worker.ts) against the test database, for crash drills.
import { spawn, type ChildProcess } from "node:child_process";

export type WorkerProcess = { child: ChildProcess; output: () => string; exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }> };

export function spawnWorker(env: Record<string, string>): WorkerProcess {
  // node with the tsx loader (not the tsx wrapper), so signals reach the worker process itself
  const child = spawn(process.execPath, ["--import", "tsx", "bin/worker.ts"], {
    env: { ...process.env, ORCHESTRA_LEASE_MS: "2000", ORCHESTRA_POLL_MS: "100", ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  child.stdout?.on("data", (d) => (output += d));
  child.stderr?.on("data", (d) => (output += d));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.once("exit", (code, signal) => resolve({ code, signal })));
  return { child, output: () => output, exited };
}

export async function stopWorker(worker: WorkerProcess) {
  if (worker.child.exitCode === null && worker.child.signalCode === null) worker.child.kill("SIGTERM");
  await worker.exited;
}
