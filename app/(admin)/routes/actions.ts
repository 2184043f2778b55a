"use server";
import { revalidatePath } from "next/cache";
import { z } from "zod";
import { action, directAction, type ActionDb } from "@/lib/actions";
import { UserError } from "@/lib/actions/state";
import { findOrFail } from "@/lib/actions/find-or-fail";
import { idParam } from "@/lib/schemas/common";
import { matchError, routeSchema, routeUpdateSchema } from "@/lib/schemas/route";
import { previewMatch as preview } from "@/lib/data/routes";
import { checkbox } from "@/lib/schemas/common";
import { engine } from "@/lib/orchestra";
import { describeMoves, moveOperations, routeMoves, type RouteDef } from "@/lib/orchestration/moves";
import { enqueueRouted } from "@/lib/orchestration/unit-of-work";

/** An archived server takes no routes (restore it first). */
async function refuseArchived(db: ActionDb, serverId: number) {
  const server = await findOrFail(
    db.server.findUnique({ where: { id: serverId }, select: { archivedAt: true, name: true } }),
    "This server no longer exists.",
    "serverId",
  );
  if (server.archivedAt) throw new UserError(`${server.name} is archived: restore it before routing work to it.`, "serverId");
}

/**
 * A route change moves configuration: objects that leave a server are deleted there, objects that
 * arrive are saved there, in the unit of work of the change (so they run before the page answers).
 */
async function move(db: ActionDb, before: RouteDef | null, after: RouteDef | null): Promise<string> {
  let moves;
  try {
    moves = await routeMoves(engine, db, before, after);
  } catch (error) {
    throw new UserError(`Not saved: ${(error as Error).message}.`);
  }
  enqueueRouted(engine, moveOperations(moves));
  return moves.length ? ` ${describeMoves(moves)}` : "";
}

export const createRoute = action({ role: "admin", schema: routeSchema }, async (input, { db }) => {
  await refuseArchived(db, input.serverId);
  const route = await db.route.create({ data: input });
  const moved = await move(db, null, route);
  revalidatePath("/routes");
  return { message: `Route for ${route.backend} added.${moved}`, redirectTo: "/routes" };
});

export const updateRoute = action({ role: "admin", schema: routeUpdateSchema }, async ({ id, ...input }, { db }) => {
  const before = await db.route.findUnique({ where: { id } });
  if (!before) throw new UserError("This route no longer exists.");
  if (input.serverId !== undefined) await refuseArchived(db, input.serverId);
  const after = await db.route.update({ where: { id }, data: input });
  const moved = await move(db, before, after);
  revalidatePath("/routes");
  return { message: `Route saved.${moved}`, redirectTo: "/routes" };
});

export const deleteRoute = action({ role: "admin", schema: z.object({ id: idParam }) }, async ({ id }, { db }) => {
  const route = await findOrFail(db.route.findUnique({ where: { id } }), "This route no longer exists.");
  const moved = await move(db, route, null);
  await db.route.delete({ where: { id } });
  revalidatePath("/routes");
  return { message: `Route for ${route.backend} deleted.${moved}`, redirectTo: "/routes" };
});

export const toggleRoute = action({ role: "admin", schema: z.object({ id: idParam }) }, async ({ id }, { db }) => {
  const route = await findOrFail(db.route.findUnique({ where: { id } }), "This route no longer exists.");
  if (!route.active) await refuseArchived(db, route.serverId);
  const after = await db.route.update({ where: { id }, data: { active: !route.active } });
  const moved = await move(db, route, after);
  revalidatePath("/routes");
  return { message: `Route ${route.active ? "disabled" : "enabled"}.${moved}`, redirectTo: "/routes" };
});

/** Read-only: which existing objects the expression would select. */
export const previewRoute = directAction(
  {
    role: "viewer",
    schema: z.object({
      backend: z.string(),
      match: z.string().default("true"),
      serverId: z.coerce.number().int().positive().optional().catch(undefined),
      id: z.coerce.number().int().positive().optional().catch(undefined),
      active: checkbox,
    }),
  },
  async ({ backend, match, serverId, id, active }, { db }) => {
    const invalid = matchError(backend, match);
    if (invalid) throw new UserError(invalid.message, invalid.field);
    const p = await preview(db, backend, match, serverId ?? null, id ?? null);
    const list = (names: string[]) => (names.length ? `${names.slice(0, 20).join(", ")}${names.length > 20 ? ` and ${names.length - 20} more` : ""}` : "nothing");
    const parts = p.servers.map((s) => `${s.server}${s.thisRoute ? " (this route)" : ""}: ${list(s.objects)}`);
    if (p.nowhere.length) parts.push(`no server: ${list(p.nowhere)}`);
    if (p.errors.length) parts.push(`errors: ${p.errors.slice(0, 5).join("; ")}`);
    const thisRoute = p.servers.find((s) => s.thisRoute);
    // what saving this would move between servers (against the route as stored, for an existing one)
    let moves = "";
    if (serverId) {
      const before = id ? await engine.db.route.findUnique({ where: { id } }) : null;
      moves = ` ${describeMoves(await routeMoves(engine, engine.db, before, { id, backend, serverId, match: match || "true", active }).catch(() => []))}`;
    }
    return {
      message: `${thisRoute ? `Matches ${thisRoute.objects.length} of ${p.total}` : `${p.total} objects`}. ${parts.join(" · ")}${moves}`,
    };
  },
);
