import { mkdirSync, writeFileSync } from "node:fs";
import http from "node:http";
import path from "node:path";
import { expect, test, type Page } from "@playwright/test";
import { removeServer } from "./cleanup";
import { e2eDb } from "./db";
import { e2eHosts } from "./hosts";
import { stateFile } from "./users";

const variablesText = (vars: Record<string, string>) => Object.entries(vars).map(([k, v]) => `${k}=${v}`).join("\n");

function get(address: string, port: number, urlPath: string, host: string): Promise<string> {
  return new Promise((resolve) => {
    const req = http.get({ host: address, port, path: urlPath, headers: { host }, timeout: 5000 }, (res) => {
      let body = "";
      res.setEncoding("utf8");
      res.on("data", (c) => (body += c));
      res.on("end", () => resolve(`${res.statusCode} ${body}`));
    });
    req.on("error", () => resolve("0"));
  });
}

async function addRoute(page: Page, backend: string, server: string, match: string) {
  await page.goto("/routes/new");
  await page.getByLabel("Backend").selectOption(backend);
  await page.getByLabel("Server").selectOption({ label: server });
  await page.getByLabel("Match (CEL)").fill(match);
  await page.getByRole("button", { name: "Add route" }).click();
  await expect(page.getByTestId("flash")).toContainText(`Route for ${backend} added.`);
}

// Later specs route every website: nothing of this one may stay behind.
test.afterAll(async () => {
  const db = e2eDb();
  await removeServer("php-a");
  await db.website.deleteMany({ where: { name: "e2ephp" } });
  await db.webApp.deleteMany({ where: { name: "e2eshop" } });
  await db.systemUser.deleteMany({ where: { username: "nobody" } });
});

test("an operator creates a PHP web app and a website mounting it; the runs succeed and nginx answers through the app's pool", async ({ page, browser }) => {
  const host = e2eHosts()[1];
  const php = host.php!;
  const appsRoot = path.join(php.dir, "apps");
  mkdirSync(path.join(appsRoot, "e2eshop"), { recursive: true, mode: 0o755 });
  writeFileSync(path.join(appsRoot, "e2eshop", "index.php"), `<?php echo "app=", getenv("ORCHESTRA_WEB_APP"), " memory_limit=", ini_get("memory_limit"), "\\n";`);
  // the account the pool runs as exists on the machine; its row stands for a system user made earlier
  await e2eDb().systemUser.upsert({ where: { username: "nobody" }, create: { username: "nobody" }, update: {} });

  await page.goto("/servers/new");
  await page.getByLabel("Name").fill("php-a");
  await page.getByLabel("Address").fill(host.address);
  await page.getByLabel("SSH port").fill(String(host.port));
  await page.getByLabel("Variables").fill(variablesText({ ...host.nginx.variables, ...php.variables, WEB_APPS_ROOT: appsRoot }));
  await page.getByRole("button", { name: "Add server" }).click();
  await expect(page.getByRole("heading", { name: "Server php-a" })).toBeVisible();
  await addRoute(page, "php-fpm-pools", "php-a", 'object.name == "e2eshop"');
  await addRoute(page, "nginx-websites", "php-a", 'object.name == "e2ephp"');

  const operator = await browser.newContext({ storageState: stateFile("operator") });
  const op = await operator.newPage();
  await op.goto("/services/web-apps/new");
  await op.getByLabel("Name").fill("e2eshop");
  await op.getByLabel("System user").fill("nobody");
  await op.getByLabel("memory_limit").fill("72M");
  await op.getByRole("button", { name: "Add web app" }).click();
  await expect(op.getByTestId("runs")).toContainText("php-fpm-pools on php-a: save e2eshop");
  await expect(op.getByTestId("runs").locator("[data-state]")).toHaveAttribute("data-state", "SUCCESS");

  await op.goto("/services/websites/new");
  await op.getByLabel("Name").fill("e2ephp");
  await op.getByLabel("Domains").fill("php.e2e.test");
  // a path nginx could not take is refused next to the field
  await op.getByLabel("Web apps").fill("/shop; e2eshop");
  await op.getByRole("button", { name: "Add website" }).click();
  await expect(op.getByText("Line 1: the path must be / or like /blog")).toBeVisible();
  await op.getByLabel("Web apps").fill("/shop e2eshop");
  await op.getByRole("button", { name: "Add website" }).click();
  await expect(op.getByTestId("runs")).toContainText("nginx-websites on php-a: save e2ephp");
  await expect(op.getByTestId("runs").locator("[data-state]")).toHaveAttribute("data-state", "SUCCESS");
  await expect.poll(() => get(host.nginx.address, host.nginx.port, "/shop/index.php", "php.e2e.test"), { timeout: 10_000 }).toBe("200 app=e2eshop memory_limit=72M\n");
  await operator.close();
});
