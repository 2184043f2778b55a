// Applies the committed migrations (prisma/migrations for SQLite, prisma/postgres/migrations for
// PostgreSQL) in name order, each in its own transaction, recording them in `_orchestra_migrations`.
// Why not `prisma migrate deploy`: with @prisma/adapter-pg it fails on PostgreSQL's `name` columns
// (prisma/orm#27403), and one runner for both databases keeps them in step. The SQL files are still
// the ones Prisma generates (scripts/new-migration.mjs).
import { createHash } from "node:crypto";
import { readFileSync, readdirSync, existsSync } from "node:fs";
import path from "node:path";
import Database from "better-sqlite3";
import pg from "pg";
import { isPostgres, sqliteFile } from "./database-url";

type Migration = { name: string; sql: string; checksum: string };

function migrationsIn(dir: string): Migration[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { withFileTypes: true })
    .filter((d) => d.isDirectory() && existsSync(path.join(dir, d.name, "migration.sql")))
    .map((d) => d.name)
    .sort()
    .map((name) => {
      const sql = readFileSync(path.join(dir, name, "migration.sql"), "utf8");
      return { name, sql, checksum: createHash("sha256").update(sql).digest("hex") };
    });
}

const TABLE = `CREATE TABLE IF NOT EXISTS "_orchestra_migrations" ("name" TEXT PRIMARY KEY, "checksum" TEXT NOT NULL, "appliedAt" TEXT NOT NULL)`;

/** Returns the names of the migrations it applied. Refuses if an applied migration was edited. */
export async function migrate(url: string, root = process.cwd()): Promise<string[]> {
  const postgres = isPostgres(url);
  const all = migrationsIn(path.join(/* turbopackIgnore: true */ root, postgres ? "prisma/postgres/migrations" : "prisma/migrations"));
  const applied: string[] = [];
  const check = (done: Map<string, string>) => {
    for (const m of all) {
      const sum = done.get(m.name);
      if (sum && sum !== m.checksum) throw new Error(`migration ${m.name} was changed after it was applied`);
    }
    return all.filter((m) => !done.has(m.name));
  };

  if (postgres) {
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    try {
      // One migrator at a time across processes, taken before anything else: two concurrent
      // `CREATE TABLE IF NOT EXISTS` of the same table can fail on PostgreSQL's catalog (pg_type).
      await client.query("SELECT pg_advisory_lock(727274)");
      await client.query(TABLE);
      const rows = (await client.query(`SELECT name, checksum FROM "_orchestra_migrations"`)).rows;
      for (const m of check(new Map(rows.map((r) => [r.name, r.checksum])))) {
        await client.query("BEGIN");
        try {
          await client.query(m.sql);
          await client.query(`INSERT INTO "_orchestra_migrations" VALUES ($1, $2, $3)`, [m.name, m.checksum, new Date().toISOString()]);
          await client.query("COMMIT");
        } catch (error) {
          await client.query("ROLLBACK");
          throw new Error(`migration ${m.name} failed: ${(error as Error).message}`);
        }
        applied.push(m.name);
      }
    } finally {
      await client.end();
    }
    return applied;
  }

  const sqlite = new Database(sqliteFile(url), { timeout: 15_000 });
  try {
    sqlite.pragma("journal_mode = WAL");
    sqlite.exec(TABLE);
    const rows = sqlite.prepare(`SELECT name, checksum FROM "_orchestra_migrations"`).all() as { name: string; checksum: string }[];
    for (const m of check(new Map(rows.map((r) => [r.name, r.checksum])))) {
      // Another process may have applied it since the list was read: each migration is checked again
      // under the write lock (BEGIN IMMEDIATE) it is applied under, so it runs exactly once.
      const ran = sqlite.transaction(() => {
        if (sqlite.prepare(`SELECT 1 FROM "_orchestra_migrations" WHERE name = ?`).get(m.name)) return false;
        sqlite.exec(m.sql);
        sqlite.prepare(`INSERT INTO "_orchestra_migrations" VALUES (?, ?, ?)`).run(m.name, m.checksum, new Date().toISOString());
        return true;
      }).immediate();
      if (ran) applied.push(m.name);
    }
  } finally {
    sqlite.close();
  }
  return applied;
}

/** The names of the committed migrations for this kind of database, in order. */
export function committedMigrations(url: string, root = process.cwd()): string[] {
  return migrationsIn(path.join(/* turbopackIgnore: true */ root, isPostgres(url) ? "prisma/postgres/migrations" : "prisma/migrations")).map((m) => m.name);
}

/** Committed migrations not applied to the database yet (all of them when it was never migrated). */
export async function pendingMigrations(url: string, root = process.cwd()): Promise<string[]> {
  const postgres = isPostgres(url);
  const all = migrationsIn(path.join(/* turbopackIgnore: true */ root, postgres ? "prisma/postgres/migrations" : "prisma/migrations"));
  let done: string[];
  if (postgres) {
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    try {
      const exists = (await client.query(`SELECT to_regclass('"_orchestra_migrations"') AS t`)).rows[0].t;
      done = exists ? (await client.query(`SELECT name FROM "_orchestra_migrations"`)).rows.map((r) => r.name) : [];
    } finally {
      await client.end();
    }
  } else {
    const sqlite = new Database(sqliteFile(url), { timeout: 15_000 });
    try {
      const exists = sqlite.prepare(`SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = '_orchestra_migrations'`).get();
      done = exists ? (sqlite.prepare(`SELECT name FROM "_orchestra_migrations"`).all() as { name: string }[]).map((r) => r.name) : [];
    } finally {
      sqlite.close();
    }
  }
  const applied = new Set(done);
  return all.filter((m) => !applied.has(m.name)).map((m) => m.name);
}
