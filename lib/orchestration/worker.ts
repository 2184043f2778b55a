// The worker: runs the outbox. It looks for lanes (server, backend) with due work — or with runs whose
// owner stopped — and runs each lane independently through the outbox, with a bounded number of lanes
// at once: a slow or stuck server holds up only its own lanes, never another server's work. Many
// workers may share one database; a lane is run by one of them at a time.
import { randomUUID } from "node:crypto";
import { hostname } from "node:os";
import type { Engine } from "./engine";
import { lanesWithWork, newOwner, releaseHeld, runLane, WORKER_POLICY, type RetryPolicy } from "./outbox";
import { Periodic } from "./periodic";
import { keepBeating } from "./presence";
import type { RunReport } from "./runner";

export { WORKER_POLICY } from "./outbox";

export type WorkerOptions = {
  id?: string;
  pollMs?: number;
  /** Lanes run at once by this worker. */
  concurrency?: number;
  policy?: RetryPolicy;
  /** Fault injection for crash drills: the process kills itself (SIGKILL) at this point. */
  crashAt?: "after-claim" | "after-run";
  onReports?: (reports: RunReport[]) => void;
  /** How long stop() lets running scripts finish (ORCHESTRA_SHUTDOWN_GRACE_MS); unset: as long as they take. */
  graceMs?: number;
  /** false: this worker fires no schedules and sends no notifications. */
  periodic?: boolean;
};

export class Worker {
  readonly id: string;
  private readonly pollMs: number;
  private readonly concurrency: number;
  private readonly policy: RetryPolicy;
  private readonly active = new Map<string, Promise<RunReport[]>>();
  private readonly owners = new Map<string, string>();
  private stopping = new AbortController();
  private presence?: { stop(): Promise<void> };
  private running = false;
  private loop?: Promise<void>;
  private wake?: () => void;
  private readonly periodic: Periodic | null;

  constructor(
    private readonly engine: Engine,
    private readonly options: WorkerOptions = {},
  ) {
    this.id = options.id ?? `worker:${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`;
    this.pollMs = options.pollMs ?? engine.pollMs;
    this.concurrency = options.concurrency ?? engine.workerConcurrency;
    this.policy = options.policy ?? WORKER_POLICY;
    this.periodic = options.periodic === false ? null : new Periodic(engine, { onError: (error) => this.report(error) });
  }

  /** Starts the lanes that have work (up to the concurrency), without waiting for them. */
  private async schedule(): Promise<Array<Promise<RunReport[]>>> {
    const free = this.concurrency - this.active.size;
    if (free <= 0) return [];
    const started: Array<Promise<RunReport[]>> = [];
    await this.engine.syncClock();
    for (const lane of await lanesWithWork(this.engine)) {
      if (started.length >= free) break;
      const key = `${lane.serverId}\u0000${lane.backend}`;
      if (this.active.has(key)) continue;
      const owner = newOwner("worker");
      const crash = () => process.kill(process.pid, "SIGKILL");
      const run = runLane(this.engine, lane.serverId, lane.backend, {
        owner,
        policy: this.policy,
        drain: true,
        stopDraining: this.stopping.signal,
        afterClaim: this.options.crashAt === "after-claim" ? crash : undefined,
        beforeFinish: this.options.crashAt === "after-run" ? crash : undefined,
      })
        .then((reports) => {
          if (reports.length) this.options.onReports?.(reports);
          return reports;
        })
        .catch((error: Error) => {
          this.report(error);
          return [] as RunReport[];
        })
        .finally(() => {
          this.active.delete(key);
          this.owners.delete(key);
          this.wake?.(); // a lane freed: look for more work now
        });
      this.active.set(key, run);
      this.owners.set(key, owner);
      started.push(run);
    }
    return started;
  }

  /** One round: starts every lane with work and waits for them. Returns the reports of their scripts. */
  async tick(): Promise<RunReport[]> {
    const started = await this.schedule();
    await this.periodic?.round();
    return (await Promise.all(started)).flat().sort((a, b) => a.logId - b.logId);
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    if (this.stopping.signal.aborted) this.stopping = new AbortController();
    this.presence = keepBeating(this.engine, this.id);
    this.loop = (async () => {
      while (this.running) {
        try {
          await this.schedule();
          void this.periodic?.round(); // schedules and notifications, in the background
        } catch (error) {
          this.report(error as Error);
        }
        if (!this.running) break;
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, this.pollMs);
          this.wake = () => {
            clearTimeout(timer);
            resolve();
          };
        });
      }
    })();
  }

  private lastError = { message: "", at: 0 };

  /** Logs a failing round, the same message at most once a minute (e.g. a database not migrated yet). */
  private report(error: Error) {
    const message = error.message.trim().split("\n").pop() ?? "";
    if (message === this.lastError.message && Date.now() - this.lastError.at < 60_000) return;
    this.lastError = { message, at: Date.now() };
    console.error(`[${this.id}] round failed: ${message}`);
  }

  /** Looks for work now instead of at the next poll. */
  poke(): void {
    this.wake?.();
  }

  /**
   * Stops taking work (no new lane, no further script in a running lane); the scripts already running
   * finish and are logged, within `graceMs`. Past it, operations claimed but not started are handed
   * back; a script still running is left to its lease: once it expires, recovery reads the run's marker
   * on the server (the script keeps running there) and records its real outcome.
   */
  async stop(graceMs = this.options.graceMs): Promise<{ unfinished: number }> {
    this.running = false;
    this.stopping.abort("shutdown");
    this.wake?.();
    await this.loop;
    const all = Promise.all(this.active.values());
    let timer: NodeJS.Timeout | undefined;
    const bound = graceMs === undefined ? new Promise<never>(() => undefined) : new Promise<"timeout">((resolve) => (timer = setTimeout(() => resolve("timeout"), graceMs)));
    const outcome = await Promise.race([all, bound]);
    clearTimeout(timer);
    const unfinished = outcome === "timeout" ? this.active.size : 0;
    if (unfinished) await Promise.all([...this.owners.values()].map((owner) => releaseHeld(this.engine, owner).catch(() => undefined)));
    await this.presence?.stop();
    await this.periodic?.stop();
    return { unfinished };
  }
}
