import "server-only";
import { cache } from "react";
import { redirect } from "next/navigation";
import { auth } from "@/auth";
import { db } from "./db";
import { hasRole, isRole, type Role } from "./roles";

export type CurrentUser = { id: number; email: string; name: string; role: Role };

/**
 * The signed-in user, re-read from the database once per request: a role change or a deleted account
 * takes effect at once, not when the session cookie expires.
 */
export const currentUser = cache(async (): Promise<CurrentUser | null> => {
  const session = await auth();
  const id = Number(session?.user?.id);
  if (!Number.isInteger(id)) return null;
  const user = await db.user.findUnique({ where: { id }, select: { id: true, email: true, name: true, role: true } });
  if (!user || !isRole(user.role)) return null;
  return { ...user, role: user.role };
});

/** For pages: the user, or a redirect to sign-in / a "forbidden" page. */
export async function requireUser(role: Role = "viewer"): Promise<CurrentUser> {
  const user = await currentUser();
  if (!user) redirect("/login");
  if (!hasRole(user.role, role)) redirect("/forbidden");
  return user;
}
