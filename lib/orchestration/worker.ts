// The worker: runs the outbox. Each tick it recovers work whose owner died, picks pending operations
// that are due and next in their object's commit order, claims them with a lease, groups them per
// (server, backend) into one script exactly like the synchronous path, runs them and releases every
// claim as success, a retry later, or a final failure. Many workers may share one database.
import { randomUUID } from "node:crypto";
import { claim, DEFAULT_LEASE_MS, heartbeat, inCommitOrder, recoverExpired } from "./claims";
import { groupOperations, runGroups, type RetryPolicy } from "./dispatcher";
import type { Engine } from "./engine";
import type { RunReport } from "./runner";

export type WorkerOptions = {
  id?: string;
  leaseMs?: number;
  pollMs?: number;
  /** Operations looked at per tick. */
  batch?: number;
  policy?: RetryPolicy;
  /** Fault injection for crash drills: the process kills itself (SIGKILL) at this point. */
  crashAt?: "after-claim" | "after-run";
  onReports?: (reports: RunReport[]) => void;
};

export const WORKER_POLICY: RetryPolicy = { retryFailures: true, maxAttempts: 5, backoffMs: 5_000 };

export class Worker {
  readonly id: string;
  private readonly leaseMs: number;
  private readonly pollMs: number;
  private readonly batch: number;
  private readonly policy: RetryPolicy;
  private running = false;
  private loop?: Promise<void>;
  private wake?: () => void;

  constructor(
    private readonly engine: Engine,
    private readonly options: WorkerOptions = {},
  ) {
    this.id = options.id ?? `worker:${process.pid}:${randomUUID().slice(0, 8)}`;
    this.leaseMs = options.leaseMs ?? DEFAULT_LEASE_MS;
    this.pollMs = options.pollMs ?? 1000;
    this.batch = options.batch ?? 500;
    this.policy = options.policy ?? WORKER_POLICY;
  }

  /** One round: recover, claim, run. Returns the reports of the scripts it ran. */
  async tick(): Promise<RunReport[]> {
    const { db } = this.engine;
    await recoverExpired(this.engine);
    const now = new Date();
    const due = await db.operation.findMany({
      where: { state: "PENDING", runAfter: { lte: now }, OR: [{ leaseUntil: null }, { leaseUntil: { lt: now } }] },
      select: { id: true, serverId: true, model: true, objectId: true, backend: true },
      orderBy: { id: "asc" },
      take: this.batch,
    });
    if (due.length === 0) return [];
    // A sync-kind backend renders the whole configuration: every queued change of a (server, backend)
    // is served by one run, in any order. Task backends keep per-object commit order.
    const syncKind = due.filter((o) => this.engine.registry.has(o.backend) && this.engine.registry.get(o.backend).kind === "sync");
    const taskKind = await inCommitOrder(this.engine, due.filter((o) => !syncKind.includes(o)));
    const token = `${this.id}:${randomUUID().slice(0, 8)}`;
    const claimed = await claim(this.engine, [...syncKind, ...taskKind].map((o) => o.id), token, this.leaseMs);
    if (claimed.length === 0) return [];
    if (this.options.crashAt === "after-claim") process.kill(process.pid, "SIGKILL");
    const stop = heartbeat(this.engine, token, this.leaseMs);
    try {
      const rows = await db.operation.findMany({ where: { id: { in: claimed } }, include: { server: true }, orderBy: { id: "asc" } });
      const reports = await runGroups(this.engine, groupOperations(rows), { policy: this.policy, owner: token, beforeFinish: this.options.crashAt === "after-run" ? () => process.kill(process.pid, "SIGKILL") : undefined });
      this.options.onReports?.(reports);
      return reports;
    } finally {
      stop();
    }
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    this.loop = (async () => {
      while (this.running) {
        let ran = 0;
        try {
          ran = (await this.tick()).length;
        } catch (error) {
          this.report(error as Error);
        }
        if (!this.running) break;
        if (ran === 0) await new Promise<void>((resolve) => {
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

  /** Logs a failing tick, the same message at most once a minute (e.g. a database not migrated yet). */
  private report(error: Error) {
    const message = error.message.trim().split("\n").pop() ?? "";
    if (message === this.lastError.message && Date.now() - this.lastError.at < 60_000) return;
    this.lastError = { message, at: Date.now() };
    console.error(`[${this.id}] tick failed: ${message}`);
  }

  /** Looks for work now instead of at the next poll. */
  poke(): void {
    this.wake?.();
  }

  /** Stops claiming; the scripts already running finish and are logged. */
  async stop(): Promise<void> {
    this.running = false;
    this.wake?.();
    await this.loop;
  }
}
