"use server";
// The actions of every service page, driven by the service's declaration (lib/services/kit.ts): save
// (create or update), delete (one or many), re-apply on servers and backend commands (on chosen objects).
import { revalidatePath } from "next/cache";
import { z } from "zod";
import { action, directAction } from "@/lib/actions";
import { UserError } from "@/lib/actions/state";
import { engine } from "@/lib/orchestra";
import { SERVICES, serviceBySlug } from "@/lib/services";
import type { Service } from "@/lib/services/kit";
import { deleteObjects, existingIds, plural, runObjects, saveObject, serviceCommand } from "@/lib/services/write";

const serviceField = z.string().transform((slug, ctx) => {
  const service = serviceBySlug(slug);
  if (!service) ctx.addIssue({ code: "custom", message: "Unknown service." });
  return service as Service;
});

const ids = z
  .union([z.string(), z.array(z.string())])
  .optional()
  .transform((v) => (v === undefined ? [] : Array.isArray(v) ? v : [v]).map(Number))
  .pipe(z.array(z.number().int("Not an object id.").positive("Not an object id.")).min(1, "Choose at least one object.").max(1000, "At most 1,000 objects at once."));

/** The service's own form schema (create or update), chosen by the `service` field. */
const saveSchema = z.looseObject({ service: serviceField, id: z.string().optional() }).transform((form, ctx) => {
  const schema = form.id ? form.service.updateSchema : form.service.createSchema;
  const parsed = schema.safeParse(form);
  if (!parsed.success) {
    parsed.error.issues.forEach((issue) => ctx.addIssue({ code: "custom", path: issue.path, message: issue.message }));
    return z.NEVER;
  }
  return { service: form.service, input: parsed.data as Record<string, unknown> & { id?: number } };
});


const secretInputs = [...new Set(SERVICES.flatMap((s) => s.secretInputs ?? []))];

// Writes only: the unit of work turns them into operations and runs them (see lib/actions).
export const saveServiceObject = action({ role: "operator", schema: saveSchema, secretFields: secretInputs }, async ({ service, input }, { db, user }) => {
  const saved = await saveObject(service, input, { db, user });
  revalidatePath(`/services/${service.slug}`);
  return { message: saved.message, redirectTo: `/services/${service.slug}/${saved.id}` };
});

/** Where to land after acting on a list: the same view of the same service's list, or the list. */
const back = z.string().max(2000).default("");

function listPath(service: Service, back: string) {
  const base = `/services/${service.slug}`;
  return back === base || back.startsWith(`${base}?`) ? back : base;
}

/** Deletes the chosen objects in one unit of work: every server they are routed to is told. */
export const deleteServiceObjects = action({ role: "operator", schema: z.object({ service: serviceField, ids, back }) }, async ({ service, ids, back }, { db }) => {
  const { message } = await deleteObjects(service, ids, { db });
  revalidatePath(`/services/${service.slug}`);
  return { message, redirectTo: listPath(service, back) };
});

const runSchema = z.object({
  service: serviceField,
  ids,
  /** Empty: re-apply (save the current state); otherwise `backend:command`. */
  command: z.string().default(""),
  /** Where to land afterwards: "object" (its page), or a view of the list. */
  back,
});

/**
 * Re-applies the chosen objects on their servers, or runs a backend command on them: routed like a
 * save of their current state, run now (each server's scripts in its lane) and logged like any run.
 */
export const runOnServers = directAction({ role: "operator", schema: runSchema }, async ({ service, ids, command, back }, { db, user }) => {
  const chosen = serviceCommand(service, command);
  const existing = await existingIds(service, ids, db);
  if (existing.length === 0) throw new UserError(`None of the chosen ${service.title.toLowerCase()} exist any more.`);
  const { runs, notices } = await runObjects(engine, service, existing, chosen, user.id);
  return {
    message: `${chosen.title}: ${plural(existing.length, service)} on ${new Set(runs.map((r) => r.server)).size} server(s).`,
    runs,
    notices: notices.slice(0, 20),
    redirectTo: back === "object" && existing.length === 1 ? `/services/${service.slug}/${existing[0]}` : listPath(service, back),
  };
});
