// Cancel from the log page: a queued save whose script hangs on the server is stopped from the browser;
// the log ends CANCELLED and nothing of the run is left on the host.
import { execFileSync } from "node:child_process";
import { expect, test } from "@playwright/test";
import { removeServer } from "./cleanup";
import { e2eDb } from "./db";
import { queueSiteRun } from "./queued-site";
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
  const db = e2eDb();
  const { log } = await queueSiteRun(page, { server: "cancel-host", site: "cancel-me", reload: "sleep 47.5" });
  // the script hangs on the host
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
