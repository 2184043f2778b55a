// Single-machine default: the Next.js server also runs a worker in-process, so async routes and
// retries work with one command. Set ORCHESTRA_WORKER=off when separate `npm run worker` processes
// do the work (several machines sharing PostgreSQL).
export async function register() {
  if (process.env.NEXT_RUNTIME !== "nodejs" || process.env.ORCHESTRA_WORKER === "off") return;
  const { startInlineWorker } = await import("./lib/inline-worker");
  startInlineWorker();
}
