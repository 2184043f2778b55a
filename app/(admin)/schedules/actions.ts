"use server";
import { revalidatePath } from "next/cache";
import { z } from "zod";
import { action, directAction, type ActionDb } from "@/lib/actions";
import { UserError } from "@/lib/actions/state";
import { idParam } from "@/lib/schemas/common";
import { scheduleSchema, scheduleUpdateSchema, type ScheduleInput } from "@/lib/schemas/schedule";
import { engine } from "@/lib/orchestra";
import { safeNext, runScheduleNow } from "@/lib/orchestration/schedules/fire";
import { isOperatorError } from "@/lib/orchestration/types";

/** A named server must exist (a schedule for a server that is gone fails every run). */
async function checkServer(db: ActionDb, input: ScheduleInput) {
  const server = "server" in input.params ? input.params.server : undefined;
  if (server && !(await db.server.findUnique({ where: { name: server }, select: { id: true } }))) throw new UserError("No server has this name.", "server");
}

/** The occurrence due next, from now: an edit never makes an occurrence that already ran run again. */
const nextRunAt = (input: ScheduleInput) => (input.active ? safeNext(input, engine.now()) : null);

export const createSchedule = action({ role: "admin", schema: scheduleSchema }, async (input, { db }) => {
  await checkServer(db, input);
  const schedule = await db.schedule.create({ data: { ...input, nextRunAt: nextRunAt(input) } });
  revalidatePath("/schedules");
  return { message: `Schedule ${schedule.name} added.`, redirectTo: `/schedules/${schedule.id}` };
});

export const updateSchedule = action({ role: "admin", schema: scheduleUpdateSchema }, async ({ id, ...input }, { db }) => {
  if (!(await db.schedule.findUnique({ where: { id }, select: { id: true } }))) throw new UserError("This schedule no longer exists.");
  await checkServer(db, input);
  const schedule = await db.schedule.update({ where: { id }, data: { ...input, nextRunAt: nextRunAt(input) } });
  revalidatePath("/schedules");
  return { message: `Schedule ${schedule.name} saved.`, redirectTo: `/schedules/${schedule.id}` };
});

export const deleteSchedule = action({ role: "admin", schema: z.object({ id: idParam }) }, async ({ id }, { db }) => {
  const schedule = await db.schedule.findUnique({ where: { id } });
  if (!schedule) throw new UserError("This schedule no longer exists.");
  await db.schedule.delete({ where: { id } });
  revalidatePath("/schedules");
  return { message: `Schedule ${schedule.name} deleted.`, redirectTo: "/schedules" };
});

/** Runs the schedule now, in this request, and shows its result. */
export const runScheduleNowAction = directAction(
  { role: "operator", schema: z.object({ id: idParam, back: z.enum(["list", "detail"]).default("detail") }) },
  async ({ id, back }, { user }) => {
    let outcome;
    try {
      outcome = await runScheduleNow(engine, id, user.id);
    } catch (error) {
      if (isOperatorError(error)) throw new UserError(error.message);
      throw error;
    }
    revalidatePath("/schedules");
    const schedule = await engine.db.schedule.findUnique({ where: { id }, select: { name: true } });
    const message = `${schedule?.name ?? "The schedule"} ran: ${outcome.state}. ${outcome.message}`;
    if (outcome.state !== "SUCCESS") throw new UserError(message);
    return { message, redirectTo: back === "list" ? "/schedules" : `/schedules/${id}` };
  },
);
