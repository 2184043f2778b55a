import { expect, request, test, type APIRequestContext, type Browser, type Page, type Request } from "@playwright/test";
import { e2eDb } from "./db";
import { SPARE_USERS } from "./users";

type Account = { email: string; password: string };

async function signIn(browser: Browser, account: Account) {
  const context = await browser.newContext({ storageState: { cookies: [], origins: [] } });
  const page = await context.newPage();
  await page.goto("/login");
  await page.getByLabel("E-mail").fill(account.email);
  await page.getByLabel("Password").fill(account.password);
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page.getByTestId("current-user")).toBeVisible();
  return { context, page };
}

/** The raw "add server" action request as the page sends it, to be replayed with any cookie. */
async function captureAddServer(page: Page, name: string) {
  await page.goto("/servers/new");
  await page.getByLabel("Name").fill(name);
  await page.getByLabel("Address").fill("bad address!");
  const requestPromise = page.waitForRequest((r: Request) => r.method() === "POST" && Boolean(r.headers()["next-action"]));
  await page.getByRole("button", { name: "Add server" }).click();
  const captured = await requestPromise;
  await expect(page.getByTestId("address-error")).toBeVisible();
  const headers = await captured.allHeaders();
  return (to: APIRequestContext, replayName: string) =>
    to.post(captured.url(), {
      headers: { "content-type": headers["content-type"], "next-action": headers["next-action"], accept: "text/x-component" },
      data: Buffer.from(captured.postDataBuffer()!.toString("latin1").replace("bad address!", "127.0.0.9").replaceAll(name, replayName), "latin1"),
      maxRedirects: 0,
    });
}

/** Where a GET of `path` with this cookie ends up. */
async function landing(api: APIRequestContext, path: string) {
  const response = await api.get(path);
  return new URL(response.url()).pathname;
}

test("a session cookie copied before sign-out is refused afterwards, on pages and on actions", async ({ browser, baseURL }) => {
  const { context, page } = await signIn(browser, SPARE_USERS.leaving);
  const replay = await captureAddServer(page, "stolen-0");
  const stolen = await request.newContext({ baseURL, storageState: await context.storageState() });

  // the copy works while the session lives
  expect(await landing(stolen, "/servers")).toBe("/servers");
  await replay(stolen, "stolen-1");
  expect(await e2eDb().server.count({ where: { name: "stolen-1" } })).toBe(1);

  await page.getByRole("button", { name: "Sign out" }).click();
  await expect(page.getByRole("button", { name: "Sign in" })).toBeVisible();

  // the same cookie, replayed: signed out for pages…
  expect(await landing(stolen, "/servers")).toBe("/login");
  expect(await landing(stolen, "/users")).toBe("/login");
  // …and for server actions
  const response = await replay(stolen, "stolen-2");
  expect(await response.text()).toContain("Your session has ended");
  expect(await e2eDb().server.count({ where: { name: "stolen-2" } })).toBe(0);

  // the sign-in page does not bounce the stale cookie back to the dashboard: signing in again works
  const again = await signIn(browser, SPARE_USERS.leaving);
  await expect(again.page.getByTestId("current-user")).toContainText("admin");
  await Promise.all([stolen.dispose(), context.close(), again.context.close()]);
});

test("an admin ends another user's sessions: 'sign out everywhere', a role change, a new password", async ({ page, browser }) => {
  const account = SPARE_USERS.roaming;
  const row = () => page.getByRole("row").filter({ hasText: account.email });

  // sign out everywhere
  let elsewhere = await signIn(browser, account);
  await page.goto("/users");
  page.once("dialog", (d) => d.accept());
  await row().getByRole("button", { name: "Sign out everywhere" }).click();
  await expect(page.getByTestId("flash")).toContainText(`Every session of ${account.email} has ended.`);
  await elsewhere.page.goto("/servers");
  await expect(elsewhere.page).toHaveURL(/\/login/);
  await elsewhere.context.close();

  // a role change
  elsewhere = await signIn(browser, account);
  await row().getByLabel("Role").selectOption("operator");
  await expect(page.getByTestId("flash")).toContainText(`${account.email} is now operator.`);
  await elsewhere.page.goto("/servers");
  await expect(elsewhere.page).toHaveURL(/\/login/);
  await elsewhere.context.close();

  // a new password (a too-short one is refused next to the field first)
  elsewhere = await signIn(browser, account);
  await row().getByLabel(`New password for ${account.email}`).fill("short");
  await row().getByRole("button", { name: "Set" }).click();
  await expect(row().getByTestId("password-error")).toHaveText("At least 10 characters.");
  await row().getByLabel(`New password for ${account.email}`).fill("roaming-password-2");
  await row().getByRole("button", { name: "Set" }).click();
  await expect(page.getByTestId("flash")).toContainText(`New password set for ${account.email}`);
  await elsewhere.page.goto("/servers");
  await expect(elsewhere.page).toHaveURL(/\/login/);
  await elsewhere.context.close();

  // and the new password is the one that works
  const renewed = await signIn(browser, { email: account.email, password: "roaming-password-2" });
  await expect(renewed.page.getByTestId("current-user")).toContainText("operator");
  await renewed.context.close();
});

test("'sign out everywhere' also closes a log stream that session holds open, within seconds", async ({ page, browser }) => {
  const db = e2eDb();
  const account = SPARE_USERS.watching;
  // a log that stays running for as long as this test needs (its stream would last five minutes)
  const server = await db.server.upsert({ where: { name: "watch-host" }, create: { name: "watch-host", address: "127.0.0.9" }, update: {} });
  const log = await db.scriptLog.create({ data: { backend: "system-users", serverId: server.id, state: "STARTED", script: "sleep 600\n", stdout: "watch-line\n" } });
  try {
    const elsewhere = await signIn(browser, account);
    const stream = elsewhere.page.waitForResponse((r) => r.url().endsWith(`/api/logs/${log.id}/stream`));
    await elsewhere.page.goto(`/logs/${log.id}`);
    await expect(elsewhere.page.getByTestId("live")).toBeVisible();
    const response = await stream;
    expect(response.status()).toBe(200);

    await page.goto("/users");
    page.once("dialog", (d) => d.accept());
    await page.getByRole("row").filter({ hasText: account.email }).getByRole("button", { name: "Sign out everywhere" }).click();
    await expect(page.getByTestId("flash")).toContainText(`Every session of ${account.email} has ended.`);
    const ended = Date.now();
    // the open stream closes without an end event; the browser's reconnection is refused, and the page
    // goes to sign-in — long before the stream's own five-minute lifetime
    const body = await response.text();
    expect(Date.now() - ended).toBeLessThan(10_000);
    expect(body).toContain("watch-line");
    expect(body).not.toContain("event: end");
    await expect(elsewhere.page).toHaveURL(/\/login/, { timeout: 10_000 });
    await elsewhere.context.close();
  } finally {
    await db.scriptLog.delete({ where: { id: log.id } });
    await db.server.delete({ where: { id: server.id } });
  }
});
