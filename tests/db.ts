import { inject } from "vitest";
import { createDb, type Db } from "../lib/db-client";

let shared: Db | undefined;

/** The run's test database (see global-setup.ts). */
export function testDb(): Db {
  shared ??= createDb(inject("databaseUrl"));
  return shared;
}

/** Empties every table, children first. */
export async function resetDb(db: Db = testDb()) {
  await db.scriptLogOperation.deleteMany();
  await db.scriptLog.deleteMany();
  await db.operation.deleteMany();
  await db.route.deleteMany();
  await db.server.deleteMany();
  await db.systemUser.deleteMany();
  await db.websiteDomain.deleteMany();
  await db.website.deleteMany();
  await db.signInFailure.deleteMany();
  await db.notification.deleteMany();
  await db.user.deleteMany();
}
