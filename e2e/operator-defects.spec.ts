// What operators reported seeing in the admin, each checked in the browser against the real thing.
import { expect, test, type Page } from "@playwright/test";
import { removeServer } from "./cleanup";
import { e2eDb } from "./db";
import { e2eHosts } from "./hosts";

const DAY = 24 * 3600_000;

/** A server row made directly (no connection test needed), removed again with its history afterwards. */
async function server(name: string, data: { address?: string; port?: number; variables?: Record<string, string>; hostKeyFingerprint?: string } = {}) {
  await removeServer(name);
  return e2eDb().server.create({ data: { name, address: data.address ?? "127.0.0.1", port: data.port ?? 22, variables: data.variables ?? {}, hostKeyFingerprint: data.hostKeyFingerprint ?? null } });
}

test("a website's domain edit shows the removed domain as removed and the added one as added on its operation", async ({ page }) => {
  const [host] = e2eHosts();
  const db = e2eDb();
  const web = await server("defects-web", { address: host.address, port: host.port, variables: host.nginx.variables, hostKeyFingerprint: host.fingerprint });
  await db.route.create({ data: { backend: "nginx-websites", serverId: web.id, match: 'object.name.startsWith("diff-")' } });
  try {
    await page.goto("/services/websites/new");
    await page.getByLabel("Name").fill("diff-site");
    await page.getByLabel("Domains").fill("old.diff.test\nkept.diff.test");
    await page.getByRole("button", { name: "Add website" }).click();
    await expect(page.getByTestId("flash")).toContainText("Website diff-site saved.");

    const site = await db.website.findUniqueOrThrow({ where: { name: "diff-site" } });
    const operations = { model: "Website", objectId: String(site.id), serverId: web.id };
    await page.getByLabel("Domains").fill("kept.diff.test\nnew.diff.test");
    await page.getByRole("button", { name: "Save website" }).click();
    await expect.poll(() => db.operation.count({ where: { ...operations, state: "SUCCESS" } })).toBe(2);

    const edit = await db.operation.findFirstOrThrow({ where: operations, orderBy: { id: "desc" } });
    await page.goto(`/operations/${edit.id}`);
    const domains = page.getByTestId("snapshot-diff").locator('tr[data-field="domains"]');
    await expect(domains.locator("del")).toHaveText("− old.diff.test");
    await expect(domains.locator("ins")).toHaveText("+ new.diff.test");
    await expect(domains).toContainText("kept.diff.test");

    await page.goto(`/services/websites/${site.id}`);
    page.once("dialog", (d) => d.accept());
    await page.getByRole("button", { name: "Delete" }).click();
    await expect(page.getByTestId("flash")).toContainText("Website diff-site deleted.");
  } finally {
    await db.websiteDomain.deleteMany({ where: { website: { name: "diff-site" } } });
    await db.website.deleteMany({ where: { name: "diff-site" } });
    await removeServer("defects-web");
  }
});

test("a flash is shown on the page its action led to, and not again on the next page, after Back or a reload", async ({ page }) => {
  const gone = await server("defects-flash");
  await page.goto(`/servers/${gone.id}`);
  page.once("dialog", (d) => d.accept());
  await page.getByRole("button", { name: "Delete server" }).click();
  await expect(page).toHaveURL(/\/servers$/);
  await expect(page.getByTestId("flash")).toHaveText("Server defects-flash deleted.");

  await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Routes" }).click();
  await expect(page.getByRole("heading", { name: "Routes" })).toBeVisible();
  await expect(page.getByTestId("flash")).toHaveCount(0);

  await page.goBack();
  await expect(page.getByRole("heading", { name: "Servers" })).toBeVisible();
  await expect(page.getByTestId("flash")).toHaveCount(0);
  await page.reload();
  await expect(page.getByRole("heading", { name: "Servers" })).toBeVisible();
  await expect(page.getByTestId("flash")).toHaveCount(0);
});

test("one tab does not show the flash of an action made in another tab", async ({ page, context }) => {
  const other = await context.newPage();
  const gone = await server("defects-tab");
  await page.goto("/servers");
  await other.goto(`/servers/${gone.id}`);

  // Hold the other tab's action response once its cookies are in the browser, and look at this tab then.
  let release!: () => void;
  const held = new Promise<void>((resolve) => (release = resolve));
  let answered!: () => void;
  const inFlight = new Promise<void>((resolve) => (answered = resolve));
  await other.route("**/servers/**", async (route) => {
    if (route.request().method() !== "POST" || !route.request().headers()["next-action"]) return route.fallback();
    const response = await route.fetch({ maxRedirects: 0 });
    answered();
    await held;
    await route.fulfill({ response });
  });
  other.once("dialog", (d) => d.accept());
  await other.getByRole("button", { name: "Delete server" }).click();
  await inFlight;
  expect((await context.cookies()).some((c) => c.name.startsWith("orchestra-flash"))).toBe(true);

  await page.reload();
  await expect(page.getByRole("heading", { name: "Servers" })).toBeVisible();
  await expect(page.getByTestId("flash")).toHaveCount(0);

  release();
  await expect(other.getByTestId("flash")).toHaveText("Server defects-tab deleted.");
  await page.reload();
  await expect(page.getByRole("heading", { name: "Servers" })).toBeVisible();
  await expect(page.getByTestId("flash")).toHaveCount(0);
  await other.close();
});

test("the runs chart keeps today's bar of a quiet server when another server is busy", async ({ page }) => {
  const db = e2eDb();
  const [busy, quiet, third] = [await server("defects-chart-busy"), await server("defects-chart-quiet"), await server("defects-chart-third")];
  try {
    const yesterday = new Date(Date.now() - DAY);
    await db.scriptLog.createMany({ data: Array.from({ length: 200 }, () => ({ backend: "system-users", serverId: busy.id, state: "SUCCESS", createdAt: yesterday })) });
    await db.scriptLog.createMany({ data: Array.from({ length: 5 }, () => ({ backend: "system-users", serverId: third.id, state: "SUCCESS", createdAt: yesterday })) });
    await db.scriptLog.create({ data: { backend: "system-users", serverId: quiet.id, state: "FAILURE" } });

    await page.goto("/");
    const row = page.getByTestId("runs-chart").locator("li", { has: page.getByRole("link", { name: "defects-chart-quiet", exact: true }) });
    // the last bar is today's: one failed run, drawn red
    const today = row.locator("svg g").last();
    await expect(today.locator("title")).toHaveText(`${new Date().toISOString().slice(5, 10)}: 0 succeeded, 1 failed`);
    const red = (await today.locator("rect.fill-red-500").boundingBox())!;
    expect(red.height).toBeGreaterThanOrEqual(2);
    // and the busy server's day still fits the chart
    const busiest = page.getByTestId("runs-chart").locator("li", { has: page.getByRole("link", { name: "defects-chart-busy", exact: true }) });
    const svg = (await busiest.locator("svg").boundingBox())!;
    const green = (await busiest.locator("svg g").nth(5).locator("rect.fill-emerald-500").boundingBox())!;
    expect(green.y).toBeGreaterThanOrEqual(svg.y);
  } finally {
    for (const s of [busy, quiet, third]) await removeServer(s.name);
  }
});

async function submitServer(page: Page, fields: Record<string, string>) {
  await page.goto("/servers/new");
  for (const [label, value] of Object.entries(fields)) await page.getByLabel(label).fill(value);
  await page.getByRole("button", { name: "Add server" }).click();
}

test("validation messages are sentences, one per empty field", async ({ page }) => {
  await submitServer(page, { Name: "", Address: "", "SSH user": "" });
  for (const field of ["name", "address", "sshUser"]) {
    await expect(page.getByTestId(`${field}-error`)).toHaveCount(1);
    await expect(page.getByTestId(`${field}-error`)).toHaveText("Required.");
  }
  await submitServer(page, { Name: "n".repeat(65), Address: "127.0.0.1" });
  await expect(page.getByTestId("name-error")).toHaveText("At most 64 characters.");
});

test("a long route expression is quoted in its error by a short excerpt only", async ({ page }) => {
  const target = await server("defects-routes");
  const name = "x".repeat(300);
  try {
    await page.goto("/routes/new");
    await page.getByLabel("Backend").selectOption("system-users");
    await page.getByLabel("Server").selectOption({ label: "defects-routes" });
    await page.getByLabel("Match (CEL)").fill(`object.${name} == 1`);
    for (const button of ["Preview matches", "Add route"]) {
      await page.getByRole("button", { name: button }).click();
      const error = page.getByTestId("match-error");
      await expect(error).toContainText("Unknown field object.xxx");
      expect(await error.textContent()).not.toContain("x".repeat(61));
    }
    expect(await e2eDb().route.count({ where: { serverId: target.id } })).toBe(0);
  } finally {
    await removeServer("defects-routes");
  }
});

test("the result of Test connection shows below the page header, not inside it", async ({ page }) => {
  // nothing listens on port 1: the connection is refused at once
  const probe = await server("defects-probe", { address: "127.0.0.1", port: 1 });
  try {
    await page.goto(`/servers/${probe.id}`);
    await page.getByRole("button", { name: "Test connection" }).click();
    const message = page.getByTestId("form-message");
    await expect(message).toContainText("Connection failed");
    // below the title and the buttons, starting where the title starts: not squeezed in beside them
    const heading = (await page.getByRole("heading", { name: "Server defects-probe" }).boundingBox())!;
    const button = (await page.getByRole("button", { name: "Test connection" }).boundingBox())!;
    const box = (await message.boundingBox())!;
    expect(box.y).toBeGreaterThanOrEqual(Math.max(heading.y + heading.height, button.y + button.height));
    expect(Math.abs(box.x - heading.x)).toBeLessThan(2);
    expect(heading.height).toBeLessThan(40); // the title stays on one line
  } finally {
    await removeServer("defects-probe");
  }
});

test("long lines of a script log wrap instead of scrolling sideways", async ({ page }) => {
  const host = await server("defects-log");
  try {
    const long = (word: string) => `${word}=${"a1b2c3d4".repeat(60)}`;
    const log = await e2eDb().scriptLog.create({
      data: { backend: "system-users", serverId: host.id, state: "FAILURE", exitCode: 1, script: `#!/usr/bin/env bash\necho ${long("script")}\n`, stdout: `${long("out")}\n`, stderr: `${long("err")}\n` },
    });
    await page.goto(`/logs/${log.id}`);
    for (const [id, text] of [["log-script", long("script")], ["log-stdout", long("out")], ["log-stderr", long("err")]]) {
      const block = page.getByTestId(id);
      await expect(block).toContainText(text);
      const { scrollWidth, clientWidth } = await block.evaluate((el) => ({ scrollWidth: el.scrollWidth, clientWidth: el.clientWidth }));
      expect(scrollWidth, `${id} scrolls sideways`).toBeLessThanOrEqual(clientWidth);
    }
  } finally {
    await removeServer("defects-log");
  }
});
