// Prisma CLI configuration. DATABASE_URL picks the database: a postgresql:// URL selects the PostgreSQL
// schema and its migrations; anything else (or nothing) is the embedded SQLite file.
import { defineConfig } from "prisma/config";
import { PrismaBetterSQLite3 } from "@prisma/adapter-better-sqlite3";
import { PrismaPg } from "@prisma/adapter-pg";
import { databaseUrl, isPostgres, sqliteFile } from "./lib/database-url";

const url = databaseUrl();

export default defineConfig({
  experimental: { adapter: true },
  engine: "js",
  schema: isPostgres(url) ? "prisma/postgres/schema.prisma" : "prisma/schema.prisma",
  async adapter() {
    return isPostgres(url) ? new PrismaPg({ connectionString: url }) : new PrismaBetterSQLite3({ url: `file:${sqliteFile(url)}` });
  },
});
