import { expect, test } from "@playwright/test";
import { e2eDb } from "./db";
import { stateFile } from "./users";

test.use({ storageState: stateFile("viewer") });

// Leave nothing behind for the specs that follow (they count websites and routes).
test.afterAll(async () => {
  const db = e2eDb();
  await db.website.deleteMany({ where: { name: "viewer-site" } });
  // the database keeps a server with history from being deleted: its history goes first
  await db.scriptLog.deleteMany({ where: { server: { name: "viewer-web" } } });
  await db.operation.deleteMany({ where: { server: { name: "viewer-web" } } });
  await db.server.deleteMany({ where: { name: "viewer-web" } });
});

test("a viewer sees servers, routes, operations, logs and services, and can change nothing", async ({ page }) => {
  const db = e2eDb();
  const server = await db.server.upsert({ where: { name: "viewer-web" }, create: { name: "viewer-web", address: "127.0.0.9" }, update: {} });
  await db.route.upsert({
    where: { backend_serverId: { backend: "nginx-websites", serverId: server.id } },
    create: { backend: "nginx-websites", serverId: server.id, match: 'object.name == "viewer-site"' },
    update: {},
  });
  const site = await db.website.upsert({ where: { name: "viewer-site" }, create: { name: "viewer-site" }, update: {} });
  const op = await db.operation.create({
    data: { unitOfWork: "viewer", backend: "nginx-websites", action: "save", model: "Website", objectId: String(site.id), objectLabel: site.name, serverId: server.id, state: "FAILURE", after: { name: site.name } },
  });
  const log = await db.scriptLog.create({
    data: { backend: "nginx-websites", serverId: server.id, state: "FAILURE", exitCode: 1, script: "false\n", stderr: "it broke\n", operations: { create: [{ operationId: op.id }] } },
  });

  await page.goto("/");
  await expect(page.getByTestId("latest-failures")).toContainText("it broke");
  await expect(page.getByTestId("latest-failures").getByRole("button", { name: "Retry" })).toHaveCount(0);

  await page.goto(`/logs/${log.id}`);
  await expect(page.getByTestId("log-stderr")).toHaveText("it broke");
  await expect(page.getByRole("button", { name: "Retry" })).toHaveCount(0);
  await expect(page.getByRole("button", { name: "Revoke" })).toHaveCount(0);

  await page.goto(`/operations/${op.id}`);
  await expect(page.getByText("viewer-site").first()).toBeVisible();
  await expect(page.getByRole("button", { name: "Revoke" })).toHaveCount(0);

  await page.goto("/routes");
  await expect(page.getByText('object.name == "viewer-site"')).toBeVisible();
  await expect(page.getByRole("link", { name: "Add route" })).toHaveCount(0);
  await expect(page.getByRole("button", { name: /Disable|Enable/ })).toHaveCount(0);

  await page.goto(`/servers/${server.id}`);
  await expect(page.getByRole("button", { name: "Test connection" })).toHaveCount(0);

  await page.goto("/services/websites");
  await expect(page.getByRole("link", { name: "viewer-site" })).toBeVisible();
  await expect(page.getByRole("link", { name: "Add website" })).toHaveCount(0);
  await page.getByRole("link", { name: "viewer-site" }).click();
  await expect(page.getByLabel("Name")).toBeDisabled();
  await expect(page.getByRole("button", { name: "Delete" })).toHaveCount(0);
  await page.goto("/routes/new");
  await expect(page.getByTestId("forbidden")).toBeVisible();
});
