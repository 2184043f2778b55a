// Password check with two limits on guessing. Framework-free so it is unit-tested.
//  - Per account: after ACCOUNT_FREE_FAILURES failures, each further attempt waits 2, 4, 8 … seconds
//    (capped at ACCOUNT_MAX_DELAY_MS) after the previous failure. Never a lockout: once the delay has
//    passed the right password works, so a stranger cannot keep the owner out, yet guessing is slow.
//  - Per client address: at most ADDRESS_MAX_FAILURES failures in ADDRESS_WINDOW_MS across all
//    accounts, so one machine cannot spread its guesses over many accounts.
// Refused attempts are not counted (hammering does not lengthen the owner's wait); failures are.
import bcrypt from "bcryptjs";
import type { Db } from "./db-client";

export const ACCOUNT_FREE_FAILURES = 5;
export const ACCOUNT_MAX_DELAY_MS = 15 * 60 * 1000;
/** How long a failure counts towards an account's delay (a successful sign-in forgets them). */
export const ACCOUNT_MEMORY_MS = 24 * 3600 * 1000;
export const ADDRESS_MAX_FAILURES = 30;
export const ADDRESS_WINDOW_MS = 15 * 60 * 1000;
// A hash of a random string: comparing against it when the account does not exist keeps the timing
// of "no such user" and "wrong password" alike.
const DUMMY_HASH = "$2b$12$bes5B3KlDa3OchpfbOFGc.EnXLdvhZybmfw3oCTeGMy.KaKBAjk3W";

export type SignedInUser = { id: number; email: string; name: string; sessionVersion: number };
export type SignInResult =
  | { ok: true; user: SignedInUser }
  | { ok: false; reason: "wrong" }
  | { ok: false; reason: "rate_limited"; retryAfterSeconds: number };

export async function hashPassword(password: string): Promise<string> {
  return bcrypt.hash(password, 12);
}

/** The wait imposed after `failures` recent failures of one account, counted from the latest one. */
export function accountDelayMs(failures: number): number {
  if (failures < ACCOUNT_FREE_FAILURES) return 0;
  return Math.min(2 ** (failures - ACCOUNT_FREE_FAILURES + 1) * 1000, ACCOUNT_MAX_DELAY_MS);
}

/** `address` null: the client address is unknown (no socket stamp), so only the account limit applies —
 * one shared bucket for every client would let a stranger block everyone's sign-in. */
export async function verifySignIn(db: Db, email: string, password: string, address: string | null, now = new Date()): Promise<SignInResult> {
  const accountKey = `account:${email}`;
  const addressKey = `address:${address}`;
  // The attempt is written as a failure before the (slow) password check, so concurrent guesses count
  // each other instead of all passing the check at once; it is taken back if refused or right.
  const mine = await db.signInFailure.create({ data: { key: accountKey, createdAt: now } });
  const mineAtAddress = address === null ? null : await db.signInFailure.create({ data: { key: addressKey, createdAt: now } });
  const forget = (ids: number[]) => db.signInFailure.deleteMany({ where: { id: { in: ids } } });

  const waitMs = Math.max(
    await accountWaitMs(db, accountKey, mine.id, now),
    mineAtAddress ? await addressWaitMs(db, addressKey, mineAtAddress.id, now) : 0,
  );
  if (waitMs > 0) {
    await forget([mine.id, ...(mineAtAddress ? [mineAtAddress.id] : [])]);
    return { ok: false, reason: "rate_limited", retryAfterSeconds: Math.ceil(waitMs / 1000) };
  }

  const user = await db.user.findUnique({ where: { email } });
  const ok = await bcrypt.compare(password, user?.passwordHash ?? DUMMY_HASH);
  if (!user || !ok) {
    await db.signInFailure.deleteMany({ where: { createdAt: { lt: new Date(now.getTime() - ACCOUNT_MEMORY_MS) } } });
    return { ok: false, reason: "wrong" };
  }
  // The address keeps its other failures: one valid account must not reset a guesser's budget.
  await db.signInFailure.deleteMany({ where: { OR: [{ key: accountKey }, ...(mineAtAddress ? [{ id: mineAtAddress.id }] : [])] } });
  return { ok: true, user: { id: user.id, email: user.email, name: user.name, sessionVersion: user.sessionVersion } };
}

async function accountWaitMs(db: Db, key: string, mine: number, now: Date): Promise<number> {
  const where = { key, id: { lt: mine }, createdAt: { gte: new Date(now.getTime() - ACCOUNT_MEMORY_MS) } };
  const failures = await db.signInFailure.count({ where });
  const delay = accountDelayMs(failures);
  if (delay === 0) return 0;
  const latest = await db.signInFailure.findFirst({ where, orderBy: { createdAt: "desc" }, select: { createdAt: true } });
  return latest ? latest.createdAt.getTime() + delay - now.getTime() : 0;
}

async function addressWaitMs(db: Db, key: string, mine: number, now: Date): Promise<number> {
  const where = { key, id: { lt: mine }, createdAt: { gte: new Date(now.getTime() - ADDRESS_WINDOW_MS) } };
  const failures = await db.signInFailure.count({ where });
  if (failures < ADDRESS_MAX_FAILURES) return 0;
  // Allowed again when enough of the window's failures have aged out.
  const oldest = await db.signInFailure.findMany({ where, orderBy: { createdAt: "asc" }, skip: failures - ADDRESS_MAX_FAILURES, take: 1 });
  return oldest[0] ? oldest[0].createdAt.getTime() + ADDRESS_WINDOW_MS - now.getTime() : 0;
}

/** "2 seconds", "3 minutes": when to try again, for the sign-in form. */
export function describeWait(seconds: number): string {
  if (seconds < 60) return `${seconds} second${seconds === 1 ? "" : "s"}`;
  const minutes = Math.ceil(seconds / 60);
  return `${minutes} minute${minutes === 1 ? "" : "s"}`;
}
