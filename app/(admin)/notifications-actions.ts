"use server";
import { revalidatePath } from "next/cache";
import { z } from "zod";
import { action } from "@/lib/actions";
import { idParam } from "@/lib/schemas/common";

export const dismissNotification = action({ role: "operator", schema: z.object({ id: idParam }), unitOfWork: false }, async ({ id }, { db }) => {
  await db.notification.updateMany({ where: { id, readAt: null }, data: { readAt: new Date() } });
  revalidatePath("/");
  return { message: "Dismissed.", redirectTo: "/" };
});
