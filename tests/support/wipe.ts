import type { Db } from "../../lib/db-client";

/** Empties every table, children first (unit tests between cases, e2e at the start of a run). */
export async function wipeDatabase(db: Db) {
  await db.scriptLogOperation.deleteMany();
  await db.scriptLog.deleteMany();
  await db.operation.deleteMany();
  await db.notification.deleteMany();
  await db.route.deleteMany();
  await db.lane.deleteMany();
  await db.auditLog.deleteMany();
  await db.setting.deleteMany();
  await db.server.deleteMany();
  await db.systemUser.deleteMany();
  await db.websiteDomain.deleteMany();
  await db.website.deleteMany();
  await db.signInFailure.deleteMany();
  await db.user.deleteMany();
}
