// A password typed in the admin, through the production build, must arrive on the server: the shadow
// entry on the host holds a hash that verifies it (a bundling bug once sent the literal text
// `"$ORCHESTRA_SECRET_1"` instead, and the run said SUCCESS). Nowhere else does the hash appear.
import { readFileSync } from "node:fs";
import path from "node:path";
import bcrypt from "bcryptjs";
import { expect, test } from "@playwright/test";
import { e2eDb } from "./db";
import { e2eHosts } from "./hosts";
import { stateFile } from "./users";
import { removeServer } from "./cleanup";

test.use({ storageState: stateFile("operator") });
test.afterAll(() => removeServer("pw-host", "pw-"));

test("a password typed in the form verifies against the hash in the host's shadow file", async ({ page }) => {
  const [host] = e2eHosts();
  const db = e2eDb();
  const server = await db.server.create({ data: { name: "pw-host", address: host.address, port: host.port, hostKeyFingerprint: host.fingerprint, variables: { SYSUSER_PREFIX: host.sandbox } } });
  await db.route.create({ data: { backend: "system-users", serverId: server.id, match: 'object.username.startsWith("pw-")' } });
  const typed = `Typed 'pass' "$HOME" ${Date.now()}`;

  await page.goto("/services/system-users/new");
  await page.getByLabel("Username").fill("pw-carol");
  await page.getByLabel("Password").fill(typed);
  await page.getByRole("button", { name: "Add system user" }).click();
  await expect(page.getByTestId("flash")).toContainText("System user pw-carol saved.");
  await expect(page.getByTestId("runs").locator("[data-state]")).toHaveAttribute("data-state", "SUCCESS");

  const shadow = readFileSync(path.join(host.sandbox, "etc/shadow"), "utf8");
  const entry = shadow.split("\n").find((l) => l.startsWith("pw-carol:"));
  expect(entry).toBeDefined();
  const hash = entry!.split(":")[1];
  expect(hash).not.toContain("ORCHESTRA_SECRET");
  expect(hash).toMatch(/^\$2[aby]\$/);
  expect(await bcrypt.compare(typed, hash)).toBe(true);

  // The hash is masked in the stored script and never reaches the browser.
  await page.getByTestId("runs").getByRole("link", { name: /log #/ }).click();
  await expect(page.getByTestId("log-script")).toContainText("ORCHESTRA_SECRET_1=********");
  expect(await page.content()).not.toContain(hash);
  const log = await db.scriptLog.findFirstOrThrow({ where: { serverId: server.id }, orderBy: { id: "desc" } });
  expect(log.script).not.toContain(hash);
});
