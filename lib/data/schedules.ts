import "server-only";
import type { TxDb } from "../orchestration/unit-of-work";
import { engine } from "../orchestra";
import { nextOccurrences } from "../orchestration/schedules/cron";
import { retentionParams, scheduleKinds, scopeParams } from "../orchestration/schedules/kinds";
import { renewParams } from "../orchestration/schedules/renew-certificates";

/** The next occurrences of a schedule, or none when its expression cannot be read (it was edited in the database). */
export function upcoming(schedule: { cron: string; timeZone: string; active: boolean }, count = 3): Date[] {
  if (!schedule.active) return [];
  try {
    return nextOccurrences(schedule.cron, schedule.timeZone, count);
  } catch {
    return [];
  }
}

export async function fetchSchedules(db: TxDb) {
  const rows = await db.schedule.findMany({ orderBy: { name: "asc" } });
  return rows.map((s) => ({ ...s, params: paramsOf(s.kind, s.params) }));
}

export async function fetchSchedule(db: TxDb, id: number) {
  const row = await db.schedule.findUnique({ where: { id } });
  return row && { ...row, params: paramsOf(row.kind, row.params), upcoming: upcoming(row) };
}

export async function fetchScheduleRuns(db: TxDb, scheduleId: number, take = 20) {
  const runs = await db.scheduleRun.findMany({ where: { scheduleId }, orderBy: { id: "desc" }, take });
  const ids = [...new Set(runs.map((r) => r.createdById).filter((id): id is number => id !== null))];
  const users = ids.length ? await db.user.findMany({ where: { id: { in: ids } }, select: { id: true, email: true } }) : [];
  return runs.map((r) => ({ ...r, by: r.trigger === "manual" ? (users.find((u) => u.id === r.createdById)?.email ?? "someone") : "the schedule" }));
}

/** What the form offers: kinds, servers (not archived) and backends. */
export async function scheduleChoices(db: TxDb) {
  const servers = await db.server.findMany({ where: { archivedAt: null }, select: { name: true }, orderBy: { name: "asc" } });
  return {
    kinds: [...scheduleKinds()],
    servers: servers.map((s) => s.name),
    backends: engine.registry.all().map((b) => ({ name: b.name, sync: b.kind === "sync", checks: Boolean(b.check || b.checkAll), monitors: Object.keys(b.monitors ?? {}).length > 0 })),
  };
}

/** Stored params as the form shows them (defaults filled in; unreadable params as the defaults). */
export type ScheduleParams = { server?: string; backend?: string; maxAgeDays?: number; truncateAfterDays?: number; truncateChars?: number; withinDays?: number };
function paramsOf(kind: string, value: unknown): ScheduleParams {
  const schema = kind === "retention" ? retentionParams : kind === "renew-certificates" ? renewParams : scopeParams;
  const parsed = schema.safeParse(value ?? {});
  return parsed.success ? parsed.data : schema.parse({});
}

/** Time zones the form suggests (any IANA name is accepted). */
export function timeZoneChoices(): string[] {
  return ["UTC", ...Intl.supportedValuesOf("timeZone").filter((z) => z !== "UTC")];
}
