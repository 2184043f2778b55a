import { expect, request, test, type Request } from "@playwright/test";
import { e2eDb } from "./db";
import { stateFile } from "./users";

// Captures the raw request of the "add server" action as an admin sends it, so it can be replayed
// without a session or as a viewer: the action must refuse by itself, whatever the pages show.
async function captureAddServer(page: import("@playwright/test").Page, name: string) {
  await page.goto("/servers/new");
  await page.getByLabel("Name").fill(name);
  await page.getByLabel("Address").fill("bad address!"); // invalid: the admin's own submit saves nothing
  const requestPromise = page.waitForRequest((r: Request) => r.method() === "POST" && Boolean(r.headers()["next-action"]));
  await page.getByRole("button", { name: "Add server" }).click();
  const captured = await requestPromise;
  await expect(page.getByTestId("address-error")).toBeVisible();
  // Replay with a valid address, so only the session check can stop it.
  const body = captured.postDataBuffer()!.toString("latin1").replace("bad address!", "127.0.0.7");
  const headers = await captured.allHeaders();
  return { url: captured.url(), body: Buffer.from(body, "latin1"), headers: { "content-type": headers["content-type"], "next-action": headers["next-action"], accept: "text/x-component" } };
}

test("a server action replayed without a session or as a viewer changes nothing", async ({ page, baseURL }) => {
  const replay = await captureAddServer(page, "replayed-1");

  // (request contexts inherit the project's signed-in storage state unless told otherwise)
  const anonymous = await request.newContext({ baseURL, storageState: { cookies: [], origins: [] } });
  const anonymousResponse = await anonymous.post(replay.url, { headers: replay.headers, data: replay.body, maxRedirects: 0 });
  expect([200, 303, 307]).toContain(anonymousResponse.status());
  expect(await e2eDb().server.count({ where: { name: "replayed-1" } })).toBe(0);

  const viewer = await request.newContext({ baseURL, storageState: stateFile("viewer") });
  const viewerResponse = await viewer.post(replay.url, { headers: replay.headers, data: replay.body, maxRedirects: 0 });
  expect(viewerResponse.status()).toBe(200);
  expect(await viewerResponse.text()).toContain("This needs the admin role");
  expect(await e2eDb().server.count({ where: { name: "replayed-1" } })).toBe(0);

  // the same request with the admin's session does save: the replay itself is sound
  const admin = await request.newContext({ baseURL, storageState: stateFile("admin") });
  await admin.post(replay.url, { headers: replay.headers, data: replay.body, maxRedirects: 0 });
  expect(await e2eDb().server.count({ where: { name: "replayed-1" } })).toBe(1);
  await Promise.all([anonymous.dispose(), viewer.dispose(), admin.dispose()]);
});

test.describe("as a viewer", () => {
  test.use({ storageState: stateFile("viewer") });

  test("sees servers read-only and cannot reach admin pages", async ({ page }) => {
    await e2eDb().server.upsert({ where: { name: "viewer-sees" }, create: { name: "viewer-sees", address: "127.0.0.8" }, update: {} });
    await page.goto("/servers");
    await expect(page.getByRole("link", { name: "viewer-sees" })).toBeVisible();
    await expect(page.getByRole("link", { name: "Add server" })).toHaveCount(0);
    await expect(page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Users" })).toHaveCount(0);

    await page.getByRole("link", { name: "viewer-sees" }).click();
    await expect(page.getByLabel("Name")).toBeDisabled();
    await expect(page.getByRole("button", { name: "Save server" })).toHaveCount(0);
    await expect(page.getByRole("button", { name: "Delete server" })).toHaveCount(0);

    await page.goto("/users");
    await expect(page.getByTestId("forbidden")).toBeVisible();
    await page.goto("/servers/new");
    await expect(page.getByTestId("forbidden")).toBeVisible();
  });
});
