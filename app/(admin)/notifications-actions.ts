"use server";
import { revalidatePath } from "next/cache";
import { z } from "zod";
import { directAction } from "@/lib/actions";
import { idParam } from "@/lib/schemas/common";

export const dismissNotification = directAction({ role: "operator", schema: z.object({ id: idParam }) }, async ({ id }, { db }) => {
  await db.notification.updateMany({ where: { id, readAt: null }, data: { readAt: new Date() } });
  revalidatePath("/");
  return { message: "Dismissed.", redirectTo: "/" };
});
