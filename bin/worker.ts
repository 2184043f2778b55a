// The worker process: runs queued (async) operations, retries failures with backoff, recovers work
// whose worker died. Run as many as you like against one PostgreSQL.
//   npm run worker                   until SIGTERM / SIGINT (stops claiming; running scripts get
//                                    ORCHESTRA_SHUTDOWN_GRACE_MS to finish, then are left to recovery)
//   npm run worker -- --once         one round, then exit (cron-style)
import { parseArgs } from "node:util";
import { createEngine } from "../lib/engine";
import { loadEnv, workerCrashAt } from "../lib/env";
import { Worker } from "../lib/orchestration/worker";
import { StartupRefused } from "../lib/startup/checks";
import { checkBeforeStart } from "../lib/startup/run-checks";

async function main() {
  const { values } = parseArgs({ options: { once: { type: "boolean", default: false }, id: { type: "string" } } });
  const engine = createEngine();
  await checkBeforeStart(engine.db, "worker");
  const graceMs = loadEnv().ORCHESTRA_SHUTDOWN_GRACE_MS;
  const worker = new Worker(engine, {
    id: values.id,
    graceMs,
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
    console.log(`${worker.id} stopping: no new work; running scripts have ${graceMs / 1000} s to finish`);
    const { unfinished } = await worker.stop();
    if (unfinished) {
      // Their SSH sessions would keep the process alive: exit; the scripts go on under their supervisor.
      console.log(`${worker.id} stopped with ${unfinished} script(s) still running: their leases expire and recovery records their outcome`);
      await engine.db.$disconnect().catch(() => undefined);
      process.exit(0);
    }
    console.log(`${worker.id} stopped`);
  }
  await engine.close();
  await engine.db.$disconnect();
}

main().catch((error) => {
  if (error instanceof StartupRefused) process.exit(1); // already explained
  console.error(`worker: ${error instanceof Error ? error.message : error}`);
  process.exit(1);
});
