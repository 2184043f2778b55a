import { expect, test, type Page } from "@playwright/test";
import { imapCount, sendMail, type MailHost } from "../tests/support/mail";
import { e2eHosts } from "./hosts";
import { stateFile } from "./users";

const variablesText = (vars: Record<string, string>) => Object.entries(vars).map(([k, v]) => `${k}=${v}`).join("\n");

async function addRoute(page: Page, backend: string, server: string) {
  await page.goto("/routes/new");
  await page.getByLabel("Backend").selectOption(backend);
  await page.getByLabel("Server").selectOption({ label: server });
  await page.getByRole("button", { name: "Add route" }).click();
  await expect(page.getByTestId("flash")).toContainText(`Route for ${backend} added.`);
}

test("an operator creates a mail domain and a mailbox; the runs succeed and the mailbox receives mail over SMTP and logs in over IMAP", async ({ page, browser }) => {
  const [host] = e2eHosts();
  const mail = host.mail!;
  await page.goto("/servers/new");
  await page.getByLabel("Name").fill("mail-a");
  await page.getByLabel("Address").fill(host.address);
  await page.getByLabel("SSH port").fill(String(host.port));
  await page.getByLabel("Variables").fill(variablesText(mail.variables));
  await page.getByRole("button", { name: "Add server" }).click();
  await expect(page.getByRole("heading", { name: "Server mail-a" })).toBeVisible();
  await page.getByRole("button", { name: "Test connection" }).click();
  await expect(page.getByTestId("form-message")).toContainText(`Connected to root@${host.address}:${host.port} in`);
  await addRoute(page, "postfix-virtual", "mail-a");
  await addRoute(page, "dovecot-mailboxes", "mail-a");

  const operator = await browser.newContext({ storageState: stateFile("operator") });
  const op = await operator.newPage();

  await op.goto("/services/mail-domains/new");
  await op.getByLabel("Domain").fill("shop.test");
  await op.getByRole("button", { name: "Add mail domain" }).click();
  await expect(op.getByTestId("runs")).toContainText("postfix-virtual on mail-a: save shop.test");
  await expect(op.getByTestId("runs").locator("[data-state]")).toHaveAttribute("data-state", "SUCCESS");

  await op.goto("/services/mailboxes/new");
  await op.getByLabel("Local part").fill("alice");
  await op.getByLabel("Domain").fill("shop.test");
  await op.getByLabel("Password").fill("typed in the browser");
  await op.getByRole("button", { name: "Add mailbox" }).click();
  await expect(op.getByTestId("runs")).toContainText("dovecot-mailboxes on mail-a: save alice@shop.test");
  await expect(op.getByTestId("runs")).toContainText("postfix-virtual on mail-a: save shop.test");
  const states = op.getByTestId("runs").locator("[data-state]");
  await expect(states).toHaveCount(2);
  for (const state of await states.all()) await expect(state).toHaveAttribute("data-state", "SUCCESS");
  await expect(op.getByText("typed in the browser")).toHaveCount(0);

  const pair = mail as unknown as MailHost;
  expect(await sendMail(pair, "alice@shop.test", "from-e2e")).toBe("250");
  await expect.poll(() => imapCount(pair, "alice@shop.test", "typed in the browser", "from-e2e"), { timeout: 10_000 }).toBe("1");
  await operator.close();
});
