// Everything Orchestra reads from the environment, validated in one place: the app, the CLI and the
// worker read it only through here. An empty variable counts as unset. Edge-safe (zod and no node:
// module), because proxy.ts imports it. AUTH_SECRET is also read by next-auth itself.
import { z } from "zod";
import { parseProxyList } from "./proxy-list";

type Source = Record<string, string | undefined>;

// The engine's and sign-in's settings, validated together: one mistake stops the app, CLI or worker at
// start, with every invalid variable named.
const settingsSchema = z.object({
  ORCHESTRA_SSH_KEY: z.string().optional(),
  ORCHESTRA_SSH_CONNECT_TIMEOUT_MS: z.coerce.number().int().positive().default(10_000),
  ORCHESTRA_SCRIPT_TIMEOUT_MS: z.coerce.number().int().positive().default(300_000),
  ORCHESTRA_LEASE_MS: z.coerce.number().int().min(1000).default(30_000),
  ORCHESTRA_POLL_MS: z.coerce.number().int().min(10).default(1000),
  ORCHESTRA_WORKER_CONCURRENCY: z.coerce.number().int().min(1).max(256).default(16),
  ORCHESTRA_LANE_WAIT_MS: z.coerce.number().int().min(0).default(5000),
  ORCHESTRA_SCRIPT_MAX_OPERATIONS: z.coerce.number().int().min(1).default(200),
  ORCHESTRA_WEBHOOK_URL: z.string().url().optional(),
  // Orchestra's address as servers' agents reach it (registry backends); default: the admin's own.
  ORCHESTRA_AGENT_URL: z.string().url().optional(),
  // On SIGTERM a worker stops claiming and lets running scripts finish for this long; what is still
  // running then is left to its lease (recovery reads the run marker on the server).
  ORCHESTRA_SHUTDOWN_GRACE_MS: z.coerce.number().int().min(0).default(30_000),
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

export type OrchestraEnv = z.infer<typeof settingsSchema>;

export function loadEnv(env: Source = process.env): OrchestraEnv {
  const parsed = settingsSchema.safeParse(present(env));
  if (!parsed.success) throw invalid(parsed.error.issues);
  return parsed.data;
}

// Variables read one at a time, where each is needed: a process checks only what it uses (the proxy
// does not fail on a worker setting).
const variables = {
  AUTH_SECRET: z.string().optional(),
  DATABASE_URL: z.string().trim().optional(),
  ORCHESTRA_WORKER: z.string().optional(),
  ORCHESTRA_WORKER_CRASH_AT: z.enum(["after-claim", "after-run"]).optional(),
  ORCHESTRA_ADMIN_EMAIL: z.string().default("admin@example.com"),
  ORCHESTRA_ADMIN_PASSWORD: z.string().optional(),
  PORT: z.coerce.number().int().min(1).max(65_535).default(3000),
  ORCHESTRA_ACCEPT_NEW_AUTH_SECRET: z.enum(["1", "true"]).optional(),
  NEXT_MANUAL_SIG_HANDLE: z.string().optional(),
};

type Name = keyof typeof variables;

function read<N extends Name>(name: N, env: Source): z.infer<(typeof variables)[N]> {
  const parsed = variables[name].safeParse(env[name] === "" ? undefined : env[name]);
  if (!parsed.success) throw invalid(parsed.error.issues.map((issue) => ({ ...issue, path: [name] })));
  return parsed.data as z.infer<(typeof variables)[N]>;
}

/** The secret session cookies are signed with (proxy.ts checks them with it). */
export const authSecret = (env: Source = process.env) => read("AUTH_SECRET", env);

/** DATABASE_URL; unset, the embedded SQLite file (see database-url.ts). */
export const databaseUrlSetting = (env: Source = process.env) => read("DATABASE_URL", env) || undefined;

/** The Next.js server runs a worker in-process unless ORCHESTRA_WORKER=off (workers run elsewhere). */
export const inlineWorkerEnabled = (env: Source = process.env) => read("ORCHESTRA_WORKER", env) !== "off";

/** Set once to make a new AUTH_SECRET the one this database knows (deliberate rotation). */
export const acceptNewAuthSecret = (env: Source = process.env) => read("ORCHESTRA_ACCEPT_NEW_AUTH_SECRET", env) !== undefined;

/** Next.js leaves SIGTERM/SIGINT to the app (the in-process worker then stops gracefully and exits). */
export const manualSignalHandling = (env: Source = process.env) => read("NEXT_MANUAL_SIG_HANDLE", env) !== undefined;

/** Test hook: the worker process dies at this point of a run (crash-recovery tests). */
export const workerCrashAt = (env: Source = process.env) => read("ORCHESTRA_WORKER_CRASH_AT", env);

/** The account `create-admin` makes when none is given on the command line. */
export const adminDefaults = (env: Source = process.env) => ({ email: read("ORCHESTRA_ADMIN_EMAIL", env), password: read("ORCHESTRA_ADMIN_PASSWORD", env) });

/** The port `npm start` serves on (scripts/up.sh passes it to next start). */
export const appPort = (env: Source = process.env) => read("PORT", env);

function present(env: Source): Source {
  return Object.fromEntries(Object.entries(env).filter(([, v]) => v !== ""));
}

function invalid(issues: ReadonlyArray<{ path: PropertyKey[]; message: string }>): Error {
  return new Error(`invalid environment: ${issues.map((i) => `${i.path.map(String).join(".")}: ${i.message}`).join("; ")}`);
}
