"use server";
import { revalidatePath } from "next/cache";
import { z } from "zod";
import { action } from "@/lib/actions";
import { UserError } from "@/lib/actions/state";
import { idParam } from "@/lib/schemas/common";
import { systemUserSchema, systemUserUpdateSchema } from "@/lib/services/system-users/schema";
import { systemUserErrors } from "@/lib/services/system-users/policy";
import { fetchSystemUserPolicy } from "@/lib/data/settings";
import type { ActionDb } from "@/lib/actions";
import type { ActionUser } from "@/lib/actions/wrapper";
import { hashPassword } from "@/lib/sign-in";

/** The password becomes a bcrypt crypt(3) hash (glibc's libxcrypt reads `$2b$`); an empty one keeps the current. */
async function passwordData(password: string) {
  return password ? { passwordHash: await hashPassword(password) } : {};
}

/** The system users policy binds operators; nobody crosses its hard floor (see policy.ts). */
async function checkPolicy(input: Parameters<typeof systemUserErrors>[0], db: ActionDb, user: ActionUser) {
  const errors = systemUserErrors(input, await fetchSystemUserPolicy(db), user.role);
  if (Object.keys(errors).length) throw new UserError("This system user is outside the system users policy: nothing was changed.", undefined, errors);
}

// Writes only: the unit of work turns them into operations and runs them (see lib/actions).
export const createSystemUser = action({ role: "operator", schema: systemUserSchema, secretFields: ["password"] }, async ({ password, ...input }, { db, user: me }) => {
  await checkPolicy(input, db, me);
  const user = await db.systemUser.create({ data: { ...input, ...(await passwordData(password)) } });
  revalidatePath("/services/system-users");
  return { message: `System user ${user.username} saved.`, redirectTo: `/services/system-users/${user.id}` };
});

export const updateSystemUser = action({ role: "operator", schema: systemUserUpdateSchema, secretFields: ["password"] }, async ({ id, password, ...input }, { db, user: me }) => {
  if (!(await db.systemUser.findUnique({ where: { id }, select: { id: true } }))) throw new UserError("This system user no longer exists.");
  await checkPolicy(input, db, me);
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
