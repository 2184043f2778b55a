// Schedules and notification channels in the browser, on the production build: an admin adds a
// schedule (a wrong cron expression is refused next to its field), sees its next occurrences, runs it
// now and sees the result; operators may only run it, viewers only read. A webhook channel's secret is
// write-only, and its test message reaches a receiver on 127.0.0.1:2480 signed with that secret.
import { createHmac } from "node:crypto";
import http from "node:http";
import { expect, test } from "@playwright/test";
import { e2eDb } from "./db";
import { stateFile } from "./users";

test.use({ storageState: stateFile("admin") });

const NAME = "e2e retention";
const HOOK_SECRET = "e2e-hook-secret-9f3Kq2";

async function cleanup() {
  const db = e2eDb();
  await db.schedule.deleteMany({ where: { name: { startsWith: "e2e " } } });
  await db.notificationChannel.deleteMany({ where: { name: { startsWith: "e2e " } } });
  await db.notification.deleteMany({ where: { event: "test" } });
}
test.beforeAll(cleanup);
test.afterAll(cleanup);

test("an admin adds a schedule, sees its next occurrences, runs it now and sees its result", async ({ page }) => {
  await page.goto("/schedules");
  await page.getByRole("link", { name: "Add schedule" }).click();
  await page.getByLabel("Name").fill(NAME);
  await page.getByLabel("Kind").selectOption("retention");
  await page.getByLabel("Cron expression").fill("61 3 * * *");
  await expect(page.getByTestId("cron-preview")).toContainText("Invalid value for minute: 61"); // as typed
  await page.getByRole("button", { name: "Add schedule" }).click();
  await expect(page.getByTestId("cron-error")).toHaveText("Not a cron expression: Invalid value for minute: 61.");
  await expect(page.getByLabel("Cron expression")).toHaveAttribute("aria-invalid", "true");
  await expect(page.getByLabel("Cron expression")).toHaveValue("61 3 * * *");
  expect(await e2eDb().schedule.count({ where: { name: NAME } })).toBe(0);

  await page.getByLabel("Cron expression").fill("30 3 * * *");
  await page.getByLabel("Time zone").fill("Europe/Paris");
  await expect(page.getByTestId("cron-preview")).toContainText("03:30:00 Europe/Paris");
  await page.getByLabel("Delete history older than (days)").fill("45");
  await page.getByRole("button", { name: "Add schedule" }).click();
  await expect(page.getByTestId("flash")).toContainText(`Schedule ${NAME} added.`);

  const occurrences = page.getByTestId("next-occurrences").locator("li");
  await expect(occurrences).toHaveCount(3);
  for (const item of await occurrences.all()) await expect(item).toHaveText(/^\d{4}-\d\d-\d\d 03:30:00 Europe\/Paris$/);
  const row = await e2eDb().schedule.findUniqueOrThrow({ where: { name: NAME } });
  expect(row).toMatchObject({ kind: "retention", cron: "30 3 * * *", timeZone: "Europe/Paris", active: true, params: { maxAgeDays: 45, truncateAfterDays: 7, truncateChars: 65536 } });
  expect(row.nextRunAt!.getTime()).toBeGreaterThan(Date.now());

  await page.getByRole("button", { name: "Run now" }).click();
  await expect(page.getByTestId("flash")).toContainText(`${NAME} ran: SUCCESS. Deleted `);
  await expect(page.getByTestId("last-result").locator("[data-state]")).toHaveAttribute("data-state", "SUCCESS");
  await expect(page.getByTestId("schedule-runs").locator("tbody tr")).toHaveCount(1);
  await expect(page.getByTestId("schedule-runs")).toContainText("admin@e2e.test");
  await expect(page.getByTestId("schedule-runs")).toContainText("older than 45 days");
  await page.screenshot({ path: "test-results/schedule.png", fullPage: true });

  await page.goto("/schedules");
  const listed = page.locator(`[data-schedule="${NAME}"]`);
  await expect(listed.getByTestId("next-run")).toHaveText(/03:30:00 Europe\/Paris$/);
  await expect(listed.getByTestId("last-result")).toContainText("SUCCESS");
  await expect(listed.getByTestId("last-result")).toContainText("Deleted ");
  await page.screenshot({ path: "test-results/schedules.png", fullPage: true });
});

test.describe("as an operator", () => {
  test.use({ storageState: stateFile("operator") });
  test("may run a schedule now but not change it", async ({ page }) => {
    const schedule = await e2eDb().schedule.findUniqueOrThrow({ where: { name: NAME } });
    await page.goto(`/schedules/${schedule.id}`);
    await expect(page.getByTestId("next-occurrences").locator("li")).toHaveCount(3);
    await expect(page.getByRole("button", { name: "Save schedule" })).toHaveCount(0);
    await expect(page.getByRole("button", { name: "Delete schedule" })).toHaveCount(0);
    await page.getByRole("button", { name: "Run now" }).click();
    await expect(page.getByTestId("flash")).toContainText(`${NAME} ran: SUCCESS.`);
    await expect(page.getByTestId("schedule-runs")).toContainText("operator@e2e.test");
  });
});

test.describe("as a viewer", () => {
  test.use({ storageState: stateFile("viewer") });
  test("reads schedules and cannot edit or run them", async ({ page }) => {
    await page.goto("/schedules");
    await expect(page.locator(`[data-schedule="${NAME}"]`)).toBeVisible();
    await expect(page.getByRole("link", { name: "Add schedule" })).toHaveCount(0);
    await expect(page.getByRole("button", { name: "Run now" })).toHaveCount(0);
    await expect(page.getByRole("link", { name: "Notification channels" })).toHaveCount(0);
    await page.locator(`[data-schedule="${NAME}"]`).getByRole("link", { name: NAME }).click();
    await expect(page.getByTestId("next-occurrences").locator("li")).toHaveCount(3);
    await expect(page.getByLabel("Cron expression")).toHaveCount(0);
    await expect(page.getByRole("button", { name: /Save schedule|Delete schedule|Run now/ })).toHaveCount(0);
    await page.goto("/schedules/new");
    await expect(page.getByTestId("forbidden")).toBeVisible();
    await page.goto("/notifications");
    await expect(page.getByTestId("forbidden")).toBeVisible();
  });
});

test("a webhook channel's secret is write-only, and its test message arrives signed with it", async ({ page }) => {
  const received: Array<{ headers: http.IncomingHttpHeaders; body: string }> = [];
  const receiver = http.createServer((req, res) => {
    let body = "";
    req.on("data", (c) => (body += c));
    req.on("end", () => {
      received.push({ headers: req.headers, body });
      res.end("ok");
    });
  });
  await new Promise<void>((resolve) => receiver.listen(2480, "127.0.0.1", () => resolve()));
  try {
    await page.goto("/schedules");
    await page.getByRole("link", { name: "Notification channels" }).click();
    await page.getByRole("link", { name: "Add channel" }).click();
    await page.getByLabel("Name", { exact: true }).fill("e2e hook");
    await page.getByLabel("Kind").selectOption("webhook");
    await page.getByLabel("URL").fill("http://127.0.0.1:2480/orchestra");
    await page.getByLabel("Signing secret").fill("too short");
    await page.getByRole("button", { name: "Add channel" }).click();
    await expect(page.getByTestId("secret-error")).toContainText("at least 16 characters");
    await page.getByLabel("Signing secret").fill(HOOK_SECRET);
    await page.getByRole("button", { name: "Add channel" }).click();
    await expect(page.getByTestId("flash")).toContainText("Channel e2e hook added.");
    const channel = page.locator('[data-channel="e2e hook"]');
    await expect(channel).toContainText("final-failure");
    await expect(channel).toContainText("set");

    await channel.getByRole("link", { name: "e2e hook" }).click();
    await expect(page.getByLabel("Signing secret")).toHaveValue("");
    expect(await page.content()).not.toContain(HOOK_SECRET);
    await page.getByLabel("URL").fill("http://127.0.0.1:2480/orchestra?kept=secret");
    await page.getByRole("button", { name: "Save channel" }).click(); // secret left empty: kept
    await expect(page.getByTestId("flash")).toContainText("Channel e2e hook saved.");
    const stored = await e2eDb().notificationChannel.findUniqueOrThrow({ where: { name: "e2e hook" } });
    expect(stored.secret).toBe(HOOK_SECRET);
    expect(JSON.stringify(await e2eDb().auditLog.findMany({ where: { entity: "NotificationChannel" } }))).not.toContain(HOOK_SECRET); // masked there too

    await page.locator('[data-channel="e2e hook"]').getByRole("button", { name: "Send test" }).click();
    await expect(page.getByTestId("flash")).toContainText("Test message sent to e2e hook: HTTP 200.");
    expect(received).toHaveLength(1);
    const [{ headers, body }] = received;
    const expected = `sha256=${createHmac("sha256", HOOK_SECRET).update(`${headers["x-orchestra-timestamp"]}.${body}`).digest("hex")}`;
    expect(headers["x-orchestra-signature"]).toBe(expected);
    expect(JSON.parse(body)).toMatchObject({ event: "test", title: "Test message from Orchestra (admin@e2e.test)" });
    await expect(page.getByTestId("deliveries")).toContainText("Test message from Orchestra");
    expect(await page.content()).not.toContain(HOOK_SECRET);
  } finally {
    await new Promise<void>((r) => receiver.close(() => r()));
  }
});
