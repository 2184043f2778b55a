"use server";
import { revalidatePath } from "next/cache";
import { z } from "zod";
import { action } from "@/lib/actions";
import { UserError } from "@/lib/actions/state";
import { idParam } from "@/lib/schemas/common";
import { systemUserSchema, systemUserUpdateSchema } from "@/lib/services/system-users/schema";

// Writes only: the unit of work turns them into operations and runs them (see lib/actions).
export const createSystemUser = action({ role: "operator", schema: systemUserSchema }, async (input, { db }) => {
  const user = await db.systemUser.create({ data: input });
  revalidatePath("/services/system-users");
  return { message: `System user ${user.username} saved.`, redirectTo: `/services/system-users/${user.id}` };
});

export const updateSystemUser = action({ role: "operator", schema: systemUserUpdateSchema }, async ({ id, ...input }, { db }) => {
  if (!(await db.systemUser.findUnique({ where: { id }, select: { id: true } }))) throw new UserError("This system user no longer exists.");
  const user = await db.systemUser.update({ where: { id }, data: input });
  revalidatePath("/services/system-users");
  return { message: `System user ${user.username} saved.`, redirectTo: `/services/system-users/${id}` };
});

export const deleteSystemUser = action({ role: "operator", schema: z.object({ id: idParam }) }, async ({ id }, { db }) => {
  const user = await db.systemUser.findUnique({ where: { id } });
  if (!user) throw new UserError("This system user no longer exists.");
  await db.systemUser.delete({ where: { id } });
  revalidatePath("/services/system-users");
  return { message: `System user ${user.username} deleted.`, redirectTo: "/services/system-users" };
});
