import { expect, test, type Page } from "@playwright/test";
import { fetchSite, statusOf } from "../tests/support/nginx";
import { e2eDb } from "./db";
import { e2eHosts } from "./hosts";
import { stateFile } from "./users";

/** nginx reloads asynchronously: wait (briefly) until it answers as expected. */
async function servedBy(nginx: { address: string; port: number }, hostname: string, status: number, body?: string) {
  await expect.poll(() => statusOf(nginx, hostname), { timeout: 10_000 }).toBe(status);
  if (body) await expect.poll(() => fetchSite(nginx, hostname).then((r) => r.body, () => ""), { timeout: 10_000 }).toContain(body);
}

const variablesText = (vars: Record<string, string>) => Object.entries(vars).map(([k, v]) => `${k}=${v}`).join("\n");

async function addServer(page: Page, name: string, host: ReturnType<typeof e2eHosts>[number]) {
  await page.goto("/servers/new");
  await page.getByLabel("Name").fill(name);
  await page.getByLabel("Address").fill(host.address);
  await page.getByLabel("SSH port").fill(String(host.port));
  await page.getByLabel("Variables").fill(variablesText(host.nginx.variables));
  await page.getByRole("button", { name: "Add server" }).click();
  await expect(page.getByRole("heading", { name: `Server ${name}` })).toBeVisible();
  await page.getByRole("button", { name: "Test connection" }).click();
  await expect(page.getByTestId("form-message")).toContainText(`Connected to root@${host.address}:${host.port} in`);
  await page.reload();
  await expect(page.getByTestId("host-key")).toHaveText(host.fingerprint);
}

async function addRoute(page: Page, server: string, match: string) {
  await page.goto("/routes/new");
  await page.getByLabel("Backend").selectOption("nginx-websites");
  await page.getByLabel("Server").selectOption({ label: server });
  await page.getByLabel("Match (CEL)").fill(match);
  await page.getByRole("button", { name: "Add route" }).click();
  await expect(page.getByTestId("flash")).toContainText("Route for nginx-websites added.");
}

async function saveSite(page: Page, fields: { name?: string; domains?: string; enabled?: boolean }, button: string) {
  if (fields.name !== undefined) await page.getByLabel("Name").fill(fields.name);
  if (fields.domains !== undefined) await page.getByLabel("Domains").fill(fields.domains);
  if (fields.enabled !== undefined) await page.getByLabel("Enabled (served by nginx)").setChecked(fields.enabled);
  await page.getByRole("button", { name: button }).click();
}

test("websites split between two nginx servers by CEL routes, followed through rename, disable, delete and a failed run", async ({ page, browser }) => {
  const [a, b] = e2eHosts();
  await addServer(page, "web-a", a);
  await addServer(page, "web-b", b);

  // sites whose names start with "a" go to web-a, the others to web-b; the preview shows the split
  await e2eDb().website.createMany({ data: [{ name: "apple" }, { name: "banana" }] });
  await addRoute(page, "web-a", 'object.name.startsWith("a")');
  await page.goto("/routes/new");
  await page.getByLabel("Backend").selectOption("nginx-websites");
  await page.getByLabel("Server").selectOption({ label: "web-b" });
  await page.getByLabel("Match (CEL)").fill('!object.name.startsWith("a")');
  await page.getByRole("button", { name: "Preview matches" }).click();
  await expect(page.getByTestId("preview")).toContainText("web-b (this route): banana");
  await expect(page.getByTestId("preview")).toContainText("web-a: apple");
  await page.getByRole("button", { name: "Add route" }).click();
  await expect(page.getByTestId("flash")).toContainText("Route for nginx-websites added.");
  await e2eDb().website.deleteMany({ where: { name: { in: ["apple", "banana"] } } });

  const operator = await browser.newContext({ storageState: stateFile("operator") });
  const op = await operator.newPage();

  // create: the site runs on web-a only, and nginx there serves it
  await op.goto("/services/websites/new");
  await saveSite(op, { name: "alpha", domains: "alpha.test\nwww.alpha.test" }, "Add website");
  await expect(op.getByTestId("runs")).toContainText("nginx-websites on web-a: save alpha");
  await expect(op.getByTestId("runs").locator("[data-state]")).toHaveAttribute("data-state", "SUCCESS");
  await servedBy(a.nginx, "alpha.test", 200, "<h1>alpha</h1>");
  await servedBy(b.nginx, "alpha.test", 404);

  await op.goto("/services/websites/new");
  await saveSite(op, { name: "bravo", domains: "bravo.test" }, "Add website");
  await expect(op.getByTestId("runs")).toContainText("nginx-websites on web-b: save bravo");
  await servedBy(b.nginx, "bravo.test", 200);
  await servedBy(a.nginx, "bravo.test", 404);

  // rename (still an "a" site) and drop a domain
  const alpha = await e2eDb().website.findUniqueOrThrow({ where: { name: "alpha" } });
  await op.goto(`/services/websites/${alpha.id}`);
  await saveSite(op, { name: "alpha2", domains: "www.alpha.test" }, "Save website");
  await expect(op.getByTestId("flash")).toContainText("Website alpha2 saved.");
  await servedBy(a.nginx, "www.alpha.test", 200);
  await servedBy(a.nginx, "alpha.test", 404);

  // disable, then enable, then delete
  await saveSite(op, { enabled: false }, "Save website");
  await expect(op.getByTestId("flash")).toContainText("Website alpha2 saved.");
  await servedBy(a.nginx, "www.alpha.test", 404);
  await saveSite(op, { enabled: true }, "Save website");
  await expect(op.getByTestId("runs").locator("[data-state]")).toHaveAttribute("data-state", "SUCCESS");
  await servedBy(a.nginx, "www.alpha.test", 200);
  op.once("dialog", (d) => d.accept());
  await op.getByRole("button", { name: "Delete" }).click();
  await expect(op.getByTestId("flash")).toContainText("Website alpha2 deleted.");
  await servedBy(a.nginx, "www.alpha.test", 404);

  // a broken server variable: FAILURE with stderr, then fixed and retried to SUCCESS
  const webB = await e2eDb().server.findUniqueOrThrow({ where: { name: "web-b" } });
  await page.goto(`/servers/${webB.id}`);
  await page.getByLabel("Variables").fill(variablesText({ ...b.nginx.variables, NGINX_LISTEN: `${b.address}:notaport` }));
  await page.getByRole("button", { name: "Save server" }).click();
  await expect(page.getByTestId("flash")).toContainText("saved");

  await op.goto("/services/websites/new");
  await saveSite(op, { name: "charlie", domains: "charlie.test" }, "Add website");
  await expect(op.getByTestId("flash")).toContainText("did not succeed");
  await op.getByTestId("runs").getByRole("link", { name: /log #/ }).click();
  await expect(op.getByTestId("log-state")).toContainText("FAILURE");
  await expect(op.getByTestId("log-stderr")).toContainText("invalid port");
  await servedBy(b.nginx, "bravo.test", 200); // the rejected config was rolled back

  await page.goto(`/servers/${webB.id}`);
  await page.getByLabel("Variables").fill(variablesText(b.nginx.variables));
  await page.getByRole("button", { name: "Save server" }).click();
  await expect(page.getByTestId("flash")).toContainText("saved");

  await op.getByRole("button", { name: "Retry" }).click();
  await expect(op.getByTestId("log-state")).toContainText("SUCCESS");
  await servedBy(b.nginx, "charlie.test", 200, "charlie");

  // the dashboard shows both servers' runs and no failure waiting for web-b
  await op.goto("/");
  await expect(op.getByTestId("runs-chart")).toContainText("web-a");
  await expect(op.getByTestId("runs-chart")).toContainText("web-b");
  await operator.close();
});
