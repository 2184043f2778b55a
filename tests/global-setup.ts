// Prepares the unit-test database once per run: SQLite by default (a file under .tmp/), or the
// PostgreSQL of TEST_DATABASE_URL (scripts/test.sh starts a private cluster for it). Only loopback
// databases are accepted: these tests wipe what they use.
import { execFileSync } from "node:child_process";
import { rmSync } from "node:fs";
import path from "node:path";
import type { TestProject } from "vitest/node";
import pg from "pg";
import { isPostgres } from "../lib/database-url";

export default async function setup(project: TestProject) {
  const url = process.env.TEST_DATABASE_URL || `file:${path.resolve(".tmp/unit.db")}`;
  if (isPostgres(url)) {
    const host = new URL(url).hostname;
    if (!["127.0.0.1", "localhost", "::1"].includes(host)) throw new Error(`refusing to wipe non-local database ${host}`);
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    await client.query("DROP SCHEMA IF EXISTS public CASCADE; CREATE SCHEMA public;");
    await client.end();
  } else {
    const file = url.replace(/^file:/, "");
    for (const suffix of ["", "-wal", "-shm", "-journal"]) rmSync(file + suffix, { force: true });
  }
  execFileSync("npx", ["tsx", "scripts/db-setup.ts"], { env: { ...process.env, DATABASE_URL: url }, stdio: "inherit" });
  project.provide("databaseUrl", url);
}

declare module "vitest" {
  export interface ProvidedContext {
    databaseUrl: string;
  }
}
