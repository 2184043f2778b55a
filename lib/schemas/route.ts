import { z } from "zod";
import { CEL_LIMITS } from "../orchestration/cel-bounds";
import { validateMatch } from "../orchestration/router";
import { MODEL_SAMPLES, servicesRegistry } from "../services";
import { checkbox } from "./common";

// the engine's registry (one per process), so a route names exactly the backends that can run
const registry = servicesRegistry();

/** Why a match expression cannot be saved for a backend (unknown backend, or the CEL check), or null. */
export function matchError(backend: string, match: string): { field: "backend" | "match"; message: string } | null {
  if (!registry.has(backend)) return { field: "backend", message: "Choose a backend." };
  const model = registry.get(backend).model;
  const error = validateMatch(match || "true", MODEL_SAMPLES[model] ?? {}, model);
  return error ? { field: "match", message: error } : null;
}

export const routeSchema = z
  .object({
    backend: z.string().refine((name) => registry.has(name), "Choose a backend."),
    serverId: z.coerce.number({ message: "Choose a server." }).int().positive("Choose a server."),
    match: z.string().trim().max(CEL_LIMITS.maxLength, `At most ${CEL_LIMITS.maxLength} characters.`).default("true"),
    async: checkbox,
    asyncActions: z
      .union([z.string(), z.array(z.string())])
      .optional()
      .transform((v) => (v === undefined ? [] : Array.isArray(v) ? v : [v]))
      .pipe(z.array(z.enum(["save", "delete"]))),
    active: checkbox,
  })
  .superRefine((route, ctx) => {
    const error = matchError(route.backend, route.match);
    if (error?.field === "match") ctx.addIssue({ code: "custom", path: ["match"], message: error.message });
  });

export const routeUpdateSchema = routeSchema.and(z.object({ id: z.coerce.number().int().positive() }));
