"use server";
import { unknownVariableNotices, variablesReport } from "@/lib/services/variables";
import { revalidatePath } from "next/cache";
import { z } from "zod";
import { action, directAction } from "@/lib/actions";
import { UserError } from "@/lib/actions/state";
import { findOrFail } from "@/lib/actions/find-or-fail";
import { idParam } from "@/lib/schemas/common";
import { serverSchema, serverUpdateSchema } from "@/lib/schemas/server";
import { engine } from "@/lib/orchestra";
import { testConnection as probe } from "@/lib/orchestration/connection";
import { installAgent as install } from "@/lib/agent/install";

/** Keys that no backend reads: a typo would otherwise fall back to the default without a word. */
function variableNotices(variables: Record<string, string>): string[] {
  return unknownVariableNotices(variablesReport(engine.registry, [], variables).unknown);
}

export const createServer = action({ role: "admin", schema: serverSchema }, async (input, { db }) => {
  const server = await db.server.create({ data: input });
  revalidatePath("/servers");
  return { message: `Server ${server.name} added.`, redirectTo: `/servers/${server.id}`, notices: variableNotices(input.variables) };
});

export const updateServer = action({ role: "admin", schema: serverUpdateSchema }, async ({ id, ...input }, { db }) => {
  const before = await findOrFail(db.server.findUnique({ where: { id }, select: { address: true, port: true } }), "This server no longer exists.");
  // A new address or port is a different machine as far as SSH is concerned: re-pin its host key.
  const moved = before.address !== input.address || before.port !== input.port;
  const server = await db.server.update({ where: { id }, data: { ...input, ...(moved ? { hostKeyFingerprint: null } : {}) } });
  revalidatePath("/servers");
  return { message: `Server ${server.name} saved.${moved ? " Its host key will be pinned again on the next connection." : ""}`, redirectTo: `/servers/${id}`, notices: variableNotices(input.variables) };
});

// A server with history (operations or script logs) is archived, not deleted: its logs stay readable
// and the database refuses to delete them with it anyway. Only a server that never ran anything goes.
export const deleteServer = action({ role: "admin", schema: z.object({ id: idParam }) }, async ({ id }, { db }) => {
  const server = await findOrFail(
    db.server.findUnique({ where: { id }, select: { name: true, archivedAt: true, _count: { select: { operations: true, scriptLogs: true } } } }),
    "This server no longer exists.",
  );
  revalidatePath("/servers");
  if (server._count.operations + server._count.scriptLogs > 0) {
    if (server.archivedAt) throw new UserError("This server is archived already; its history is kept.");
    await db.route.updateMany({ where: { serverId: id, active: true }, data: { active: false } });
    await db.server.update({ where: { id }, data: { archivedAt: new Date() } });
    return { message: `Server ${server.name} archived: it has run history, which is kept. Its routes are inactive.`, redirectTo: `/servers/${id}` };
  }
  await db.route.deleteMany({ where: { serverId: id } });
  await db.server.delete({ where: { id } });
  return { message: `Server ${server.name} deleted.`, redirectTo: "/servers" };
});

// Back in the lists; its routes stay inactive until an admin turns them on again.
export const restoreServer = action({ role: "admin", schema: z.object({ id: idParam }) }, async ({ id }, { db }) => {
  const server = await findOrFail(db.server.findUnique({ where: { id }, select: { name: true, archivedAt: true } }), "This server no longer exists.");
  if (!server.archivedAt) throw new UserError("This server is not archived.");
  await db.server.update({ where: { id }, data: { archivedAt: null } });
  revalidatePath("/servers");
  return { message: `Server ${server.name} restored. Turn its routes on again where they should run.`, redirectTo: `/servers/${id}` };
});

export const forgetHostKey = action({ role: "admin", schema: z.object({ id: idParam }) }, async ({ id }, { db }) => {
  await db.server.update({ where: { id }, data: { hostKeyFingerprint: null } });
  revalidatePath(`/servers/${id}`);
  return { message: "Host key forgotten: the next connection pins the key it is offered.", redirectTo: `/servers/${id}` };
});

// Operators may check reachability; it changes nothing but a first-use host key pin.
export const testConnection = directAction({ role: "operator", schema: z.object({ id: idParam }) }, async ({ id }) => {
  const report = await probe(engine, id);
  revalidatePath(`/servers/${id}`);
  if (!report.ok) throw new UserError(`Connection failed: ${report.message}`);
  return { message: report.message };
});

// Installs or upgrades the agent over SSH with a new token for this server (the old one stops working).
export const installAgent = directAction(
  { role: "admin", schema: z.object({ id: idParam, url: z.string().trim().url("Orchestra's address as the server reaches it, e.g. https://orchestra.example.net") }) },
  async ({ id, url }, { user }) => {
    await findOrFail(engine.db.server.findFirst({ where: { id, archivedAt: null }, select: { id: true } }), "This server no longer exists or is archived.");
    const report = await install(engine, id, { url, userId: user.id });
    revalidatePath(`/servers/${id}`);
    if (!report.ok) throw new UserError(`${report.message} (log #${report.logId})`);
    return { message: report.message };
  },
);
