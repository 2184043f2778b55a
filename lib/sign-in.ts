// Password check with a per-account-and-address limit on failures. Framework-free so it is unit-tested.
import bcrypt from "bcryptjs";
import type { Db } from "./db-client";

export const SIGN_IN_WINDOW_MS = 15 * 60 * 1000;
export const SIGN_IN_MAX_FAILURES = 5;
// A hash of a random string: comparing against it when the account does not exist keeps the timing
// of "no such user" and "wrong password" alike.
const DUMMY_HASH = "$2b$12$bes5B3KlDa3OchpfbOFGc.EnXLdvhZybmfw3oCTeGMy.KaKBAjk3W";

export async function hashPassword(password: string): Promise<string> {
  return bcrypt.hash(password, 12);
}

export async function verifySignIn(
  db: Db,
  email: string,
  password: string,
  address: string,
  now = new Date(),
): Promise<{ id: number; email: string; name: string } | null | "rate_limited"> {
  const key = `${email}|${address}`;
  const since = new Date(now.getTime() - SIGN_IN_WINDOW_MS);
  const failures = await db.signInFailure.count({ where: { key, createdAt: { gte: since } } });
  if (failures >= SIGN_IN_MAX_FAILURES) return "rate_limited";

  const user = await db.user.findUnique({ where: { email } });
  const ok = await bcrypt.compare(password, user?.passwordHash ?? DUMMY_HASH);
  if (!user || !ok) {
    await db.signInFailure.create({ data: { key, createdAt: now } });
    await db.signInFailure.deleteMany({ where: { createdAt: { lt: new Date(now.getTime() - 24 * 3600_000) } } });
    return null;
  }
  await db.signInFailure.deleteMany({ where: { key } });
  return { id: user.id, email: user.email, name: user.name };
}
