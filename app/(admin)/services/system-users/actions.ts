"use server";
import { revalidatePath } from "next/cache";
import { z } from "zod";
import { action } from "@/lib/actions";
import { UserError } from "@/lib/actions/state";
import { idParam } from "@/lib/schemas/common";
import { systemUserSchema, systemUserUpdateSchema } from "@/lib/services/system-users/schema";
import { hashPassword } from "@/lib/sign-in";

/** The password becomes a bcrypt crypt(3) hash (glibc's libxcrypt reads `$2b$`); an empty one keeps the current. */
async function passwordData(password: string) {
  return password ? { passwordHash: await hashPassword(password) } : {};
}

// Writes only: the unit of work turns them into operations and runs them (see lib/actions).
export const createSystemUser = action({ role: "operator", schema: systemUserSchema, secretFields: ["password"] }, async ({ password, ...input }, { db }) => {
  const user = await db.systemUser.create({ data: { ...input, ...(await passwordData(password)) } });
  revalidatePath("/services/system-users");
  return { message: `System user ${user.username} saved.`, redirectTo: `/services/system-users/${user.id}` };
});

export const updateSystemUser = action({ role: "operator", schema: systemUserUpdateSchema, secretFields: ["password"] }, async ({ id, password, ...input }, { db }) => {
  if (!(await db.systemUser.findUnique({ where: { id }, select: { id: true } }))) throw new UserError("This system user no longer exists.");
  const user = await db.systemUser.update({ where: { id }, data: { ...input, ...(await passwordData(password)) } });
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
