"use server";
import { revalidatePath } from "next/cache";
import { z } from "zod";
import { action } from "@/lib/actions";
import { UserError } from "@/lib/actions/state";
import { engine } from "@/lib/orchestra";
import { retryLog, revokeOperations } from "@/lib/orchestration/manual";
import { idParam } from "@/lib/schemas/common";

export const retry = action({ role: "operator", schema: z.object({ id: idParam }), unitOfWork: false }, async ({ id }, { user }) => {
  let report;
  try {
    report = await retryLog(engine, id, user.id);
  } catch (error) {
    throw new UserError((error as Error).message);
  }
  revalidatePath("/logs");
  return { message: `Retry of log #${id}: ${report.state}.`, redirectTo: `/logs/${report.logId}`, runs: [report] };
});

export const revoke = action({ role: "operator", schema: z.object({ id: idParam }), unitOfWork: false }, async ({ id }, { db }) => {
  const log = await db.scriptLog.findUnique({ where: { id }, include: { operations: true } });
  if (!log) throw new UserError("This log no longer exists.");
  const count = await revokeOperations(engine, log.operations.map((o) => o.operationId));
  revalidatePath(`/logs/${id}`);
  return { message: count ? `Revoked ${count} operation(s): they will not run again.` : "Nothing left to revoke.", redirectTo: `/logs/${id}` };
});
