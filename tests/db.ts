import { inject } from "vitest";
import { createDb, type Db } from "../lib/db-client";
import { wipeDatabase } from "./support/wipe";

let shared: Db | undefined;

/** The run's test database (see global-setup.ts). */
export function testDb(): Db {
  shared ??= createDb(inject("databaseUrl"));
  return shared;
}

/** Empties every table. */
export async function resetDb(db: Db = testDb()) {
  await wipeDatabase(db);
}
