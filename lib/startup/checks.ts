// What a web node or a worker checks before it starts, so that a wrong setup fails loudly at once
// instead of quietly later: migrations not applied, no AUTH_SECRET or another one than the database has
// seen (sessions from other nodes would be refused without a word), no readable SSH key.
// Framework-free: bin/worker.ts and instrumentation.ts call it, tests call it against real databases.
import { createHmac } from "node:crypto";
import { accessSync, constants } from "node:fs";
import type { Db } from "../db-client";
import { pendingMigrations } from "../migrate";

export const AUTH_FINGERPRINT_KEY = "auth.secret-fingerprint";

/** A value that identifies the secret without revealing it: HMAC-SHA256 of a constant, keyed by it. */
export function secretFingerprint(secret: string): string {
  return createHmac("sha256", secret).update("orchestra: AUTH_SECRET fingerprint v1").digest("hex");
}

export type CheckInput = {
  db: Db;
  url: string;
  authSecret: string | undefined;
  /** ORCHESTRA_ACCEPT_NEW_AUTH_SECRET: record this secret as the database's one (deliberate rotation). */
  acceptNewSecret: boolean;
  sshKey: string;
  /** The web node needs AUTH_SECRET; a worker does not sign sessions, but still checks it when set. */
  role: "web" | "worker";
  root?: string;
};

export type CheckResult = { errors: string[]; warnings: string[]; notes: string[] };

export async function startupChecks(input: CheckInput): Promise<CheckResult> {
  const result: CheckResult = { errors: [], warnings: [], notes: [] };
  let pending: string[];
  try {
    pending = await pendingMigrations(input.url, input.root);
  } catch (error) {
    result.errors.push(`the database cannot be reached (${(error as Error).message.split("\n")[0]}): check DATABASE_URL and that the database server is running`);
    return result;
  }
  if (pending.length) {
    result.errors.push(`the database is not migrated: ${pending.length} migration(s) pending (${pending.join(", ")}). Run \`npm run db:deploy\` once for this release, then start again`);
    return result; // the other checks need the tables
  }
  await checkAuthSecret(input, result);
  checkSshKey(input.sshKey, result);
  return result;
}

async function checkAuthSecret(input: CheckInput, result: CheckResult) {
  const secret = input.authSecret;
  if (!secret) {
    if (input.role === "web") result.errors.push("AUTH_SECRET is not set: every web node needs the same AUTH_SECRET (e.g. `openssl rand -base64 32`, in the environment file of every node)");
    return;
  }
  const fingerprint = secretFingerprint(secret);
  const row = await input.db.setting.findUnique({ where: { key: AUTH_FINGERPRINT_KEY } });
  const known = (row?.value as { fingerprint?: string } | null)?.fingerprint;
  const record = (value: { fingerprint: string; recordedAt: string }) =>
    input.db.setting.upsert({ where: { key: AUTH_FINGERPRINT_KEY }, create: { key: AUTH_FINGERPRINT_KEY, value }, update: { value } });
  if (!known) {
    await record({ fingerprint, recordedAt: new Date().toISOString() });
    result.notes.push("AUTH_SECRET recorded (its fingerprint) as this database's secret");
    return;
  }
  if (known === fingerprint) return;
  if (input.acceptNewSecret) {
    await record({ fingerprint, recordedAt: new Date().toISOString() });
    result.warnings.push("AUTH_SECRET changed and was accepted (ORCHESTRA_ACCEPT_NEW_AUTH_SECRET): existing sessions are signed out; give every node the new secret and remove the flag");
    return;
  }
  result.errors.push(
    "AUTH_SECRET differs from the one this database has seen: every web node must use the same AUTH_SECRET, or a session from one node is refused by another. " +
      "Copy the secret the other nodes use; to rotate it on purpose, start one node once with ORCHESTRA_ACCEPT_NEW_AUTH_SECRET=1 and the new secret, then give it to every node (everyone signs in again)",
  );
}

function checkSshKey(file: string, result: CheckResult) {
  try {
    accessSync(file, constants.R_OK);
  } catch (error) {
    const why = (error as NodeJS.ErrnoException).code === "ENOENT" ? "does not exist" : "cannot be read by this user";
    result.warnings.push(`the SSH key ${file} ${why}: runs on servers will fail. Set ORCHESTRA_SSH_KEY to the private key every node and worker shares`);
  }
}

/** Prints the result; throws when the process must not start. */
export function reportStartup(who: string, result: CheckResult, log: Pick<Console, "error" | "warn" | "log"> = console): void {
  for (const note of result.notes) log.log(`[${who}] ${note}`);
  for (const warning of result.warnings) log.warn(`[${who}] WARNING: ${warning}`);
  if (result.errors.length === 0) return;
  for (const error of result.errors) log.error(`[${who}] REFUSING TO START: ${error}`);
  throw new StartupRefused(result.errors);
}

export class StartupRefused extends Error {
  constructor(readonly reasons: string[]) {
    super(reasons.join("; "));
    this.name = "StartupRefused";
  }
}
