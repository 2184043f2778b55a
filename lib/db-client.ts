// Builds a Prisma client for DATABASE_URL: SQLite (better-sqlite3) by default, PostgreSQL (pg) for a
// postgresql:// URL. Both generated clients come from one data model (prisma/schema.prisma), so the
// SQLite client's type describes both. Used by the app (lib/db.ts), the CLI and tests.
import { PrismaPg } from "@prisma/adapter-pg";
import { PrismaClient as SqliteClient } from "../generated/sqlite/client";
import { PrismaClient as PostgresClient } from "../generated/postgres/client";
import { databaseUrl, isPostgres, sqliteFile } from "./database-url";
import { SerializedSQLite } from "./sqlite-adapter";

export type Db = SqliteClient;

export function createDb(url: string = databaseUrl()): Db {
  if (isPostgres(url)) {
    return new PostgresClient({ adapter: new PrismaPg({ connectionString: url }) }) as unknown as Db;
  }
  return new SqliteClient({
    // Wait for a busy writer (app, CLI and worker share the file) instead of failing at once.
    adapter: new SerializedSQLite({ url: `file:${sqliteFile(url)}`, timeout: 15_000 }),
  });
}

export function dbKind(url: string = databaseUrl()): "postgresql" | "sqlite" {
  return isPostgres(url) ? "postgresql" : "sqlite";
}
