// The engine's wiring: database client, backends, executor and limits, passed explicitly so the same
// code runs in server actions, the CLI, a worker and tests.
import type { Db } from "../db-client";
import type { BackendRegistry } from "./backend";
import type { ScriptExecutor } from "./executors/types";
import { capturingClient, createStorage } from "./unit-of-work";

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
