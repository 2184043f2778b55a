import { expect, test } from "@playwright/test";
import { e2eDb } from "./db";

test("an admin adds a server (after fixing a validation error), edits it and deletes it", async ({ page }) => {
  await page.goto("/servers");
  await page.getByRole("link", { name: "Add server" }).click();
  await page.getByLabel("Name").fill("crud-1");
  await page.getByLabel("Address").fill("bad host!");
  await page.getByLabel("SSH port").fill("70000");
  await page.getByLabel("Variables").fill("NGINX_DIR=/srv/nginx");
  await page.getByRole("button", { name: "Add server" }).click();

  // errors next to their fields, nothing lost, nothing saved
  await expect(page.getByTestId("address-error")).toContainText("hostname");
  await expect(page.getByTestId("port-error")).toContainText("65535");
  await expect(page.getByLabel("Name")).toHaveValue("crud-1");
  await expect(page.getByLabel("Variables")).toHaveValue("NGINX_DIR=/srv/nginx");
  expect(await e2eDb().server.count({ where: { name: "crud-1" } })).toBe(0);

  await page.getByLabel("Address").fill("127.0.0.5");
  await page.getByLabel("SSH port").fill("2222");
  await page.getByRole("button", { name: "Add server" }).click();
  await expect(page.getByRole("heading", { name: "Server crud-1" })).toBeVisible();
  await expect(page.getByTestId("flash")).toContainText("Server crud-1 added.");
  const saved = await e2eDb().server.findUniqueOrThrow({ where: { name: "crud-1" } });
  expect(saved).toMatchObject({ address: "127.0.0.5", port: 2222, variables: { NGINX_DIR: "/srv/nginx" } });

  // a duplicate name is refused on the field
  await page.goto("/servers/new");
  await page.getByLabel("Name").fill("crud-1");
  await page.getByLabel("Address").fill("127.0.0.6");
  await page.getByRole("button", { name: "Add server" }).click();
  await expect(page.getByTestId("name-error")).toHaveText("This value is already taken.");

  await page.goto(`/servers/${saved.id}`);
  await page.getByLabel("Description").fill("edge web server");
  await page.getByRole("button", { name: "Save server" }).click();
  await expect(page.getByTestId("flash")).toContainText("Server crud-1 saved.");
  expect((await e2eDb().server.findUniqueOrThrow({ where: { id: saved.id } })).description).toBe("edge web server");

  page.once("dialog", (d) => d.accept());
  await page.getByRole("button", { name: "Delete server" }).click();
  await expect(page).toHaveURL(/\/servers$/);
  await expect(page.getByRole("link", { name: "crud-1" })).toHaveCount(0);
  expect(await e2eDb().server.count({ where: { id: saved.id } })).toBe(0);
});
