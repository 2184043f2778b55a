// One data model, two databases. prisma/schema.prisma (SQLite) is the source; this script derives
// prisma/postgres/schema.prisma from it and runs a Prisma CLI command for both.
//   node scripts/prisma-all.mjs generate      → generated/sqlite and generated/postgres clients
//   node scripts/prisma-all.mjs derive        → only write the PostgreSQL schema
import { execFileSync } from "node:child_process";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";

export const SQLITE_SCHEMA = "prisma/schema.prisma";
export const PG_SCHEMA = "prisma/postgres/schema.prisma";

export function toPostgres(text) {
  const out = text
    .replace('provider = "sqlite"', 'provider = "postgresql"')
    .replace('url      = "file:../data/orchestra.db"', 'url      = "postgresql://localhost/orchestra"')
    .replace('output     = "../generated/sqlite"', 'output     = "../../generated/postgres"');
  if (out === text || !out.includes("generated/postgres")) throw new Error("schema header not recognised");
  return "// GENERATED from prisma/schema.prisma by scripts/prisma-all.mjs — edit that file instead.\n" + out;
}

export function derive() {
  mkdirSync("prisma/postgres", { recursive: true });
  writeFileSync(PG_SCHEMA, toPostgres(readFileSync(SQLITE_SCHEMA, "utf8")));
}

const prismaBin = "node_modules/.bin/prisma";

if (import.meta.url === `file://${process.argv[1]}`) {
  const command = process.argv[2];
  derive();
  if (command === "generate") {
    for (const schema of [SQLITE_SCHEMA, PG_SCHEMA]) {
      execFileSync(prismaBin, ["generate", "--schema", schema], { stdio: ["ignore", "ignore", "inherit"] });
    }
    console.log("prisma clients generated: generated/sqlite, generated/postgres");
  } else if (command !== "derive") {
    console.error("usage: prisma-all.mjs generate|derive");
    process.exit(2);
  }
}
