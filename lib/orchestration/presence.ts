// Worker heartbeats: each running worker process keeps one Setting row ("worker.alive:<id>") with the
// time it last looked for work, on the database's clock; /api/health reports whether one was seen
// recently. A row in the existing Setting table, so no migration; a stopped worker deletes its own.
import { hostname } from "node:os";
import type { Engine } from "./engine";

const PREFIX = "worker.alive:";
/** A worker counts as alive when it beat within this long. */
export const ALIVE_WITHIN_MS = 60_000;
export const BEAT_EVERY_MS = 10_000;

type Beat = { seenAt: string; host: string; pid: number };

export async function beat(engine: Engine, workerId: string): Promise<void> {
  const value: Beat = { seenAt: engine.now().toISOString(), host: hostname(), pid: process.pid };
  const key = PREFIX + workerId;
  await engine.db.setting.upsert({ where: { key }, create: { key, value }, update: { value } });
}

export async function forget(engine: Engine, workerId: string): Promise<void> {
  await engine.db.setting.deleteMany({ where: { key: PREFIX + workerId } });
}

/** Workers that beat within `withinMs`; rows older than a day are swept (workers killed with -9). */
export async function liveWorkers(engine: Engine, withinMs = ALIVE_WITHIN_MS): Promise<number> {
  const rows = await engine.db.setting.findMany({ where: { key: { startsWith: PREFIX } } });
  const now = engine.now().getTime();
  const age = (r: (typeof rows)[number]) => now - Date.parse((r.value as Beat | null)?.seenAt ?? "");
  const stale = rows.filter((r) => !(age(r) < 86_400_000)).map((r) => r.key);
  if (stale.length) await engine.db.setting.deleteMany({ where: { key: { in: stale } } });
  return rows.filter((r) => age(r) < withinMs).length;
}

/** Beats now and every BEAT_EVERY_MS until stopped; a failed beat is retried at the next one. */
export function keepBeating(engine: Engine, workerId: string, everyMs = BEAT_EVERY_MS): { stop(): Promise<void> } {
  const once = () => beat(engine, workerId).catch(() => undefined);
  void once();
  const timer = setInterval(once, everyMs);
  timer.unref();
  return {
    async stop() {
      clearInterval(timer);
      await forget(engine, workerId).catch(() => undefined);
    },
  };
}
