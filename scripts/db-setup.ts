// Brings the database of DATABASE_URL up to date: applies committed migrations, and on SQLite turns on
// WAL so the web app, the CLI and the worker can read while one of them writes.
import { execFileSync } from "node:child_process";
import { createDb, dbKind } from "../lib/db-client";

execFileSync("node_modules/.bin/prisma", ["migrate", "deploy"], { stdio: ["ignore", "ignore", "inherit"] });
async function main() {
  if (dbKind() === "sqlite") {
    const db = createDb();
    await db.$queryRawUnsafe("PRAGMA journal_mode=WAL");
    await db.$disconnect();
  }
  console.log(`database ready (${dbKind()})`);
}
void main();
