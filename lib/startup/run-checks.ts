// The start-up checks as the web node and the worker run them, configured from the environment.
import { databaseUrl } from "../database-url";
import type { Db } from "../db-client";
import { sshKeyPath } from "../engine";
import { acceptNewAuthSecret, authSecret, loadEnv } from "../env";
import { reportStartup, startupChecks } from "./checks";

export async function checkBeforeStart(db: Db, role: "web" | "worker"): Promise<void> {
  const result = await startupChecks({
    db,
    url: databaseUrl(),
    authSecret: authSecret(),
    acceptNewSecret: acceptNewAuthSecret(),
    sshKey: sshKeyPath(loadEnv()),
    role,
  });
  reportStartup(role === "web" ? "orchestra web" : "orchestra worker", result);
}

/** The web node's start (instrumentation.ts): a refused or failed check ends the process. */
export async function checkWebNodeOrExit(db: Db): Promise<void> {
  try {
    await checkBeforeStart(db, "web");
  } catch (error) {
    if ((error as Error).name !== "StartupRefused") console.error(`[orchestra web] REFUSING TO START: ${(error as Error).message}`);
    process.exit(1);
  }
}
