// Runs once when the Next.js server starts.
export async function register() {
  // Not a read at run time: Next.js writes NEXT_RUNTIME into each runtime's bundle, and this test is
  // what keeps the Node-only imports below out of the Edge one.
  if (process.env.NEXT_RUNTIME !== "nodejs") return;
  // Every request carries the socket's address under a header of ours (lib/client-address.ts): Next.js
  // gives server actions no socket, and its X-Forwarded-For is whatever the client sent.
  const [{ installPeerStamp }, { inlineWorkerEnabled }, http, https] = await Promise.all([
    import("./lib/client-address"),
    import("./lib/env"),
    import("node:http"),
    import("node:https"),
  ]);
  installPeerStamp([http.Server, https.Server]);

  // A wrong setup stops the node here, with what to do (lib/startup/checks.ts).
  const [{ checkWebNodeOrExit }, { db }] = await Promise.all([import("./lib/startup/run-checks"), import("./lib/db")]);
  await checkWebNodeOrExit(db);

  // Single-machine default: the Next.js server also runs a worker in-process, so async routes and
  // retries work with one command. Set ORCHESTRA_WORKER=off when separate `npm run worker` processes
  // do the work (several machines sharing PostgreSQL).
  if (!inlineWorkerEnabled()) return;
  const { startInlineWorker } = await import("./lib/inline-worker");
  startInlineWorker();
}
