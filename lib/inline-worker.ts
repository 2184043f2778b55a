import { engine } from "./orchestra";
import { Worker } from "./orchestration/worker";

const globalForWorker = globalThis as unknown as { orchestraWorker?: Worker };

/** Starts the in-process worker once per server process, sharing the app's engine (and SSH pool). */
export function startInlineWorker() {
  if (globalForWorker.orchestraWorker) return;
  const worker = new Worker(engine, { id: `inline:${process.pid}` });
  globalForWorker.orchestraWorker = worker;
  worker.start();
  const stop = () => void worker.stop();
  process.once("SIGTERM", stop);
  process.once("SIGINT", stop);
}
