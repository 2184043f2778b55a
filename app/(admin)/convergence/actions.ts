"use server";
import { revalidatePath } from "next/cache";
import { z } from "zod";
import { directAction } from "@/lib/actions";
import { runSummaries, UserError } from "@/lib/actions/state";
import { engine } from "@/lib/orchestra";
import { convergePairs, type PairRef } from "@/lib/orchestration/convergence";
import { checkDrift } from "@/lib/orchestration/drift";

/** `serverId:backend:model:objectId`, as the convergence tables post them. */
const refs = z
  .union([z.string(), z.array(z.string())])
  .optional()
  .transform((v) => (v === undefined ? [] : Array.isArray(v) ? v : [v]))
  .pipe(
    z
      .array(z.string().regex(/^\d+:[a-z0-9-]+:[A-Za-z]+:\d+$/, "Not a server pair."))
      .max(5000, "At most 5,000 pairs at once.")
      .transform((list) => list.map((r): PairRef => { const [serverId, backend, model, objectId] = r.split(":"); return { serverId: Number(serverId), backend, model, objectId }; })),
  );

const back = z.string().regex(/^\/[A-Za-z0-9/_?=&.%-]*$/).max(500).default("/convergence");

/** Brings the chosen pairs to their desired state (saves), and removes the chosen leftovers, in one unit of work. */
export const convergeChosen = directAction({ role: "operator", schema: z.object({ pairs: refs, leftovers: refs, back }) }, async ({ pairs, leftovers, back }, { user }) => {
  if (pairs.length + leftovers.length === 0) throw new UserError("Choose at least one pair.");
  const { reports, skipped } = await convergePairs(engine, { pairs, leftovers }, user.id);
  revalidatePath("/convergence");
  const runs = runSummaries(reports);
  const what = [pairs.length && `re-applied ${pairs.length} pair(s)`, leftovers.length && `removed ${leftovers.length} leftover(s)`].filter(Boolean).join(", ");
  return { message: `${what[0].toUpperCase()}${what.slice(1)}.${skipped ? ` ${skipped} skipped (gone meanwhile).` : ""}`, runs, redirectTo: back };
});

const scope = z.object({
  server: z.coerce.number().int().positive().optional().or(z.literal("").transform(() => undefined)),
  model: z.string().regex(/^[A-Za-z]+$/).optional().or(z.literal("").transform(() => undefined)),
  object: z.string().regex(/^\d+$/).optional().or(z.literal("").transform(() => undefined)),
  back,
});

/** Runs the read-only drift check of the pairs in scope (one script per server and backend). */
export const checkNow = directAction({ role: "operator", schema: scope }, async ({ server, model, object, back }, { user }) => {
  const result = await checkDrift(engine, { serverId: server, model, objectIds: object ? [object] : undefined }, user.id);
  revalidatePath("/convergence");
  const failed = result.logs.filter((l) => l.state !== "SUCCESS");
  return {
    message: `Drift check: ${result.checked} pair(s) checked, ${result.drifted.length} drifted${result.skipped ? `, ${result.skipped} not checked (pending, failed or never applied)` : ""}${failed.length ? `; ${failed.length} check(s) did not run to the end` : ""}.`,
    runs: result.logs.map((l) => ({ logId: l.logId, server: l.server, backend: l.backend, state: l.state, operations: ["drift check"] })),
    notices: result.drifted.slice(0, 20).map((d) => `${d.label} on ${d.server} (${d.backend}) ${d.difference}`),
    redirectTo: back,
  };
});
