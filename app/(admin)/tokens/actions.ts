"use server";
import { revalidatePath } from "next/cache";
import { z } from "zod";
import { directAction } from "@/lib/actions";
import { UserError } from "@/lib/actions/state";
import { findOrFail } from "@/lib/actions/find-or-fail";
import { createToken, MAX_TOKEN_DAYS } from "@/lib/api/tokens";
import { hasRole, ROLES } from "@/lib/roles";
import { idParam } from "@/lib/schemas/common";

const tokenSchema = z.object({
  name: z.string().trim().min(1, "Required.").max(80, "At most 80 characters."),
  role: z.enum(ROLES, { message: "Choose a role." }),
  days: z.coerce.number({ message: "A number of days." }).int("A whole number of days.").min(1, "At least 1 day.").max(MAX_TOKEN_DAYS, `At most ${MAX_TOKEN_DAYS} days.`),
});

/** The token is shown once, in this answer only: it is never stored, logged or put in a cookie. */
export const makeToken = directAction({ role: "viewer", schema: tokenSchema }, async (input, { db, user }) => {
  if (!hasRole(user.role, input.role)) throw new UserError(`A token cannot have a higher role than yours (${user.role}).`, "role");
  const { token, row } = await createToken(db, user, input);
  revalidatePath("/tokens");
  return { message: `Token "${row.name}" made. Copy it now, it is not shown again: ${token}` };
});

export const revokeToken = directAction({ role: "viewer", schema: z.object({ id: idParam }) }, async ({ id }, { db, user }) => {
  const token = await findOrFail(db.apiToken.findUnique({ where: { id } }), "This token no longer exists.");
  // one's own tokens; admins any
  if (token.userId !== user.id && !hasRole(user.role, "admin")) throw new UserError("This token is not yours.");
  if (!token.revokedAt) await db.apiToken.update({ where: { id }, data: { revokedAt: new Date() } });
  revalidatePath("/tokens");
  return { message: `Token "${token.name}" revoked.` };
});
