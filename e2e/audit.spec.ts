import { expect, test } from "@playwright/test";
import { e2eDb } from "./db";
import { USERS } from "./users";

// Leave no servers or routes behind for the specs that follow.
test.afterAll(async () => {
  const db = e2eDb();
  await db.scriptLog.deleteMany({ where: { server: { name: "historic-1" } } });
  await db.route.deleteMany({ where: { server: { name: { in: ["historic-1", "audited-1"] } } } });
  await db.server.deleteMany({ where: { name: { in: ["historic-1", "audited-1"] } } });
});

test("admin changes appear in the audit log, with who and what, and no secrets", async ({ page }) => {
  await page.goto("/servers/new");
  await page.getByLabel("Name").fill("audited-1");
  await page.getByLabel("Address").fill("127.0.0.11");
  await page.getByLabel("Variables").fill("DB_PASSWORD=hunter2-secret\nPHP=8.3");
  await page.getByRole("button", { name: "Add server" }).click();
  await expect(page.getByTestId("flash")).toContainText("Server audited-1 added.");
  await page.getByLabel("Description").fill("audited box");
  await page.getByRole("button", { name: "Save server" }).click();
  await expect(page.getByTestId("flash")).toContainText("Server audited-1 saved.");

  await page.goto("/users");
  await page.getByLabel("E-mail").fill("audited-user@e2e.test");
  await page.getByLabel("Password", { exact: true }).fill("audited-password-1");
  await page.getByRole("button", { name: "Add user" }).click();
  await expect(page.getByTestId("flash")).toContainText("User audited-user@e2e.test added.");

  await page.getByRole("link", { name: "Audit log" }).click();
  await expect(page.getByRole("heading", { name: "Audit log" })).toBeVisible();
  const entries = page.getByTestId("audit-entry");
  await expect(entries.filter({ hasText: "audited-1 (description)" })).toContainText(USERS.admin.email);
  await expect(entries.filter({ hasText: "audited-1 (description)" })).toContainText("update");
  await expect(entries.filter({ hasText: "audited-user@e2e.test" })).toContainText("create");
  await expect(page.getByTestId("audit-table")).not.toContainText("hunter2");

  // filters: one entity, one user
  await page.locator("select[name=entity]").selectOption("User");
  await page.getByRole("button", { name: "Filter" }).click();
  await expect(entries.filter({ hasText: "audited-1" })).toHaveCount(0);
  await expect(entries.filter({ hasText: "audited-user@e2e.test" })).toHaveCount(1);
  await page.locator("select[name=user]").selectOption(USERS.admin.email);
  await page.getByRole("button", { name: "Filter" }).click();
  await expect(page).toHaveURL(/user=admin%40e2e\.test/);
  await expect(entries.first()).toBeVisible();

  // in the database: the hash of the new password and the secret variable are masked
  const rows = await e2eDb().auditLog.findMany({ where: { OR: [{ entity: "User" }, { summary: { startsWith: "audited-1" } }] } });
  const text = JSON.stringify(rows);
  expect(text).not.toContain("$2");
  expect(text).not.toContain("hunter2");
  expect(text).toContain("[secret]");
});

test("the audit log is for admins only", async ({ browser }) => {
  const context = await browser.newContext({ storageState: "e2e/.auth/operator.json" });
  const page = await context.newPage();
  await page.goto("/audit");
  await expect(page).toHaveURL(/\/forbidden/);
  await expect(page.getByRole("link", { name: "Audit log" })).toHaveCount(0);
  await context.close();
});

test("deleting a server with script logs archives it and keeps the logs; it can be restored", async ({ page }) => {
  const db = e2eDb();
  const server = await db.server.create({ data: { name: "historic-1", address: "127.0.0.12" } });
  await db.route.create({ data: { backend: "system-users", serverId: server.id, active: true } });
  const log = await db.scriptLog.create({ data: { backend: "system-users", serverId: server.id, state: "SUCCESS", script: "true", exitCode: 0 } });

  await page.goto(`/servers/${server.id}`);
  page.once("dialog", (d) => {
    expect(d.message()).toContain("archived");
    void d.accept();
  });
  await page.getByRole("button", { name: "Delete server" }).click();
  await expect(page.getByTestId("flash")).toContainText("Server historic-1 archived");
  await expect(page.getByTestId("archived-banner")).toBeVisible();

  const archived = await db.server.findUniqueOrThrow({ where: { id: server.id } });
  expect(archived.archivedAt).not.toBeNull();
  expect(await db.scriptLog.count({ where: { id: log.id } })).toBe(1);
  expect(await db.route.findMany({ where: { serverId: server.id } })).toMatchObject([{ active: false }]);
  await page.goto(`/logs/${log.id}`);
  await expect(page.getByRole("link", { name: "historic-1" }).first()).toBeVisible();

  // hidden from the list unless asked for
  await page.goto("/servers");
  await expect(page.getByRole("link", { name: "historic-1" })).toHaveCount(0);
  await page.getByRole("link", { name: "Show archived" }).click();
  await expect(page.getByRole("link", { name: "historic-1" })).toBeVisible();

  // recorded, and restorable
  await page.goto("/audit?entity=Server");
  await expect(page.getByTestId("audit-entry").filter({ hasText: "historic-1" }).first()).toContainText("archive");
  await page.goto(`/servers/${server.id}`);
  await page.getByRole("button", { name: "Restore server" }).click();
  await expect(page.getByTestId("flash")).toContainText("Server historic-1 restored.");
  expect((await db.server.findUniqueOrThrow({ where: { id: server.id } })).archivedAt).toBeNull();
  await page.goto("/servers");
  await expect(page.getByRole("link", { name: "historic-1" })).toBeVisible();
});
