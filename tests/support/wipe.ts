import type { Db } from "../../lib/db-client";
import { delegateName } from "../../lib/orchestration/snapshot";
import { serviceModelsChildrenFirst } from "../../lib/services";

/** Empties every table, children first (unit tests between cases, e2e at the start of a run). */
export async function wipeDatabase(db: Db) {
  await db.scriptLogOperation.deleteMany();
  await db.scriptLog.deleteMany();
  await db.operation.deleteMany();
  await db.notificationDelivery.deleteMany();
  await db.notification.deleteMany();
  await db.notificationChannel.deleteMany();
  await db.scheduleRun.deleteMany();
  await db.schedule.deleteMany();
  await db.resourceData.deleteMany();
  await db.resourceLimit.deleteMany();
  await db.route.deleteMany();
  await db.lane.deleteMany();
  await db.auditLog.deleteMany();
  await db.setting.deleteMany();
  await db.server.deleteMany();
  // every service's rows, related rows first (derived from the service declarations)
  for (const model of serviceModelsChildrenFirst()) await (db as unknown as Record<string, { deleteMany(): Promise<unknown> }>)[delegateName(model)].deleteMany();
  await db.signInFailure.deleteMany();
  await db.user.deleteMany();
}
