// Cancel from the log page: a queued save whose script hangs on the server is stopped from the browser;
// the log ends CANCELLED and nothing of the run is left on the host.
import { execFileSync } from "node:child_process";
import { expect, test } from "@playwright/test";
import { removeServer } from "./cleanup";
import { e2eDb } from "./db";
import { e2eHosts } from "./hosts";
import { stateFile } from "./users";

test.use({ storageState: stateFile("operator") });
test.afterAll(async () => {
  await removeServer("cancel-host");
  await e2eDb().website.deleteMany({ where: { name: { startsWith: "cancel-" } } });
});

function running(pattern: string): string[] {
  try {
    return execFileSync("pgrep", ["-af", pattern], { encoding: "utf8" }).trim().split("\n").filter((l) => l && !l.includes("pgrep"));
  } catch {
    return [];
  }
}

test("an operator cancels a hanging script from its log page", async ({ page }) => {
  const [host] = e2eHosts();
  const db = e2eDb();
  const server = await db.server.create({
    data: { name: "cancel-host", address: host.address, port: host.port, hostKeyFingerprint: host.fingerprint, variables: { ...host.nginx.variables, NGINX_RELOAD: "sleep 47.5" } },
  });
  await db.route.create({ data: { backend: "nginx-websites", serverId: server.id, match: 'object.name.startsWith("cancel-")', async: true } });

  await page.goto("/services/websites/new");
  await page.getByLabel("Name").fill("cancel-me");
  await page.getByLabel("Domains").fill("cancel-me.test");
  await page.getByRole("button", { name: "Add website" }).click();
  await expect(page.getByTestId("flash")).toContainText("saved");

  // the worker picks it up and the script hangs on the host
  const log = await expect
    .poll(async () => (await db.scriptLog.findFirst({ where: { serverId: server.id, state: "STARTED" } }))?.id ?? 0, { timeout: 20_000 })
    .toBeGreaterThan(0)
    .then(() => db.scriptLog.findFirstOrThrow({ where: { serverId: server.id, state: "STARTED" } }));
  await expect.poll(() => running("sleep 47.5").length, { timeout: 10_000 }).toBeGreaterThan(0);

  await page.goto(`/logs/${log.id}`);
  await expect(page.getByTestId("log-state")).toContainText("STARTED");
  page.once("dialog", (dialog) => dialog.accept());
  await page.getByRole("button", { name: "Cancel" }).click();
  await expect(page.getByTestId("log-state")).toContainText("CANCELLED", { timeout: 20_000 });
  await expect(page.getByTestId("log-stderr")).toContainText("cancelled by an operator");
  expect(running("sleep 47.5")).toEqual([]);
  // its operation stays failed (visible, retryable), not retried by itself
  const [link] = await db.scriptLogOperation.findMany({ where: { scriptLogId: log.id } });
  expect((await db.operation.findUniqueOrThrow({ where: { id: link.operationId } })).state).toBe("FAILURE");
  await expect(page.getByRole("button", { name: "Retry" })).toBeVisible();
});
