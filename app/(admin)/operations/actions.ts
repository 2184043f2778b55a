"use server";
import { revalidatePath } from "next/cache";
import { z } from "zod";
import { directAction } from "@/lib/actions";
import { engine } from "@/lib/orchestra";
import { revokeOperations } from "@/lib/orchestration/manual";
import { idParam } from "@/lib/schemas/common";

export const revokeOperation = directAction({ role: "operator", schema: z.object({ id: idParam }) }, async ({ id }) => {
  const count = await revokeOperations(engine, [id]);
  revalidatePath(`/operations/${id}`);
  return { message: count ? "Revoked: it will not run." : "Nothing to revoke: it already ran or is running.", redirectTo: `/operations/${id}` };
});
