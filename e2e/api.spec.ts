// The REST API as a script uses it: a token made in the admin (shown once), the same validation,
// roles and unit of work as the forms (effects on a real sshd host), refusals for missing, wrong,
// revoked, expired and too-weak tokens, and an OpenAPI description that validates and lists every route.
import { readdirSync, statSync } from "node:fs";
import path from "node:path";
import { expect, request as http, test, type APIRequestContext } from "@playwright/test";
import { Validator } from "@seriousme/openapi-schema-validator";
import { e2eDb } from "./db";
import { e2eHosts, passwd } from "./hosts";
import { removeServer } from "./cleanup";
import { stateFile } from "./users";
import { E2E_PORT } from "../playwright.config";

const base = `http://127.0.0.1:${E2E_PORT}`;
let api: APIRequestContext;

test.beforeAll(async () => {
  const host = e2eHosts()[0];
  await removeServer("api-host", "api-");
  const server = await e2eDb().server.create({ data: { name: "api-host", address: host.address, port: host.port, hostKeyFingerprint: host.fingerprint, variables: { SYSUSER_PREFIX: host.sandbox } } });
  await e2eDb().route.create({ data: { backend: "system-users", serverId: server.id, match: 'object.username.startsWith("api-")' } });
  api = await http.newContext({ baseURL: base }); // no cookies: only the token speaks
});

test.afterAll(async () => {
  await removeServer("api-host", "api-");
  await api.dispose();
});

async function makeToken(page: import("@playwright/test").Page, name: string, role: string) {
  await page.goto("/tokens");
  await page.getByLabel("Token name").fill(name);
  await page.getByLabel("Role").selectOption(role);
  await page.getByRole("button", { name: "Make token" }).click();
  await expect(page.getByTestId("token-result")).toContainText("orc_");
  const text = await page.getByTestId("token-result").textContent();
  const token = /orc_[A-Za-z0-9_-]{43}/.exec(text ?? "")?.[0];
  expect(token, text ?? "").toBeTruthy();
  return token!;
}

const auth = (token: string) => ({ authorization: `Bearer ${token}` });

test.describe("with an operator's token", () => {
  test.use({ storageState: stateFile("operator") });

  test("creates, changes, reads and deletes a system user like the form does, with its scripts run on the host", async ({ page }) => {
    const host = e2eHosts()[0];
    const token = await makeToken(page, "deploy script", "operator");
    await expect(page.getByTestId("tokens")).toContainText("deploy script");
    await expect(page.getByTestId("tokens")).not.toContainText(token.slice(10)); // only the prefix is listed

    const created = await api.post("/api/v1/services/system-users", { headers: auth(token), data: { username: "api-one", groups: ["api-web"], active: true, password: "api-password-1" } });
    expect(created.status()).toBe(201);
    const body = await created.json();
    expect(body.message).toBe("System user api-one saved.");
    expect(body.runs.map((r: { state: string; server: string }) => `${r.server} ${r.state}`)).toEqual(["api-host SUCCESS"]);
    expect(body.object).not.toHaveProperty("passwordHash");
    expect(passwd(host)).toMatch(/^api-one:x:\d+:\d+::\/home\/api-one:\/bin\/bash$/m);

    const patched = await api.patch(`/api/v1/services/system-users/${body.id}`, { headers: auth(token), data: { shell: "/bin/sh" } });
    expect(patched.status()).toBe(200);
    expect((await patched.json()).object).toMatchObject({ username: "api-one", shell: "/bin/sh", groups: ["api-web"] });
    expect(passwd(host)).toMatch(/^api-one:.*:\/bin\/sh$/m);

    // a create that leaves out a checkbox gets the form's default, as a form submitted unchanged would
    const defaults = await api.post("/api/v1/services/system-users", { headers: auth(token), data: { username: "api-two" } });
    expect(defaults.status()).toBe(201);
    expect((await defaults.json()).object).toMatchObject({ username: "api-two", active: true });

    const invalid = await api.post("/api/v1/services/system-users", { headers: auth(token), data: { username: "Not Valid", uid: 0 } });
    expect(invalid.status()).toBe(422);
    expect((await invalid.json()).fieldErrors).toMatchObject({ username: [expect.any(String)], uid: [expect.any(String)] });

    const listed = await (await api.get("/api/v1/services/system-users?q=api-one", { headers: auth(token) })).json();
    expect(listed.total).toBe(1);
    expect(JSON.stringify(listed)).not.toContain("$2");

    const log = await (await api.get(`/api/v1/logs/${body.runs[0].logId}`, { headers: auth(token) })).json();
    expect(log.state).toBe("SUCCESS");
    expect(log.script).toContain("useradd");
    expect(log.script).not.toMatch(/\$2[aby]\$/); // the password hash is masked in the stored script

    const command = await api.post(`/api/v1/services/system-users/${body.id}/run`, { headers: auth(token), data: { command: "system-users:expire-password" } });
    expect((await command.json()).runs.map((r: { state: string }) => r.state)).toEqual(["SUCCESS"]);

    const deleted = await api.delete(`/api/v1/services/system-users/${body.id}`, { headers: auth(token) });
    expect((await deleted.json()).message).toBe("System user api-one deleted.");
    expect(passwd(host)).not.toMatch(/^api-one:/m);

    // revoked in the admin: refused at once
    await page.goto("/tokens");
    page.on("dialog", (d) => d.accept());
    await page.getByRole("row", { name: /deploy script/ }).getByRole("button", { name: "Revoke" }).click();
    await expect(page.getByRole("row", { name: /deploy script/ })).toContainText("revoked");
    const refused = await api.get("/api/v1/services/system-users", { headers: auth(token) });
    expect(refused.status()).toBe(401);
    expect((await refused.json()).message).toBe("This token was revoked.");
  });

  test("an expired token is refused; a token cannot outrank its user", async ({ page }) => {
    const token = await makeToken(page, "short-lived", "operator");
    await e2eDb().apiToken.updateMany({ where: { name: "short-lived" }, data: { expiresAt: new Date(Date.now() - 1000) } });
    const expired = await api.get("/api/v1/servers", { headers: auth(token) });
    expect(expired.status()).toBe(401);
    expect((await expired.json()).message).toMatch(/expired/);
    await page.goto("/tokens");
    await expect(page.getByLabel("Role").locator("option")).toHaveText(["viewer", "operator"]);
  });
});

test.describe("with a viewer's token", () => {
  test.use({ storageState: stateFile("viewer") });
  test("reads, and every change is refused", async ({ page }) => {
    const token = await makeToken(page, "dashboard", "viewer");
    expect((await api.get("/api/v1/routes", { headers: auth(token) })).status()).toBe(200);
    for (const [method, url] of [["post", "/api/v1/services/websites"], ["delete", "/api/v1/services/websites/1"], ["post", "/api/v1/logs/1/retry"], ["post", "/api/v1/operations/1/revoke"]] as const) {
      const res = await api[method](url, { headers: auth(token), data: {} });
      expect(res.status(), `${method} ${url}`).toBe(403);
    }
  });
});

test("without a token, or with a made-up one, nothing answers but 401; the description is public and valid", async () => {
  const attempts: Array<Record<string, string>> = [{}, { authorization: "Bearer orc_made-up-token-that-does-not-exist-anywhere-at-all" }, { authorization: "Basic abc" }];
  for (const headers of attempts) {
    const res = await api.get("/api/v1/services/system-users", { headers });
    expect(res.status()).toBe(401);
    expect(res.headers()["content-type"]).toContain("application/json");
  }
  const doc = await (await api.get("/api/v1/openapi.json")).json();
  expect(await new Validator().validate(doc)).toEqual({ valid: true });
  // every route handler under app/api/v1 is described
  const files: string[] = [];
  const walk = (dir: string) => readdirSync(dir).forEach((f) => (statSync(path.join(dir, f)).isDirectory() ? walk(path.join(dir, f)) : f === "route.ts" && files.push(dir)));
  walk("app/api/v1");
  const described = Object.keys(doc.paths);
  for (const dir of files) {
    const route = `/${dir.replace(/\\/g, "/")}`.replace("/app", "").replace(/\[(\w+)\]/g, "{$1}");
    if (route === "/api/v1/openapi.json") continue;
    const pattern = new RegExp(`^${route.replace("{service}", "[a-z-]+").replace(/\{(\w+)\}/g, "\\{$1\\}")}$`);
    expect(described.some((p) => pattern.test(p)), route).toBe(true);
  }
});
