// What /api/health answers, for load balancers: ready (200) when the database answers and its
// migrations are this release's; 503 otherwise. It names no version, host or error text.
import type { Engine } from "./orchestration/engine";
import { liveWorkers } from "./orchestration/presence";

export type Health = {
  status: "ok" | "unavailable";
  database: "ok" | "unreachable";
  migrations: "current" | "pending" | "unknown";
  /** Worker processes (separate or in-process) that looked for work in the last minute. */
  workers: number;
};

export async function checkHealth(engine: Engine, committed: readonly string[]): Promise<Health> {
  let applied: Set<string>;
  try {
    const rows = await engine.db.$queryRawUnsafe<Array<{ name: string }>>(`SELECT name FROM "_orchestra_migrations"`);
    applied = new Set(rows.map((r) => r.name));
  } catch {
    // no migrations table yet, or no database: tell them apart with a trivial query
    const reachable = await engine.db.$queryRawUnsafe("SELECT 1").then(() => true, () => false);
    return { status: "unavailable", database: reachable ? "ok" : "unreachable", migrations: reachable ? "pending" : "unknown", workers: 0 };
  }
  const current = committed.every((name) => applied.has(name));
  const workers = await liveWorkers(engine).catch(() => 0);
  return { status: current ? "ok" : "unavailable", database: "ok", migrations: current ? "current" : "pending", workers };
}
