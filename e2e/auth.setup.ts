import { expect, test as setup } from "@playwright/test";
import { USERS, stateFile, type E2eRole } from "./users";

// Signs in once per role and saves the session for the specs.
for (const role of Object.keys(USERS) as E2eRole[]) {
  setup(`sign in as ${role}`, async ({ page }) => {
    await page.goto("/login");
    await page.getByLabel("E-mail").fill(USERS[role].email);
    await page.getByLabel("Password").fill(USERS[role].password);
    await page.getByRole("button", { name: "Sign in" }).click();
    await expect(page.getByTestId("current-user")).toContainText(role);
    await page.context().storageState({ path: stateFile(role) });
  });
}
