"use server";
// Resource monitors on an object's page: Measure now (operators) and the object's limit of a resource.
import { revalidatePath } from "next/cache";
import { z } from "zod";
import { directAction } from "@/lib/actions";
import { UserError } from "@/lib/actions/state";
import { engine } from "@/lib/orchestra";
import { formatValue, measureResources } from "@/lib/orchestration/monitors";
import { serviceBySlug } from "@/lib/services";
import type { Service } from "@/lib/services/kit";
import { existingIds } from "@/lib/services/write";

const serviceField = z.string().transform((slug, ctx) => {
  const service = serviceBySlug(slug);
  if (!service || !service.resources?.length) ctx.addIssue({ code: "custom", message: "This service has no resources." });
  return service as Service;
});

const id = z.coerce.number().int("Not an object id.").positive("Not an object id.");

/** Runs the monitors of one object on every server it is routed to; limits are checked at once. */
export const measureNow = directAction({ role: "operator", schema: z.object({ service: serviceField, id }) }, async ({ service, id }, { db, user }) => {
  if ((await existingIds(service, [id], db)).length === 0) throw new UserError(`This ${service.singular} no longer exists.`);
  const result = await measureResources(engine, { model: service.model, objectIds: [String(id)] }, user.id);
  revalidatePath(`/services/${service.slug}/${id}`);
  const failed = result.logs.filter((l) => l.state !== "SUCCESS");
  return {
    message: result.logs.length
      ? `Measured: ${result.measured} value(s) from ${result.logs.length} server run(s)${failed.length ? `; ${failed.length} did not succeed` : ""}.`
      : "No active route sends it to a server with a monitor: nothing was measured.",
    runs: [
      ...result.logs.map((l) => ({ logId: l.logId, server: l.server, backend: l.backend, state: l.state, operations: ["monitor"] })),
      ...result.crossings.flatMap((c) => c.runs.map((r) => ({ logId: r.logId, server: r.server, backend: r.backend, state: r.state, operations: r.operations }))),
    ],
    notices: result.crossings.map((c) => `${c.resource} ${formatValue(c.value)} ${c.unit} ${c.direction === "exceeded" ? `is over the limit of ${formatValue(c.limit ?? 0)} ${c.unit}` : "is back under its limit"}${c.action ? `: ${c.action}` : ""}.`),
    redirectTo: `/services/${service.slug}/${id}`,
  };
});

const limitSchema = z
  .object({
    service: serviceField,
    id,
    resource: z.string().regex(/^[a-z][a-z0-9-]{0,39}$/, "Unknown resource."),
    limit: z
      .string()
      .trim()
      .max(20)
      .transform((v) => (v === "" ? null : Number(v)))
      .pipe(z.number({ message: "A number, or empty for the default." }).finite("A number, or empty for the default.").min(0, "At least 0.").max(1e12, "At most 1,000,000,000,000.").nullable()),
  })
  .superRefine((v, ctx) => {
    if (v.service && !v.service.resources?.some((r) => r.name === v.resource)) ctx.addIssue({ code: "custom", path: ["resource"], message: "Unknown resource." });
  });

/** Sets (or clears, back to the default) an object's limit of a resource; the next measurement applies it. */
export const setResourceLimit = directAction({ role: "operator", schema: limitSchema }, async ({ service, id, resource, limit }, { db }) => {
  if ((await existingIds(service, [id], db)).length === 0) throw new UserError(`This ${service.singular} no longer exists.`);
  const key = { model: service.model, objectId: String(id), resource };
  await db.resourceLimit.upsert({ where: { model_objectId_resource: key }, create: { ...key, limitValue: limit }, update: { limitValue: limit } });
  revalidatePath(`/services/${service.slug}/${id}`);
  const spec = service.resources!.find((r) => r.name === resource)!;
  return {
    message: `${spec.title}: ${limit === null ? `the default limit (${spec.defaultLimit != null ? `${formatValue(spec.defaultLimit)} ${spec.unit}` : "none"})` : `limit ${formatValue(limit)} ${spec.unit}`} from the next measurement.`,
    redirectTo: `/services/${service.slug}/${id}`,
  };
});
