// SQLite with several processes writing at once: the web server (saves in the browser, its in-process
// worker), a separate worker process and the CLI, for a minute. No save may fail ("database is
// locked", SQLITE_BUSY_SNAPSHOT): write transactions take the lock up front and wait for it.
import { spawn } from "node:child_process";
import path from "node:path";
import { expect, test } from "@playwright/test";
import { E2E_DATABASE_URL } from "../playwright.config";
import { spawnWorker, stopWorker } from "../tests/support/worker-process";
import { e2eDb } from "./db";
import { e2eHosts } from "./hosts";
import { stateFile } from "./users";
import { removeServer } from "./cleanup";

test.use({ storageState: stateFile("operator") });
test.afterAll(() => removeServer("busy-host", "busy-"));
test.setTimeout(180_000);

const KEY = path.resolve(".tmp/e2e/id_ed25519");

function cli(args: string[]): Promise<{ code: number | null; out: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ["--import", "tsx", "bin/orchestrate.ts", ...args], { env: { ...process.env, DATABASE_URL: E2E_DATABASE_URL, ORCHESTRA_SSH_KEY: KEY }, stdio: ["ignore", "pipe", "pipe"] });
    let out = "";
    child.stdout.on("data", (d) => (out += d));
    child.stderr.on("data", (d) => (out += d));
    child.once("exit", (code) => resolve({ code, out }));
  });
}

test("web server, worker and CLI write the same SQLite file for a minute: no save fails", async ({ page }) => {
  const [host] = e2eHosts();
  const db = e2eDb();
  const server = await db.server.create({ data: { name: "busy-host", address: host.address, port: host.port, hostKeyFingerprint: host.fingerprint, variables: { SYSUSER_PREFIX: host.sandbox } } });
  await db.route.create({ data: { backend: "system-users", serverId: server.id, match: 'object.username.startsWith("busy-")', async: true } });

  const worker = spawnWorker({ DATABASE_URL: E2E_DATABASE_URL, ORCHESTRA_SSH_KEY: KEY });
  const deadline = Date.now() + 60_000;
  const cliRuns: Array<{ code: number | null; out: string }> = [];
  // two CLI loops: each run reads the routes and then writes operations and logs in one transaction
  const cliLoops = [0, 1].map(async () => {
    while (Date.now() < deadline) cliRuns.push(await cli(["--model", "SystemUser", "--server", "busy-host"]));
  });

  let saves = 0;
  let edits = 0;
  const failures: string[] = [];
  try {
    while (Date.now() < deadline) {
      const name = `busy-${saves}`;
      await page.goto("/services/system-users/new");
      await page.getByLabel("Username").fill(name);
      await page.getByRole("button", { name: "Add system user" }).click();
      const flash = page.getByTestId("flash");
      await expect(flash).toBeVisible();
      const text = (await flash.textContent()) ?? "";
      if (!text.includes(`System user ${name} saved.`)) failures.push(`${name}: ${text}`);
      saves++;
      // and an edit: a unit of work that reads the row, then writes it (the transaction that failed)
      if (saves > 1) {
        const previous = await db.systemUser.findUniqueOrThrow({ where: { username: `busy-${saves - 2}` } });
        await page.goto(`/services/system-users/${previous.id}`);
        await page.getByLabel("Shell").fill(saves % 2 ? "/bin/sh" : "/bin/dash");
        await page.getByRole("button", { name: "Save system user" }).click();
        const edited = (await page.getByTestId("flash").textContent()) ?? "";
        if (!edited.includes("saved")) failures.push(`edit busy-${saves - 2}: ${edited}`);
        edits++;
      }
    }
    await Promise.all(cliLoops);
  } finally {
    await stopWorker(worker);
  }
  const dbErrors = cliRuns.filter((r) => /SQLITE_BUSY|database is locked|timed out|Something went wrong/i.test(r.out));
  console.log(`[drill] SQLite writers for 60 s: ${saves} creates and ${edits} edits in the browser (${failures.length} failed), ${cliRuns.length} CLI runs (${dbErrors.length} with database errors), a worker process and the in-process worker`);
  expect(failures).toEqual([]);
  expect(dbErrors.map((r) => r.out)).toEqual([]);
  // enough browser writes to contend with the others (creates and edits; fewer on a loaded machine)
  expect(saves + edits).toBeGreaterThan(10);
  expect(cliRuns.length).toBeGreaterThan(3);
  expect(await db.systemUser.count({ where: { username: { startsWith: "busy-" } } })).toBe(saves);
  // the worker processes catch up with every queued save
  await expect.poll(async () => db.operation.count({ where: { serverId: server.id, state: { in: ["PENDING", "RUNNING"] } } }), { timeout: 60_000 }).toBe(0);
});
