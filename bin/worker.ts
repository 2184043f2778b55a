// The worker process: runs queued (async) operations, retries failures with backoff, recovers work
// whose worker died. Run as many as you like against one PostgreSQL.
//   npm run worker                   until SIGTERM / SIGINT (finishes running scripts first)
//   npm run worker -- --once         one round, then exit (cron-style)
import { parseArgs } from "node:util";
import { createEngine } from "../lib/engine";
import { workerCrashAt } from "../lib/env";
import { Worker } from "../lib/orchestration/worker";

async function main() {
  const { values } = parseArgs({ options: { once: { type: "boolean", default: false }, id: { type: "string" } } });
  const engine = createEngine();
  const worker = new Worker(engine, {
    id: values.id,
    crashAt: workerCrashAt(),
    onReports: (reports) => {
      for (const r of reports) console.log(`${r.state.padEnd(8)} log #${r.logId} ${r.backend} on ${r.server}: ${r.operations.join(", ")}`);
    },
  });
  if (values.once) {
    await worker.tick();
  } else {
    console.log(`${worker.id} running`);
    worker.start();
    await new Promise<void>((resolve) => {
      process.once("SIGTERM", resolve);
      process.once("SIGINT", resolve);
    });
    console.log(`${worker.id} stopping: letting running scripts finish`);
    await worker.stop();
  }
  await engine.close();
  await engine.db.$disconnect();
}

main().catch((error) => {
  console.error(`worker: ${error instanceof Error ? error.message : error}`);
  process.exit(1);
});
