// The generic service pages on a list of more than a thousand objects: search, filters, sorting and
// keyset paging, a bulk re-apply and a bulk delete, and a backend command, with their effects read
// from the test host's real shadow files.
import { readFileSync } from "node:fs";
import path from "node:path";
import { expect, test, type Page } from "@playwright/test";
import { e2eDb } from "./db";
import { e2eHosts, passwd, type E2eHost } from "./hosts";
import { removeServer } from "./cleanup";
import { stateFile } from "./users";

test.use({ storageState: stateFile("operator") });

const COUNT = 1200;
const name = (i: number) => `kit${String(i).padStart(4, "0")}`;
const shadowLine = (host: E2eHost, user: string) => readFileSync(path.join(host.sandbox, "etc/shadow"), "utf8").split("\n").find((l) => l.startsWith(`${user}:`));

/** The name column of the list (after the choose column): assertions on it retry until the page shows them. */
function names(page: Page) {
  return page.getByTestId("service-list").locator("tbody tr td:nth-child(2)");
}

test.beforeAll(async () => {
  const db = e2eDb();
  const host = e2eHosts()[1];
  await removeServer("kit-host", "kit");
  const server = await db.server.create({ data: { name: "kit-host", address: host.address, port: host.port, hostKeyFingerprint: host.fingerprint, variables: { SYSUSER_PREFIX: host.sandbox } } });
  await db.route.create({ data: { backend: "system-users", serverId: server.id, match: 'object.username.startsWith("kit")' } });
  // Written straight to the database: a large list, nothing applied yet. Every 10th is inactive.
  await db.systemUser.createMany({ data: Array.from({ length: COUNT }, (_, i) => ({ username: name(i + 1), groups: [], active: (i + 1) % 10 !== 0 })) });
});

test.afterAll(async () => {
  await removeServer("kit-host", "kit");
});

test("a list of 1,200 system users: search, filter, sort, page", async ({ page }) => {
  await page.goto("/services/system-users?q=kit");
  await expect(page.getByTestId("list-count")).toHaveText(`${COUNT.toLocaleString("en")} matching, 50 on this page`);
  await expect(names(page)).toHaveText(Array.from({ length: 50 }, (_, i) => name(i + 1)));

  // Keyset paging: every page continues where the last one stopped, to the last row.
  await page.getByRole("link", { name: "Next page →" }).click();
  await expect(names(page).first()).toHaveText(name(51));
  await page.getByRole("link", { name: "Next page →" }).click();
  await expect(names(page).first()).toHaveText(name(101));
  await page.getByRole("link", { name: "← First page" }).click();
  await expect(names(page).first()).toHaveText(name(1));

  // Newest first, by the sort form.
  await page.getByLabel("Order").selectOption("desc");
  await page.getByRole("button", { name: "Filter" }).click();
  await expect(names(page).nth(0)).toHaveText(name(COUNT));
  await expect(names(page).nth(1)).toHaveText(name(COUNT - 1));
  await page.getByRole("link", { name: "Next page →" }).click();
  await expect(names(page).first()).toHaveText(name(COUNT - 50));

  // A filter and a search together.
  await page.goto("/services/system-users");
  await page.getByLabel("Search").fill("KIT07");
  await page.getByLabel("Active").selectOption("no");
  await page.getByRole("button", { name: "Filter" }).click();
  await expect(page.getByTestId("list-count")).toHaveText("10 matching");
  await expect(names(page)).toHaveText(Array.from({ length: 10 }, (_, i) => name(700 + i * 10)));

  await page.getByLabel("Search").fill("no-such-user-anywhere");
  await page.getByRole("button", { name: "Filter" }).click();
  await expect(page.getByText("No system users match.")).toBeVisible();
});

test("bulk re-apply, a backend command and bulk delete reach the server", async ({ page }) => {
  const host = e2eHosts()[1];
  page.on("dialog", (dialog) => dialog.accept());
  await page.goto("/services/system-users?q=kit000");
  await expect(page.getByTestId("list-count")).toHaveText("9 matching");
  await page.getByLabel("Choose every row of this page").check();
  await expect(page.getByTestId("chosen")).toHaveText("9 chosen");
  await page.getByRole("button", { name: "Re-apply on servers" }).click();
  await expect(page.getByTestId("flash")).toContainText("Re-applied: 9 system users on 1 server(s).");
  await expect(page.getByTestId("runs").locator("[data-state]")).toHaveAttribute("data-state", "SUCCESS");
  for (let i = 1; i <= 9; i++) expect(passwd(host)).toContain(`\n${name(i)}:`);

  // A backend command on one chosen object: its password must be changed at the next login.
  expect(shadowLine(host, name(3))?.split(":")[2]).not.toBe("0");
  await page.goto("/services/system-users?q=kit0003");
  await page.getByLabel(`Choose ${name(3)}`).check();
  await page.getByRole("button", { name: "Expire password" }).click();
  await expect(page.getByTestId("flash")).toContainText("Expire password: 1 system user on 1 server(s).");
  await expect(page.getByTestId("runs")).toContainText(`expire-password ${name(3)}`);
  expect(shadowLine(host, name(3))?.split(":")[2]).toBe("0");
  expect(shadowLine(host, name(4))?.split(":")[2]).not.toBe("0");
  // …logged like any run, and shown on the object's page per server.
  const kit3 = await e2eDb().systemUser.findUniqueOrThrow({ where: { username: name(3) } });
  await page.goto(`/services/system-users/${kit3.id}`);
  await expect(page.getByTestId("on-servers")).toContainText("kit-host");
  await expect(page.getByTestId("on-servers").locator("[data-state]")).toHaveAttribute("data-state", "SUCCESS");
  await expect(page.getByTestId("on-servers")).toContainText("expire-password");

  // Bulk delete of two: gone from the database and from the server, in one unit of work.
  await page.goto("/services/system-users?q=kit000");
  await page.getByLabel(`Choose ${name(1)}`).check();
  await page.getByLabel(`Choose ${name(2)}`).check();
  await page.getByRole("button", { name: "Delete" }).click();
  await expect(page.getByTestId("flash")).toContainText("Deleted 2 system users.");
  await expect(page.getByTestId("list-count")).toHaveText("7 matching");
  expect(passwd(host)).not.toContain(`\n${name(1)}:`);
  expect(passwd(host)).not.toContain(`\n${name(2)}:`);
  expect(passwd(host)).toContain(`\n${name(4)}:`);
  expect(await e2eDb().systemUser.count({ where: { username: { in: [name(1), name(2)] } } })).toBe(0);
});

test.describe("as a viewer", () => {
  test.use({ storageState: stateFile("viewer") });
  test("sees the list without choosing or acting", async ({ page }) => {
    await page.goto("/services/system-users?q=kit01");
    await expect(page.getByTestId("service-list")).toBeVisible();
    await expect(page.getByLabel("Choose every row of this page")).toHaveCount(0);
    await expect(page.getByRole("button", { name: "Delete" })).toHaveCount(0);
  });
});

test("a save that no route matches says so, next to the runs", async ({ page }) => {
  await page.goto("/services/system-users/new");
  await page.getByLabel("Username").fill("sololess-unrouted");
  await page.getByRole("button", { name: "Add system user" }).click();
  await expect(page.getByTestId("flash")).toContainText("System user sololess-unrouted saved.");
  await expect(page.getByTestId("notices")).toContainText("No active route of system-users matched sololess-unrouted: its save runs on no server.");
  await e2eDb().systemUser.deleteMany({ where: { username: "sololess-unrouted" } });
});

test.describe("as an admin", () => {
  test.use({ storageState: stateFile("admin") });
  test("the server page lists the variables its backends read, and warns on a key nothing reads", async ({ page }) => {
    const host = e2eHosts()[1];
    const server = await e2eDb().server.findUniqueOrThrow({ where: { name: "kit-host" } });
    await page.goto(`/servers/${server.id}`);
    await expect(page.getByTestId("variable-SYSUSER_PREFIX")).toContainText(`SYSUSER_PREFIX = ${host.sandbox} set here`);
    await expect(page.getByTestId("variable-SYSUSER_REMOVE_HOME")).toContainText("SYSUSER_REMOVE_HOME = no default");
    await expect(page.getByTestId("unknown-variable")).toHaveCount(0);

    await page.getByLabel("Variables").fill(`SYSUSER_PREFIX=${host.sandbox}\nSYSUSER_REMOVE_HOM=yes`);
    await page.getByRole("button", { name: "Save server" }).click();
    await expect(page.getByTestId("flash")).toContainText("Server kit-host saved.");
    await expect(page.getByTestId("notices")).toContainText("Variable SYSUSER_REMOVE_HOM is read by no backend — did you mean SYSUSER_REMOVE_HOME?");
    await expect(page.getByTestId("unknown-variable")).toContainText("SYSUSER_REMOVE_HOM");
    await expect(page.getByTestId("variable-SYSUSER_REMOVE_HOME")).toContainText("SYSUSER_REMOVE_HOME = no default");
  });
});
