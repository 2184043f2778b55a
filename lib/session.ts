import "server-only";
import { cache } from "react";
import { redirect } from "next/navigation";
import { auth } from "@/auth";
import { db } from "./db";
import { hasRole, isRole, type Role } from "./roles";

export type CurrentUser = { id: number; email: string; name: string; role: Role; sessionVersion: number };

/**
 * The signed-in user, re-read from the database once per request: a role change or a deleted account
 * takes effect at once, not when the session cookie expires. A session issued before the account's
 * latest sign-out, password or role change ("sessionVersion") counts as signed out.
 */
export const currentUser = cache(async (): Promise<CurrentUser | null> => {
  const session = await auth();
  const id = Number(session?.user?.id);
  if (!Number.isInteger(id)) return null;
  const user = await db.user.findUnique({ where: { id }, select: { id: true, email: true, name: true, role: true, sessionVersion: true } });
  if (!user || !isRole(user.role)) return null;
  if (sessionVersionOf(session) !== user.sessionVersion) return null;
  return { id: user.id, email: user.email, name: user.name, role: user.role, sessionVersion: user.sessionVersion };
});

/**
 * For a response that outlives its request's first check (a log stream): whether the user is still
 * signed in with this session and still holds `role`. A sign-out everywhere, a password or role change,
 * or a deleted account ends it.
 */
export async function stillSignedIn(user: CurrentUser, role: Role): Promise<boolean> {
  const now = await db.user.findUnique({ where: { id: user.id }, select: { role: true, sessionVersion: true } });
  return !!now && isRole(now.role) && now.sessionVersion === user.sessionVersion && hasRole(now.role, role);
}

/** The account version a session was issued for (auth.config.ts); undefined for older cookies. */
export function sessionVersionOf(session: unknown): number | undefined {
  const version = (session as { sessionVersion?: unknown } | null)?.sessionVersion;
  return typeof version === "number" ? version : undefined;
}

/** Ends every session of an account (the next request of each is signed out). */
export async function endSessions(client: { user: { update: typeof db.user.update } }, userId: number) {
  await client.user.update({ where: { id: userId }, data: { sessionVersion: { increment: 1 } } });
}

/** For pages: the user, or a redirect to sign-in / a "forbidden" page. */
export async function requireUser(role: Role = "viewer"): Promise<CurrentUser> {
  const user = await currentUser();
  if (!user) redirect("/login");
  if (!hasRole(user.role, role)) redirect("/forbidden");
  return user;
}
