import { z } from "zod";
import { validateMatch } from "../orchestration/router";
import { createRegistry, MODEL_SAMPLES } from "../services/registry";
import { checkbox } from "./common";

const registry = createRegistry();

export const routeSchema = z
  .object({
    backend: z.string().refine((name) => registry.has(name), "Choose a backend."),
    serverId: z.coerce.number({ message: "Choose a server." }).int().positive("Choose a server."),
    match: z.string().trim().max(2000).default("true"),
    async: checkbox,
    asyncActions: z
      .union([z.string(), z.array(z.string())])
      .optional()
      .transform((v) => (v === undefined ? [] : Array.isArray(v) ? v : [v]))
      .pipe(z.array(z.enum(["save", "delete"]))),
    active: checkbox,
  })
  .superRefine((route, ctx) => {
    if (!registry.has(route.backend)) return;
    const model = registry.get(route.backend).model;
    const error = validateMatch(route.match || "true", MODEL_SAMPLES[model] ?? {});
    if (error) ctx.addIssue({ code: "custom", path: ["match"], message: error });
  });

export const routeUpdateSchema = routeSchema.and(z.object({ id: z.coerce.number().int().positive() }));
