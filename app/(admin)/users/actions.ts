"use server";
import { revalidatePath } from "next/cache";
import { z } from "zod";
import { action } from "@/lib/actions";
import { UserError } from "@/lib/actions/state";
import { idParam } from "@/lib/schemas/common";
import { userCreateSchema, userRoleSchema } from "@/lib/schemas/user";
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

export const changeRole = action({ role: "admin", schema: userRoleSchema }, async ({ id, role }, { db, user }) => {
  if (role !== "admin") await keepOneAdmin(db, id);
  const changed = await db.user.update({ where: { id }, data: { role } });
  revalidatePath("/users");
  return { message: `${changed.email} is now ${role}.${id === user.id ? " (that is you)" : ""}`, redirectTo: "/users" };
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
