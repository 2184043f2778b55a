import "server-only";
import { z } from "zod";

// Validated once, at first import. Secrets are read here and nowhere else in the app.
const schema = z.object({
  DATABASE_URL: z.string().optional(),
  AUTH_SECRET: z.string().min(16, "AUTH_SECRET must be at least 16 characters").optional(),
  ORCHESTRA_SSH_KEY: z.string().optional(),
  ORCHESTRA_SSH_CONNECT_TIMEOUT_MS: z.coerce.number().int().positive().default(10_000),
  ORCHESTRA_SCRIPT_TIMEOUT_MS: z.coerce.number().int().positive().default(300_000),
  NODE_ENV: z.enum(["development", "production", "test"]).default("development"),
});

export const env = schema.parse(process.env);
