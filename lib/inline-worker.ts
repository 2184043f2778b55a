import { loadEnv, manualSignalHandling } from "./env";
import { engine } from "./orchestra";
import { Worker } from "./orchestration/worker";

const globalForWorker = globalThis as unknown as { orchestraWorker?: Worker };

/** Starts the in-process worker once per server process, sharing the app's engine (and SSH pool). */
export function startInlineWorker() {
  if (globalForWorker.orchestraWorker) return;
  const worker = new Worker(engine, { id: `inline:${process.pid}`, graceMs: loadEnv().ORCHESTRA_SHUTDOWN_GRACE_MS });
  globalForWorker.orchestraWorker = worker;
  worker.start();
  // Next.js exits at once on SIGTERM unless NEXT_MANUAL_SIG_HANDLE is set (deploy/orchestra-web.service
  // sets it): then the worker stops claiming, its running scripts get the grace period, and we exit.
  const manual = manualSignalHandling();
  const stop = (signal: NodeJS.Signals) => {
    console.log(`[${worker.id}] ${signal}: no new work; running scripts get up to ${loadEnv().ORCHESTRA_SHUTDOWN_GRACE_MS / 1000} s`);
    void worker.stop().finally(() => {
      if (manual) process.exit(signal === "SIGINT" ? 130 : 143);
    });
  };
  process.once("SIGTERM", stop);
  process.once("SIGINT", stop);
}
