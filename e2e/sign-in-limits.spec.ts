import { expect, request, test, type Page, type Request } from "@playwright/test";
import { SPARE_USERS } from "./users";

const account = SPARE_USERS.guessed;
const WRONG = "Wrong e-mail or password.";

async function submit(page: Page, password: string) {
  await page.goto("/login");
  await page.getByLabel("E-mail").fill(account.email);
  await page.getByLabel("Password").fill(password);
  await page.getByRole("button", { name: "Sign in" }).click();
}

test.describe("sign-in limits", () => {
  test.use({ storageState: { cookies: [], origins: [] } });

  test("rotating X-Forwarded-For buys no extra guesses, and the owner is slowed down, not locked out", async ({ page, baseURL }) => {
    // The sign-in action as the form sends it, replayed at script speed with a new forged client
    // address on every guess.
    const sent = page.waitForRequest((r: Request) => r.method() === "POST" && Boolean(r.headers()["next-action"]));
    await submit(page, "guess-0");
    const captured = await sent;
    await expect(page.getByTestId("sign-in-error")).toHaveText(WRONG);
    const headers = await captured.allHeaders();
    const body = captured.postDataBuffer()!.toString("latin1");
    const attacker = await request.newContext({ baseURL, storageState: { cookies: [], origins: [] } });
    const guess = async (i: number, password = `guess-${i}`) => {
      const response = await attacker.post(captured.url(), {
        headers: { "content-type": headers["content-type"], "next-action": headers["next-action"], accept: "text/x-component", "x-forwarded-for": `203.0.113.${i}` },
        data: Buffer.from(body.replace("guess-0", password), "latin1"),
        maxRedirects: 0,
      });
      const text = await response.text();
      return text.includes(WRONG) ? "wrong" : /Too many failed attempts\. Try again in \d+ seconds?\./.exec(text)?.[0] ?? text;
    };
    const answers: string[] = [];
    for (let i = 1; i < 20; i++) answers.push(await guess(i));
    // 5 guesses in all (the form's and 4 more), then each one must wait: 20 addresses bought nothing
    expect(answers.slice(0, 4)).toEqual(["wrong", "wrong", "wrong", "wrong"]);
    expect(answers.slice(4).every((a) => /^Too many failed attempts\. Try again in [12] seconds?\.$/.test(a))).toBe(true);

    // the owner's right password is refused too while the delay runs, and the answer says for how long
    // (sent at once, as the guesses were: through the browser, a loaded machine may outlast the delay)
    expect(await guess(20, account.password)).toMatch(/^Too many failed attempts\. Try again in [12] seconds?\.$/);
    // …and accepted once it has passed: the guessing did not lock the owner out
    await page.waitForTimeout(2_500);
    await submit(page, account.password);
    await expect(page.getByTestId("current-user")).toContainText("viewer");
    await attacker.dispose();
  });
});
