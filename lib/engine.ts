// The engine as the app, the CLI and tests configure it from the environment.
import { homedir } from "node:os";
import path from "node:path";
import { createDb, type Db } from "./db-client";
import { Engine } from "./orchestration/engine";
import { SshExecutor } from "./orchestration/executors/ssh";
import { createRegistry } from "./services/registry";

export function sshKeyPath(env: NodeJS.ProcessEnv = process.env): string {
  return env.ORCHESTRA_SSH_KEY || path.join(homedir(), ".ssh", "id_ed25519");
}

export function createEngine(db: Db = createDb(), env: NodeJS.ProcessEnv = process.env): Engine {
  return new Engine({
    db,
    registry: createRegistry(),
    executor: () =>
      SshExecutor.fromKeyFile(sshKeyPath(env), {
        connectTimeoutMs: Number(env.ORCHESTRA_SSH_CONNECT_TIMEOUT_MS) || 10_000,
      }),
    scriptTimeoutMs: Number(env.ORCHESTRA_SCRIPT_TIMEOUT_MS) || 300_000,
  });
}
