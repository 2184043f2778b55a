"use server";
import { revalidatePath } from "next/cache";
import { z } from "zod";
import { directAction } from "@/lib/actions";
import { UserError } from "@/lib/actions/state";
import { findOrFail } from "@/lib/actions/find-or-fail";
import { engine } from "@/lib/orchestra";
import { cancelLog, retryLog, revokeOperations } from "@/lib/orchestration/manual";
import { idParam } from "@/lib/schemas/common";
import { isOperatorError } from "@/lib/orchestration/types";

/** Refusals the operator should read become messages; anything else stays an internal error. */
function operatorMessage(error: unknown): never {
  if (isOperatorError(error)) throw new UserError(error.message);
  throw error;
}

// Retry and re-apply converge: they bring the log's objects to their current state on its server,
// never back to the log's old snapshots (lib/orchestration/manual.ts).
async function converge(id: number, userId: number, reapply: boolean) {
  let outcome;
  try {
    outcome = await retryLog(engine, id, userId, { reapply });
  } catch (error) {
    operatorMessage(error);
  }
  revalidatePath("/logs");
  const { report, superseded, queued } = outcome;
  if (!report) {
    if (queued) return { message: `Queued: an earlier change of the same object on this server runs first; the worker will apply it.`, redirectTo: `/logs/${id}` };
    const by = [...new Set(superseded.map((s) => (s.byLogId ? `#${s.byLogId}` : `operation #${s.byOperationId}`)))].join(", ");
    throw new UserError(`Nothing to retry: every object of this log was changed again since (superseded by ${by}). Use "Re-apply current state" to push what the database holds now.`);
  }
  const skipped = superseded.length && !reapply ? ` ${superseded.length} superseded object(s) skipped.` : "";
  return { message: `${reapply ? "Re-apply" : "Retry"} of log #${id}: ${report.state}.${skipped}`, redirectTo: `/logs/${report.logId}`, runs: [report] };
}

export const retry = directAction({ role: "operator", schema: z.object({ id: idParam }) }, async ({ id }, { user }) => converge(id, user.id, false));

export const reapply = directAction({ role: "operator", schema: z.object({ id: idParam }) }, async ({ id }, { user }) => converge(id, user.id, true));

export const cancel = directAction({ role: "operator", schema: z.object({ id: idParam }) }, async ({ id }) => {
  try {
    await cancelLog(engine, id);
  } catch (error) {
    operatorMessage(error);
  }
  revalidatePath(`/logs/${id}`);
  return { message: `Cancelling log #${id}: its processes on the server are being stopped.`, redirectTo: `/logs/${id}` };
});

export const revoke = directAction({ role: "operator", schema: z.object({ id: idParam }) }, async ({ id }, { db }) => {
  const log = await findOrFail(db.scriptLog.findUnique({ where: { id }, include: { operations: true } }), "This log no longer exists.");
  const count = await revokeOperations(engine, log.operations.map((o) => o.operationId));
  revalidatePath(`/logs/${id}`);
  return { message: count ? `Revoked ${count} operation(s): they will not run again.` : "Nothing left to revoke.", redirectTo: `/logs/${id}` };
});
