import { beforeEach, describe, expect, it } from "vitest";
import {
  ACCOUNT_FREE_FAILURES,
  ACCOUNT_MAX_DELAY_MS,
  ADDRESS_MAX_FAILURES,
  ADDRESS_WINDOW_MS,
  accountDelayMs,
  describeWait,
  hashPassword,
  verifySignIn,
} from "../lib/sign-in";
import { resetDb, testDb } from "./db";

const db = testDb();
const at = (base: Date, seconds: number) => new Date(base.getTime() + seconds * 1000);

describe("sign-in", () => {
  beforeEach(async () => {
    await resetDb();
    await db.user.create({ data: { email: "op@x.test", role: "operator", passwordHash: await hashPassword("correct horse") } });
  });

  it("accepts the right password and refuses a wrong one or an unknown account", async () => {
    expect(await verifySignIn(db, "op@x.test", "correct horse", "10.0.0.1")).toMatchObject({ ok: true, user: { email: "op@x.test", sessionVersion: 0 } });
    expect(await verifySignIn(db, "op@x.test", "wrong", "10.0.0.1")).toEqual({ ok: false, reason: "wrong" });
    expect(await verifySignIn(db, "nobody@x.test", "correct horse", "10.0.0.1")).toEqual({ ok: false, reason: "wrong" });
  });

  it("slows an account down after repeated failures from any address, and says for how long", async () => {
    const t0 = new Date();
    // each guess from a different address: the account limit does not care where they come from
    for (let i = 0; i < ACCOUNT_FREE_FAILURES; i++) {
      expect(await verifySignIn(db, "op@x.test", "bad", `10.0.1.${i}`, t0)).toMatchObject({ reason: "wrong" });
    }
    expect(await verifySignIn(db, "op@x.test", "correct horse", "10.0.9.9", t0)).toEqual({ ok: false, reason: "rate_limited", retryAfterSeconds: 2 });
    // refused attempts do not count: hammering does not lengthen the wait
    for (let i = 0; i < 10; i++) await verifySignIn(db, "op@x.test", "bad", "10.0.9.9", at(t0, 1));
    expect(await verifySignIn(db, "op@x.test", "bad", "10.0.9.9", at(t0, 1))).toMatchObject({ retryAfterSeconds: 1 });
    // after the wait one more guess is allowed, then the wait doubles
    expect(await verifySignIn(db, "op@x.test", "bad", "10.0.9.9", at(t0, 2))).toMatchObject({ reason: "wrong" });
    expect(await verifySignIn(db, "op@x.test", "bad", "10.0.9.9", at(t0, 3))).toMatchObject({ reason: "rate_limited", retryAfterSeconds: 3 });
    // the owner, once the wait has passed, still gets in: no lockout
    expect(await verifySignIn(db, "op@x.test", "correct horse", "10.0.9.9", at(t0, 6))).toMatchObject({ ok: true });
    // and success forgets the account's failures
    expect(await verifySignIn(db, "op@x.test", "bad", "10.0.9.9", at(t0, 6))).toMatchObject({ reason: "wrong" });
  });

  it("grows the delay exponentially up to a cap", () => {
    expect(accountDelayMs(ACCOUNT_FREE_FAILURES - 1)).toBe(0);
    expect(accountDelayMs(ACCOUNT_FREE_FAILURES)).toBe(2000);
    expect(accountDelayMs(ACCOUNT_FREE_FAILURES + 3)).toBe(16_000);
    expect(accountDelayMs(ACCOUNT_FREE_FAILURES + 40)).toBe(ACCOUNT_MAX_DELAY_MS);
    expect(describeWait(1)).toBe("1 second");
    expect(describeWait(900)).toBe("15 minutes");
  });

  it("limits one address across accounts, without touching other addresses", async () => {
    const t0 = new Date();
    for (let i = 0; i < ADDRESS_MAX_FAILURES; i++) {
      expect(await verifySignIn(db, `user${i}@x.test`, "bad", "10.0.0.66", at(t0, i))).toMatchObject({ reason: "wrong" });
    }
    const limited = await verifySignIn(db, "op@x.test", "correct horse", "10.0.0.66", at(t0, 30));
    expect(limited).toEqual({ ok: false, reason: "rate_limited", retryAfterSeconds: ADDRESS_WINDOW_MS / 1000 - 30 });
    expect(await verifySignIn(db, "op@x.test", "correct horse", "10.0.0.67", at(t0, 30))).toMatchObject({ ok: true });
    // an unknown address is not one shared bucket: only the account limit applies to it
    for (let i = 0; i < ADDRESS_MAX_FAILURES; i++) await verifySignIn(db, `other${i}@x.test`, "bad", null, at(t0, 40));
    expect(await verifySignIn(db, "op@x.test", "correct horse", null, at(t0, 41))).toMatchObject({ ok: true });
    // the oldest failure ages out of the window
    expect(await verifySignIn(db, "op@x.test", "correct horse", "10.0.0.66", at(t0, ADDRESS_WINDOW_MS / 1000 + 1))).toMatchObject({ ok: true });
  });

  it("counts concurrent guesses against each other", async () => {
    const results = await Promise.all(Array.from({ length: 12 }, (_, i) => verifySignIn(db, "op@x.test", "bad", `10.0.2.${i}`)));
    expect(results.filter((r) => !r.ok && r.reason === "wrong").length).toBeLessThanOrEqual(ACCOUNT_FREE_FAILURES + 1);
  });
});
