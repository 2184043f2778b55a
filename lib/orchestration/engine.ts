// The engine's wiring: database client, backends, executor and limits, passed explicitly so the same
// code runs in server actions, the CLI, a worker and tests.
import type { Db } from "../db-client";
import type { BackendRegistry } from "./backend";
import type { ScriptExecutor } from "./executors/types";
import { capturingClient, createStorage } from "./unit-of-work";
import { onPostgres } from "./snapshot";

export type EngineOptions = {
  db: Db;
  registry: BackendRegistry;
  /** Made on first use, so rendering and dry runs never need a key. */
  executor: () => ScriptExecutor;
  scriptTimeoutMs?: number;
  /** Characters kept of each of stdout and stderr. */
  outputLimit?: number;
  /** How often output is written to the log while a script runs. */
  flushIntervalMs?: number;
  /** Lease of a lane or an operation; renewed every third of it while its owner works. */
  leaseMs?: number;
  /** How often a worker looks for work when idle. */
  pollMs?: number;
  /** Lanes one worker runs at once. */
  workerConcurrency?: number;
  /** Operations of a task backend rendered into one script at most; the rest runs next. */
  maxOperationsPerScript?: number;
  /** How long a save waits for a lane another run holds before leaving its work to the worker. */
  laneWaitMs?: number;
  /** Where operations that failed for good are POSTed as JSON (see notify.ts); none by default. */
  webhookUrl?: string;
};

export class Engine {
  readonly db: Db;
  readonly registry: BackendRegistry;
  readonly scriptTimeoutMs: number;
  readonly outputLimit: number;
  readonly flushIntervalMs: number;
  readonly leaseMs: number;
  readonly pollMs: number;
  readonly workerConcurrency: number;
  readonly laneWaitMs: number;
  readonly maxOperationsPerScript: number;
  readonly webhookUrl: string | undefined;
  readonly storage = createStorage();
  /** Tails of the `serialize` backends' queues (one script at a time per backend). */
  readonly serialQueues = new Map<string, Promise<unknown>>();
  /** Lanes whose server could not be asked during recovery: not before this time (ms) again. */
  readonly recoveryBackoff = new Map<string, number>();
  private readonly makeExecutor: () => ScriptExecutor;
  private executorInstance?: ScriptExecutor;
  private capturingInstance?: Db;

  constructor(options: EngineOptions) {
    this.db = options.db;
    this.registry = options.registry;
    this.makeExecutor = options.executor;
    this.scriptTimeoutMs = options.scriptTimeoutMs ?? 300_000;
    this.outputLimit = options.outputLimit ?? 256 * 1024;
    this.flushIntervalMs = options.flushIntervalMs ?? 300;
    this.leaseMs = options.leaseMs ?? 30_000;
    this.pollMs = options.pollMs ?? 1000;
    this.workerConcurrency = options.workerConcurrency ?? 16;
    this.laneWaitMs = options.laneWaitMs ?? 5000;
    this.maxOperationsPerScript = options.maxOperationsPerScript ?? 200;
    this.webhookUrl = options.webhookUrl;
  }

  /** The database's clock minus this process's (PostgreSQL; 0 on SQLite, which is on this machine). */
  clockOffsetMs = 0;
  private clockSyncedAt = 0;

  /** "Now" on the database's clock: leases are compared by every node, so they use one clock. */
  now(): Date {
    return new Date(Date.now() + this.clockOffsetMs);
  }

  /** Measures the database's clock (at most once a minute). A node whose clock is off by more than a
   * quarter of the lease is told so: its leases would otherwise expire early or late for the others. */
  async syncClock(): Promise<void> {
    if (Date.now() - this.clockSyncedAt < 60_000) return;
    this.clockSyncedAt = Date.now();
    if (!onPostgres(this.db)) return;
    try {
      // (a first query also opens the connection: timed, it would put the database's clock ahead)
      await this.db.$queryRawUnsafe("SELECT 1");
      const sent = Date.now();
      const [row] = await this.db.$queryRawUnsafe<Array<{ now: Date }>>("SELECT now() AS now");
      const received = Date.now();
      const offset = new Date(row.now).getTime() - (sent + received) / 2;
      if (Math.abs(offset) > this.leaseMs / 4 && Math.abs(this.clockOffsetMs - offset) > 1000) {
        console.warn(`[orchestra] this machine's clock differs from the database's by ${Math.round(offset)} ms: leases use the database's clock; keep clocks in sync (NTP)`);
      }
      this.clockOffsetMs = offset;
    } catch {
      /* keep the last offset */
    }
  }

  get executor(): ScriptExecutor {
    this.executorInstance ??= this.makeExecutor();
    return this.executorInstance;
  }

  get capturing(): Db {
    this.capturingInstance ??= capturingClient(this);
    return this.capturingInstance;
  }

  async close(): Promise<void> {
    await this.executorInstance?.close();
  }
}
