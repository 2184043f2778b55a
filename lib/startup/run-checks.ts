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
