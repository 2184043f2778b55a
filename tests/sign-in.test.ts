import { beforeEach, describe, expect, it } from "vitest";
import { SIGN_IN_MAX_FAILURES, SIGN_IN_WINDOW_MS, hashPassword, verifySignIn } from "../lib/sign-in";
import { resetDb, testDb } from "./db";

const db = testDb();

describe("sign-in", () => {
  beforeEach(async () => {
    await resetDb();
    await db.user.create({ data: { email: "op@x.test", role: "operator", passwordHash: await hashPassword("correct horse") } });
  });

  it("accepts the right password and refuses a wrong one or an unknown account", async () => {
    expect(await verifySignIn(db, "op@x.test", "correct horse", "10.0.0.1")).toMatchObject({ email: "op@x.test" });
    expect(await verifySignIn(db, "op@x.test", "wrong", "10.0.0.1")).toBeNull();
    expect(await verifySignIn(db, "nobody@x.test", "correct horse", "10.0.0.1")).toBeNull();
  });

  it("locks an account from one address after repeated failures, even for the right password", async () => {
    for (let i = 0; i < SIGN_IN_MAX_FAILURES; i++) expect(await verifySignIn(db, "op@x.test", "bad", "10.0.0.1")).toBeNull();
    expect(await verifySignIn(db, "op@x.test", "correct horse", "10.0.0.1")).toBe("rate_limited");
    // another address is not locked out by someone else's guessing
    expect(await verifySignIn(db, "op@x.test", "correct horse", "10.0.0.2")).toMatchObject({ email: "op@x.test" });
    // the window passes
    const later = new Date(Date.now() + SIGN_IN_WINDOW_MS + 1000);
    expect(await verifySignIn(db, "op@x.test", "correct horse", "10.0.0.1", later)).toMatchObject({ email: "op@x.test" });
  });
});
