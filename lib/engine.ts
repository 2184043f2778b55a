// The engine as the app, the CLI and the worker configure it from the environment.
import { homedir } from "node:os";
import path from "node:path";
import { createDb, type Db } from "./db-client";
import { loadEnv, type OrchestraEnv } from "./env";
import { Engine } from "./orchestration/engine";
import { SshExecutor } from "./orchestration/executors/ssh";
import { servicesRegistry } from "./services";

/** The private key file SSH runs use. */
export const sshKeyPath = (settings: OrchestraEnv = loadEnv()) => settings.ORCHESTRA_SSH_KEY || path.join(homedir(), ".ssh", "id_ed25519");

export function createEngine(db: Db = createDb(), settings: OrchestraEnv = loadEnv()): Engine {
  const sshKey = sshKeyPath(settings);
  return new Engine({
    db,
    registry: servicesRegistry(),
    executor: () => SshExecutor.fromKeyFile(sshKey, { connectTimeoutMs: settings.ORCHESTRA_SSH_CONNECT_TIMEOUT_MS }),
    scriptTimeoutMs: settings.ORCHESTRA_SCRIPT_TIMEOUT_MS,
    leaseMs: settings.ORCHESTRA_LEASE_MS,
    pollMs: settings.ORCHESTRA_POLL_MS,
    workerConcurrency: settings.ORCHESTRA_WORKER_CONCURRENCY,
    laneWaitMs: settings.ORCHESTRA_LANE_WAIT_MS,
    maxOperationsPerScript: settings.ORCHESTRA_SCRIPT_MAX_OPERATIONS,
    webhookUrl: settings.ORCHESTRA_WEBHOOK_URL,
  });
}
