// The convergence view in the browser, on a real sshd host: a hand edit is found by the drift check
// and repaired by re-applying the pair; a route whose match changes previews and then moves the
// objects off the server.
import { readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { expect, test } from "@playwright/test";
import { e2eDb } from "./db";
import { e2eHosts, passwd } from "./hosts";
import { removeServer } from "./cleanup";
import { stateFile } from "./users";

test.use({ storageState: stateFile("admin") });

test.beforeAll(async () => {
  const host = e2eHosts()[0];
  await removeServer("conv-a", "cvg");
  const server = await e2eDb().server.create({ data: { name: "conv-a", address: host.address, port: host.port, hostKeyFingerprint: host.fingerprint, variables: { SYSUSER_PREFIX: host.sandbox } } });
  await e2eDb().route.create({ data: { backend: "system-users", serverId: server.id, match: 'object.username.startsWith("cvg")' } });
});

test.afterAll(async () => {
  await removeServer("conv-a", "cvg");
});

test("drift found by the check is repaired by re-applying the pair; a route change moves the object off the server", async ({ page }) => {
  const host = e2eHosts()[0];
  page.on("dialog", (dialog) => dialog.accept());
  await page.goto("/services/system-users/new");
  await page.getByLabel("Username").fill("cvg-one");
  await page.getByRole("button", { name: "Add system user" }).click();
  await expect(page.getByTestId("runs").locator("[data-state]")).toHaveAttribute("data-state", "SUCCESS");
  const server = await e2eDb().server.findUniqueOrThrow({ where: { name: "conv-a" } });

  await page.goto(`/convergence?server=${server.id}`);
  const pair = page.locator('[data-pair="conv-a/cvg-one"]');
  await expect(pair.locator("[data-state]")).toHaveAttribute("data-state", "in sync");

  // a hand edit on the host
  const file = path.join(host.sandbox, "etc/passwd");
  writeFileSync(file, readFileSync(file, "utf8").replace(/^(cvg-one:.*:)\/bin\/bash$/m, "$1/bin/sh"));
  await page.getByRole("button", { name: "Check drift" }).click();
  await expect(page.getByTestId("flash")).toContainText("1 drifted");
  await expect(page.getByTestId("notices")).toContainText('cvg-one on conv-a (system-users) shell: "/bin/sh" on the server, "/bin/bash" wanted');
  await expect(pair.locator("[data-state]")).toHaveAttribute("data-state", "drifted");
  await expect(page.getByTestId("count-drifted")).toHaveText("1");
  await page.screenshot({ path: "test-results/convergence-view.png", fullPage: true });

  await page.getByLabel("Choose cvg-one on conv-a").check();
  await page.getByRole("button", { name: "Re-apply chosen" }).click();
  await expect(page.getByTestId("flash")).toContainText("Re-applied 1 pair(s).");
  await expect(page.getByTestId("runs").locator("[data-state]")).toHaveAttribute("data-state", "SUCCESS");
  await expect(pair.locator("[data-state]")).toHaveAttribute("data-state", "in sync");
  expect(passwd(host)).toMatch(/^cvg-one:.*:\/bin\/bash$/m);

  // the route no longer selects the user: the preview says what moves, saving moves it
  const route = await e2eDb().route.findFirstOrThrow({ where: { serverId: server.id, backend: "system-users" } });
  await page.goto(`/routes/${route.id}`);
  await page.getByLabel("Match (CEL)").fill('object.username.startsWith("cvg-none")');
  await page.getByRole("button", { name: "Preview matches" }).click();
  await expect(page.getByTestId("preview")).toContainText("On save: removed from conv-a: cvg-one.");
  await page.getByRole("button", { name: "Save route" }).click();
  await expect(page.getByTestId("flash")).toContainText("Route saved. On save: removed from conv-a: cvg-one.");
  await expect(page.getByTestId("runs")).toContainText("system-users on conv-a: delete cvg-one");
  await expect(page.getByTestId("runs").locator("[data-state]")).toHaveAttribute("data-state", "SUCCESS");
  expect(passwd(host)).not.toMatch(/^cvg-one:/m);
  expect(await e2eDb().systemUser.count({ where: { username: "cvg-one" } })).toBe(1);
});

test.describe("as a viewer", () => {
  test.use({ storageState: stateFile("viewer") });
  test("sees the convergence view without acting", async ({ page }) => {
    await page.goto("/convergence");
    await expect(page.getByTestId("pair-counts")).toBeVisible();
    await expect(page.getByRole("button", { name: "Check drift" })).toHaveCount(0);
    await expect(page.getByRole("button", { name: "Re-apply chosen" })).toHaveCount(0);
  });
});
