import { expect, test } from "@playwright/test";
import { e2eDb } from "./db";
import { e2eHosts, passwd } from "./hosts";
import { stateFile } from "./users";

test("routes system users to a real SSH host, shows each run, and retries a failure to success", async ({ page, browser }) => {
  const [host] = e2eHosts();

  // An admin adds the server (its shadow files live in a sandbox root) and a route with a CEL match.
  await page.goto("/servers/new");
  await page.getByLabel("Name").fill("ssh-a");
  await page.getByLabel("Address").fill(host.address);
  await page.getByLabel("SSH port").fill(String(host.port));
  await page.getByLabel("Variables").fill(`SYSUSER_PREFIX=${host.sandbox}`);
  await page.getByRole("button", { name: "Add server" }).click();
  await expect(page.getByTestId("host-key")).toContainText("Not pinned yet");

  await page.goto("/routes/new");
  await page.getByLabel("Backend").selectOption("system-users");
  await page.getByLabel("Server").selectOption({ label: "ssh-a" });
  await page.getByLabel("Match (CEL)").fill('object.usrname.startsWith("e2e")');
  await page.getByRole("button", { name: "Add route" }).click();
  await expect(page.getByTestId("match-error")).toContainText("Unknown field object.usrname");
  await page.getByLabel("Match (CEL)").fill('object.username.startsWith("e2e")');
  await page.getByRole("button", { name: "Preview matches" }).click();
  await expect(page.getByTestId("preview")).toContainText("Matches 0 of 0");
  await page.getByRole("button", { name: "Add route" }).click();
  await expect(page.getByTestId("flash")).toContainText("Route for system-users added.");
  await expect(page.getByText('object.username.startsWith("e2e")')).toBeVisible();

  // An operator saves a system user: the script runs before the page answers.
  const operator = await browser.newContext({ storageState: stateFile("operator") });
  const op = await operator.newPage();
  await op.goto("/services/system-users/new");
  await op.getByLabel("Username").fill("e2e-alice");
  await op.getByLabel("Groups").fill("e2e-web");
  await op.getByRole("button", { name: "Add system user" }).click();
  await expect(op.getByTestId("flash")).toContainText("System user e2e-alice saved.");
  await expect(op.getByTestId("runs")).toContainText("system-users on ssh-a: save e2e-alice");
  await expect(op.getByTestId("runs").locator("[data-state]")).toHaveAttribute("data-state", "SUCCESS");
  expect(passwd(host)).toMatch(/^e2e-alice:x:\d+:\d+::\/home\/e2e-alice:\/bin\/bash$/m);
  expect((await e2eDb().server.findUniqueOrThrow({ where: { name: "ssh-a" } })).hostKeyFingerprint).toBe(host.fingerprint);

  await op.getByTestId("runs").getByRole("link", { name: /log #/ }).click();
  await expect(op.getByTestId("log-state")).toContainText("SUCCESS");
  await expect(op.getByTestId("log-script")).toContainText("useradd");
  await expect(op.getByRole("link", { name: /#\d+/ }).first()).toBeVisible();

  // The server breaks: the next save fails, with the error shown and a link to its log.
  const server = await e2eDb().server.findUniqueOrThrow({ where: { name: "ssh-a" } });
  await e2eDb().server.update({ where: { id: server.id }, data: { variables: { SYSUSER_PREFIX: "/nonexistent-root" } } });
  const alice = await e2eDb().systemUser.findUniqueOrThrow({ where: { username: "e2e-alice" } });
  await op.goto(`/services/system-users/${alice.id}`);
  await op.getByLabel("Shell").fill("/bin/sh");
  await op.getByRole("button", { name: "Save system user" }).click();
  await expect(op.getByTestId("flash")).toContainText("did not succeed");
  await expect(op.getByTestId("runs").locator("[data-state]")).toHaveAttribute("data-state", "FAILURE");
  await op.getByTestId("runs").getByRole("link", { name: /log #/ }).click();
  await expect(op.getByTestId("log-state")).toContainText("FAILURE");
  await expect(op.getByTestId("log-stderr")).toContainText("cannot read /nonexistent-root/etc/passwd");

  // Fixed, then retried from the log page: the change reaches the server.
  await e2eDb().server.update({ where: { id: server.id }, data: { variables: { SYSUSER_PREFIX: host.sandbox } } });
  await op.getByRole("button", { name: "Retry" }).click();
  await expect(op.getByTestId("log-state")).toContainText("SUCCESS");
  await expect(op.getByText("Retry of", { exact: true })).toBeVisible();
  await expect(op.getByTestId("flash")).toContainText("SUCCESS");
  expect(passwd(host)).toMatch(/^e2e-alice:.*:\/bin\/sh$/m);
  await operator.close();
});

test.describe("as a viewer", () => {
  test.use({ storageState: stateFile("viewer") });
  test("cannot add or change system users", async ({ page }) => {
    await page.goto("/services/system-users");
    await expect(page.getByRole("link", { name: "Add system user" })).toHaveCount(0);
    await page.goto("/services/system-users/new");
    await expect(page.getByTestId("forbidden")).toBeVisible();
  });
});
