import { expect, test } from "@playwright/test";
import { SPARE_USERS, USERS } from "./users";

test.describe("sign-in", () => {
  test.use({ storageState: { cookies: [], origins: [] } });

  test("a signed-out visitor is sent to the sign-in page", async ({ page }) => {
    await page.goto("/servers");
    await expect(page).toHaveURL(/\/login/);
    await expect(page.getByRole("button", { name: "Sign in" })).toBeVisible();
  });

  test("a wrong password is refused with a clear message", async ({ page }) => {
    await page.goto("/login");
    await page.getByLabel("E-mail").fill(USERS.operator.email);
    await page.getByLabel("Password").fill("not-the-password");
    await page.getByRole("button", { name: "Sign in" }).click();
    await expect(page.getByTestId("sign-in-error")).toHaveText("Wrong e-mail or password.");
    await expect(page.getByLabel("E-mail")).toHaveValue(USERS.operator.email);
  });

  // (its own account: signing out ends every session of the account, the saved operator one included)
  test("the right password signs in, shows the role, and signs out", async ({ page }) => {
    await page.goto("/login");
    await page.getByLabel("E-mail").fill(SPARE_USERS.signOut.email);
    await page.getByLabel("Password").fill(SPARE_USERS.signOut.password);
    await page.getByRole("button", { name: "Sign in" }).click();
    await expect(page.getByRole("heading", { name: "Dashboard" })).toBeVisible();
    await expect(page.getByTestId("current-user")).toContainText("operator");
    await page.getByRole("button", { name: "Sign out" }).click();
    await expect(page.getByRole("button", { name: "Sign in" })).toBeVisible();
    expect((await page.context().cookies()).map((c) => c.name)).not.toContain("authjs.session-token");
    await page.goto("/servers");
    await expect(page).toHaveURL(/\/login/);
  });
});
