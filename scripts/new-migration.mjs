// Creates a migration for both databases without a shadow database (`prisma migrate dev` needs one and
// cannot run offline): diff the schema as last migrated (kept beside the migrations) against the current
// schema, for SQLite and PostgreSQL alike.   npm run db:migration -- add_websites
import { execFileSync } from "node:child_process";
import { copyFileSync, existsSync, mkdirSync, writeFileSync, readFileSync } from "node:fs";
import { derive, toPostgres, SQLITE_SCHEMA, PG_SCHEMA } from "./prisma-all.mjs";

const name = (process.argv[2] ?? "").replace(/[^a-z0-9_]/gi, "_");
if (!name) {
  console.error("usage: npm run db:migration -- <name>");
  process.exit(2);
}
derive();
const stamp = new Date().toISOString().replace(/\D/g, "").slice(0, 14);
const SNAPSHOT = "prisma/migrations/schema.migrated.prisma";
const targets = [
  { schema: SQLITE_SCHEMA, dir: "prisma/migrations", provider: "sqlite", snapshot: SNAPSHOT },
  { schema: PG_SCHEMA, dir: "prisma/postgres/migrations", provider: "postgresql", snapshot: "prisma/postgres/.from.prisma" },
];
if (existsSync(SNAPSHOT)) writeFileSync(targets[1].snapshot, toPostgres(readFileSync(SNAPSHOT, "utf8")));

let wrote = 0;
for (const t of targets) {
  const from = existsSync(t.snapshot) ? ["--from-schema-datamodel", t.snapshot] : ["--from-empty"];
  let sql = execFileSync(
    "node_modules/.bin/prisma",
    ["migrate", "diff", ...from, "--to-schema-datamodel", t.schema, "--script"],
    { encoding: "utf8", stdio: ["ignore", "pipe", "inherit"] },
  );
  // Prisma 6.19 writes SQLite Json defaults unquoted (`DEFAULT {}`), which SQLite rejects.
  if (t.provider === "sqlite") sql = sql.replace(/DEFAULT (\{[^\n]*?\}|\[[^\n]*?\])(,?)$/gm, "DEFAULT '$1'$2");
  if (!/\S/.test(sql.replace(/^--.*$/gm, ""))) {
    console.log(`${t.provider}: no changes`);
    continue;
  }
  mkdirSync(`${t.dir}/${stamp}_${name}`, { recursive: true });
  writeFileSync(`${t.dir}/${stamp}_${name}/migration.sql`, sql);
  writeFileSync(`${t.dir}/migration_lock.toml`, `provider = "${t.provider}"\n`);
  console.log(`${t.provider}: ${t.dir}/${stamp}_${name}/migration.sql`);
  wrote++;
}
if (existsSync("prisma/postgres/.from.prisma")) execFileSync("rm", ["prisma/postgres/.from.prisma"]);
if (wrote) copyFileSync(SQLITE_SCHEMA, SNAPSHOT);
