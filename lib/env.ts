import { homedir } from "node:os";
import path from "node:path";
import { z } from "zod";
import { parseProxyList } from "./client-address";

// The engine's settings from the environment, validated in one place (app, CLI and worker alike).
// AUTH_SECRET is read by next-auth itself; DATABASE_URL by lib/database-url.ts.
const schema = z.object({
  ORCHESTRA_SSH_KEY: z.string().optional(),
  ORCHESTRA_SSH_CONNECT_TIMEOUT_MS: z.coerce.number().int().positive().default(10_000),
  ORCHESTRA_SCRIPT_TIMEOUT_MS: z.coerce.number().int().positive().default(300_000),
  ORCHESTRA_LEASE_MS: z.coerce.number().int().min(1000).default(30_000),
  ORCHESTRA_POLL_MS: z.coerce.number().int().min(10).default(1000),
  ORCHESTRA_WORKER_CONCURRENCY: z.coerce.number().int().min(1).max(256).default(16),
  ORCHESTRA_LANE_WAIT_MS: z.coerce.number().int().min(0).default(5000),
  ORCHESTRA_SCRIPT_MAX_OPERATIONS: z.coerce.number().int().min(1).default(200),
  ORCHESTRA_WEBHOOK_URL: z.string().url().optional(),
  // Proxies (addresses or CIDR ranges) whose X-Forwarded-For is believed; none by default, so the
  // client address is the socket's peer and a forged header changes nothing.
  ORCHESTRA_TRUSTED_PROXIES: z
    .string()
    .optional()
    .transform((value, ctx) => {
      try {
        return parseProxyList(value);
      } catch (error) {
        ctx.addIssue({ code: "custom", message: (error as Error).message });
        return z.NEVER;
      }
    }),
});

export type OrchestraEnv = z.infer<typeof schema> & { sshKeyPath: string };

export function loadEnv(env: NodeJS.ProcessEnv = process.env): OrchestraEnv {
  const parsed = schema.safeParse(Object.fromEntries(Object.entries(env).filter(([, v]) => v !== "")));
  if (!parsed.success) {
    throw new Error(`invalid environment: ${parsed.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; ")}`);
  }
  return { ...parsed.data, sshKeyPath: parsed.data.ORCHESTRA_SSH_KEY || path.join(homedir(), ".ssh", "id_ed25519") };
}
