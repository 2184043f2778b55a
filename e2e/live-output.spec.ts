// The log page of a running script follows its output as it is printed on the server — over the log's
// event stream, without re-rendering the page — and renders the final state from the server once at
// the end. The stream answers only a signed-in session.
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import { expect, request as playwrightRequest, test, type Request } from "@playwright/test";
import { removeServer } from "./cleanup";
import { e2eDb } from "./db";
import { E2E_DIR } from "./global-setup";
import { queueSiteRun } from "./queued-site";
import { stateFile } from "./users";

test.use({ storageState: stateFile("operator") });

let work = "";
test.afterAll(async () => {
  await removeServer("live-host");
  await e2eDb().website.deleteMany({ where: { name: { startsWith: "live-" } } });
  if (work) rmSync(work, { recursive: true, force: true });
});

/** A page re-render requested by the router (refresh or navigation), not a link prefetch. */
function isRender(request: Request): boolean {
  const headers = request.headers();
  const rsc = headers["rsc"] === "1" || new URL(request.url()).searchParams.has("_rsc");
  return rsc && headers["next-router-prefetch"] !== "1";
}

test("a running script's log page shows its lines as they are printed, then its final state", async ({ page }) => {
  // The reload prints a line, sleeps, prints another…: the script runs for about 12 seconds.
  work = mkdtempSync(path.join(E2E_DIR, "live-"));
  const reload = path.join(work, "reload.sh");
  writeFileSync(reload, ["echo live-line-one", "sleep 4", "echo live-line-two", "sleep 4", "echo live-line-three", "sleep 4", "echo live-line-four", ""].join("\n"));
  chmodSync(reload, 0o755);
  const db = e2eDb();
  const { log } = await queueSiteRun(page, { server: "live-host", site: "live-tail", reload: `sh ${reload}` });

  // the log list beside it: it asks whether runs changed, and re-renders only when they did
  const list = await page.context().newPage();
  const listRenders: string[] = [];
  list.on("request", (r) => void (isRender(r) && listRenders.push(r.url())));
  await list.goto("/logs");
  const row = list.getByRole("row").filter({ has: list.getByRole("link", { name: String(log.id), exact: true }) });
  await expect(row).toContainText("STARTED");

  const renders: string[] = [];
  const streams: string[] = [];
  page.on("request", (r) => {
    if (isRender(r)) renders.push(r.url());
    if (r.url().includes(`/api/logs/${log.id}/stream`)) streams.push(r.url());
  });
  await page.goto(`/logs/${log.id}`);
  const stdout = page.getByTestId("log-stdout");
  const state = page.getByTestId("log-state");

  // the first line while the script sleeps after it
  await expect(stdout).toContainText("live-line-one");
  await expect(state).toContainText("STARTED");
  await expect(page.getByTestId("live")).toBeVisible();
  expect(await stdout.textContent()).not.toContain("live-line-three");
  // the later lines arrive into the same page, still running
  await expect(stdout).toContainText("live-line-two", { timeout: 10_000 });
  await expect(state).toContainText("STARTED");
  await expect(stdout).toContainText("live-line-three", { timeout: 10_000 });
  await expect(state).toContainText("STARTED");
  expect((await db.scriptLog.findUniqueOrThrow({ where: { id: log.id } })).state).toBe("STARTED");
  // none of that re-rendered the page, nor the list
  expect(renders).toEqual([]);
  expect(streams).toHaveLength(1);
  expect(listRenders).toEqual([]);

  // the end: the final state, and what only the server renders (Retry), from one re-render
  await expect(state).toContainText("SUCCESS", { timeout: 15_000 });
  await expect(stdout).toContainText("live-line-four");
  await expect(page.getByRole("button", { name: "Retry" })).toBeVisible();
  await expect(page.getByTestId("live")).toHaveCount(0);
  await expect(page.getByText("Exit code", { exact: true }).locator("xpath=following-sibling::dd[1]")).toHaveText("0");
  await page.waitForTimeout(1500);
  expect(renders.length).toBeGreaterThanOrEqual(1);
  expect(renders.length).toBeLessThanOrEqual(2);
  expect(streams).toHaveLength(1);
  // the list follows within its 2 s check, with one re-render
  await expect(row).toContainText("SUCCESS", { timeout: 10_000 });
  expect(listRenders).toHaveLength(1);
  await list.close();
  // the lines in the order they were printed, each once
  const text = (await stdout.textContent()) ?? "";
  expect(text.match(/live-line-\w+/g)).toEqual(["live-line-one", "live-line-two", "live-line-three", "live-line-four"]);
});

test("a viewer reads a log's stream: its output and state, not its script", async ({ baseURL }) => {
  const log = await e2eDb().scriptLog.findFirstOrThrow({ where: { state: "SUCCESS", stdout: { contains: "live-line-one" } }, orderBy: { id: "desc" } });
  const viewer = await playwrightRequest.newContext({ baseURL, storageState: stateFile("viewer") });
  try {
    // a finished log: everything at once, then `end`, and the stream closes
    const response = await viewer.get(`/api/logs/${log.id}/stream`);
    expect(response.status()).toBe(200);
    expect(response.headers()["content-type"]).toContain("text/event-stream");
    const body = await response.text();
    expect(body).toContain("event: replace");
    expect(body).toContain("live-line-four");
    expect(body).toMatch(/event: end\ndata: \{"state":"SUCCESS","exitCode":0,/);
    expect(log.script).toContain("reload.sh");
    expect(body).not.toContain("reload.sh"); // the script is never sent
  } finally {
    await viewer.dispose();
  }
});

test("the log stream and the runs version answer 401 without a session, never the sign-in page", async ({ baseURL }) => {
  const anonymous = await playwrightRequest.newContext({ baseURL, storageState: { cookies: [], origins: [] } });
  try {
    const log = await e2eDb().scriptLog.findFirst({ select: { id: true } });
    for (const url of [`/api/logs/${log?.id ?? 1}/stream`, "/api/logs/version"]) {
      const response = await anonymous.get(url, { maxRedirects: 0 });
      expect(response.status(), url).toBe(401);
      expect(response.headers()["content-type"], url).not.toContain("text/html");
    }
  } finally {
    await anonymous.dispose();
  }
});
