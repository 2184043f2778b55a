"use server";
import { revalidatePath } from "next/cache";
import { z } from "zod";
import { action } from "@/lib/actions";
import { UserError } from "@/lib/actions/state";
import { findOrFail } from "@/lib/actions/find-or-fail";
import { idParam } from "@/lib/schemas/common";
import { userCreateSchema, userPasswordSchema, userRoleSchema } from "@/lib/schemas/user";
import { hashPassword } from "@/lib/sign-in";
import type { ActionDb } from "@/lib/actions";

export const createUser = action(
  { role: "admin", schema: userCreateSchema, secretFields: ["password"] },
  async ({ password, ...input }, { db }) => {
    const user = await db.user.create({ data: { ...input, passwordHash: await hashPassword(password) } });
    revalidatePath("/users");
    return { message: `User ${user.email} added.`, redirectTo: "/users" };
  },
);

// A new role ends the account's sessions: it signs in again and sees what the role allows.
export const changeRole = action({ role: "admin", schema: userRoleSchema }, async ({ id, role }, { db, user }) => {
  if (role !== "admin") await keepOneAdmin(db, id);
  const before = await findOrFail(db.user.findUnique({ where: { id }, select: { role: true } }), "This user no longer exists.");
  if (before.role === role) return { message: "Nothing changed.", redirectTo: "/users" };
  const changed = await db.user.update({ where: { id }, data: { role, sessionVersion: { increment: 1 } } });
  revalidatePath("/users");
  return { message: `${changed.email} is now ${role}.${id === user.id ? " (that is you)" : ""}`, redirectTo: "/users" };
});

export const setPassword = action(
  { role: "admin", schema: userPasswordSchema, secretFields: ["password"] },
  async ({ id, password }, { db }) => {
    const changed = await db.user.update({ where: { id }, data: { passwordHash: await hashPassword(password), sessionVersion: { increment: 1 } } });
    revalidatePath("/users");
    return { message: `New password set for ${changed.email}; its sessions have ended.`, redirectTo: "/users" };
  },
);

export const endUserSessions = action({ role: "admin", schema: z.object({ id: idParam }) }, async ({ id }, { db }) => {
  const changed = await db.user.update({ where: { id }, data: { sessionVersion: { increment: 1 } } });
  revalidatePath("/users");
  return { message: `Every session of ${changed.email} has ended.`, redirectTo: "/users" };
});

export const deleteUser = action({ role: "admin", schema: z.object({ id: idParam }) }, async ({ id }, { db, user }) => {
  if (id === user.id) throw new UserError("You cannot delete your own account.");
  await keepOneAdmin(db, id);
  const deleted = await db.user.delete({ where: { id } });
  revalidatePath("/users");
  return { message: `User ${deleted.email} deleted.`, redirectTo: "/users" };
});

async function keepOneAdmin(db: ActionDb, leavingId: number) {
  const others = await db.user.count({ where: { role: "admin", id: { not: leavingId } } });
  if (others === 0) throw new UserError("Orchestra needs at least one admin.");
}
