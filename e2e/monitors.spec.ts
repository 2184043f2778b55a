// Resource monitors in the browser, on a real sshd host: Measure now on a system user's page charts
// its home directory's size; a limit below it disables the account on the host (exceeded action);
// viewers see the chart but cannot measure or set limits.
import { readFileSync, writeFileSync } from "node:fs";
import { randomBytes } from "node:crypto";
import path from "node:path";
import { expect, test } from "@playwright/test";
import { e2eDb } from "./db";
import { e2eHosts } from "./hosts";
import { removeServer } from "./cleanup";
import { stateFile } from "./users";

test.use({ storageState: stateFile("operator") });

test.beforeAll(async () => {
  const host = e2eHosts()[0];
  await removeServer("mon-a", "mon-");
  const server = await e2eDb().server.create({ data: { name: "mon-a", address: host.address, port: host.port, hostKeyFingerprint: host.fingerprint, variables: { SYSUSER_PREFIX: host.sandbox } } });
  await e2eDb().route.create({ data: { backend: "system-users", serverId: server.id, match: 'object.username.startsWith("mon-")' } });
});

test.afterAll(async () => {
  await e2eDb().resourceLimit.deleteMany({ where: { model: "SystemUser" } });
  await removeServer("mon-a", "mon-");
});

test("Measure now charts a home directory; a limit below it disables the account on the host; viewers only read", async ({ page, browser }) => {
  const host = e2eHosts()[0];
  await page.goto("/services/system-users/new");
  await page.getByLabel("Username").fill("mon-dora");
  await page.getByRole("button", { name: "Add system user" }).click();
  await expect(page.getByTestId("runs").locator("[data-state]")).toHaveAttribute("data-state", "SUCCESS");
  writeFileSync(path.join(host.sandbox, "home/mon-dora/data.bin"), randomBytes(2 * 1024 * 1024));

  const disk = page.getByTestId("resource-disk");
  await expect(disk.getByTestId("resource-value")).toHaveText("not measured");
  await page.getByRole("button", { name: "Measure now" }).click();
  await expect(page.getByTestId("flash")).toContainText("Measured: 1 value(s) from 1 server run(s).");
  await expect(disk.getByTestId("resource-value")).toContainText(/^2(\.\d+)? MiB$/);
  await expect(disk.getByTestId("resource-chart")).toHaveAttribute("aria-label", /Disk usage: 1 measurement\(s\)/);

  await disk.getByLabel("Limit (MiB)").fill("lots");
  await disk.getByRole("button", { name: "Set limit" }).click();
  await expect(disk.getByTestId("limit-error")).toHaveText("A number, or empty for the default.");
  await disk.getByLabel("Limit (MiB)").fill("1");
  await disk.getByRole("button", { name: "Set limit" }).click();
  await expect(page.getByTestId("flash")).toContainText("Disk usage: limit 1 MiB from the next measurement.");

  await page.getByRole("button", { name: "Measure now" }).click();
  await expect(page.getByTestId("notices")).toContainText("is over the limit of 1 MiB: Disable the account.");
  await expect(disk.getByTestId("resource-value")).toContainText("exceeded");
  await expect(disk.locator('[data-line="limit"]')).toHaveCount(1);
  await page.screenshot({ path: "test-results/monitors-object.png", fullPage: true });
  expect((await e2eDb().systemUser.findUniqueOrThrow({ where: { username: "mon-dora" } })).active).toBe(false);
  const shadow = readFileSync(path.join(host.sandbox, "etc/shadow"), "utf8").split("\n").find((l) => l.startsWith("mon-dora:"))!;
  expect(shadow.split(":")[7]).toBe("1");

  const viewer = await browser.newContext({ storageState: stateFile("viewer") });
  const view = await viewer.newPage();
  await view.goto(page.url().replace(/\?.*$/, ""));
  await expect(view.getByTestId("resource-disk").getByTestId("resource-chart")).toBeVisible();
  await expect(view.getByRole("button", { name: "Measure now" })).toHaveCount(0);
  await expect(view.getByRole("button", { name: "Set limit" })).toHaveCount(0);
  await expect(view.getByTestId("resource-disk").getByLabel("Limit (MiB)")).toBeDisabled();
  await viewer.close();
});
