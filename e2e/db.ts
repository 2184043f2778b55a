// Direct access to the e2e database, to assert on real state rather than on what a page says.
import { createDb, type Db } from "../lib/db-client";
import { E2E_DATABASE_URL } from "../playwright.config";

let db: Db | undefined;
export function e2eDb(): Db {
  db ??= createDb(E2E_DATABASE_URL);
  return db;
}
