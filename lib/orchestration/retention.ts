// Retention: history older than an age is deleted, in small transactions (SQLite has one writer: a
// batch holds it for milliseconds, not for the whole cleanup), and old logs keep only the head and tail
// of long output. Never deleted: a running log (RECEIVED/STARTED), an operation that is not final
// (PENDING/RUNNING), the last log and the last operation of each object on each server (per server,
// backend, model, object — what the object pages and the convergence view read), the last drift check
// of each (server, backend), anything an unread notification points to, and AppliedState (what each
// server holds: never touched here). An operation is deleted only with all of its logs, so a log that
// stays keeps the operations it carried.
import type { Engine } from "./engine";

export type RetentionOptions = {
  /** Logs, operations, read notifications and schedule runs older than this are deleted. */
  maxAgeDays: number;
  /** Logs older than this keep at most `truncateChars` characters of each of script, stdout and stderr. */
  truncateAfterDays: number;
  truncateChars: number;
  /** Rows per transaction. */
  batchSize: number;
  /** Pause between batches, so other writers get the database. */
  pauseMs?: number;
};

export const RETENTION_DEFAULTS: RetentionOptions = { maxAgeDays: 30, truncateAfterDays: 7, truncateChars: 64 * 1024, batchSize: 500, pauseMs: 5 };

export type RetentionReport = { logsDeleted: number; operationsDeleted: number; logsTruncated: number; notificationsDeleted: number; scheduleRunsDeleted: number; measurementsDeleted: number };

const RUNNING_LOG = ["RECEIVED", "STARTED"];
const UNFINISHED_OPERATION = ["PENDING", "RUNNING"];
const DAY = 86_400_000;

export async function applyRetention(engine: Engine, options: Partial<RetentionOptions> = {}, now: Date = engine.now()): Promise<RetentionReport> {
  const o = { ...RETENTION_DEFAULTS, ...options };
  const cutoff = new Date(now.getTime() - o.maxAgeDays * DAY);
  const pause = () => new Promise((r) => setTimeout(r, o.pauseMs ?? 0));
  const report: RetentionReport = { logsDeleted: 0, operationsDeleted: 0, logsTruncated: 0, notificationsDeleted: 0, scheduleRunsDeleted: 0, measurementsDeleted: 0 };
  const db = engine.db;

  const keep = await protectedRows(engine);

  // script logs (with their links to operations)
  for await (const ids of batches(o.batchSize, (after, take) =>
    db.scriptLog.findMany({ where: { id: { gt: after }, createdAt: { lt: cutoff }, state: { notIn: RUNNING_LOG } }, select: { id: true }, orderBy: { id: "asc" }, take }),
  )) {
    const doomed = ids.filter((id) => !keep.logs.has(id));
    if (doomed.length) {
      // the conditions again in the writes: a row that changed since it was read stays
      const still = { id: { in: doomed }, createdAt: { lt: cutoff }, state: { notIn: RUNNING_LOG } };
      const [, , deleted] = await db.$transaction([
        db.scriptLog.updateMany({ where: { retryOfId: { in: doomed } }, data: { retryOfId: null } }),
        db.scriptLogOperation.deleteMany({ where: { scriptLog: still } }),
        db.scriptLog.deleteMany({ where: still }),
      ]);
      report.logsDeleted += deleted.count;
      await pause();
    }
  }

  // operations that ended before the cutoff and have no log left
  for await (const ids of batches(o.batchSize, (after, take) =>
    db.operation.findMany({ where: { id: { gt: after }, updatedAt: { lt: cutoff }, state: { notIn: UNFINISHED_OPERATION }, scriptLogs: { none: {} } }, select: { id: true }, orderBy: { id: "asc" }, take }),
  )) {
    const doomed = ids.filter((id) => !keep.operations.has(id));
    if (doomed.length) {
      const { count } = await db.operation.deleteMany({ where: { id: { in: doomed }, updatedAt: { lt: cutoff }, state: { notIn: UNFINISHED_OPERATION }, scriptLogs: { none: {} } } });
      report.operationsDeleted += count;
      await pause();
    }
  }

  report.logsTruncated = await truncateOldOutput(engine, new Date(now.getTime() - o.truncateAfterDays * DAY), o.truncateChars, o.batchSize, pause);

  // read notifications (with their deliveries)
  for await (const ids of batches(o.batchSize, (after, take) =>
    db.notification.findMany({ where: { id: { gt: after }, createdAt: { lt: cutoff }, readAt: { not: null } }, select: { id: true }, orderBy: { id: "asc" }, take }),
  )) {
    const [, deleted] = await db.$transaction([
      db.notificationDelivery.deleteMany({ where: { notificationId: { in: ids } } }),
      db.notification.deleteMany({ where: { id: { in: ids }, readAt: { not: null } } }),
    ]);
    report.notificationsDeleted += deleted.count;
    await pause();
  }

  // finished schedule runs, but each schedule's latest finished one
  const lastRuns = new Set((await db.scheduleRun.groupBy({ by: ["scheduleId"], where: { finishedAt: { not: null } }, _max: { id: true } })).map((g) => g._max.id!));
  for await (const ids of batches(o.batchSize, (after, take) =>
    db.scheduleRun.findMany({ where: { id: { gt: after }, startedAt: { lt: cutoff }, finishedAt: { not: null } }, select: { id: true }, orderBy: { id: "asc" }, take }),
  )) {
    const doomed = ids.filter((id) => !lastRuns.has(id));
    if (doomed.length) report.scheduleRunsDeleted += (await db.scheduleRun.deleteMany({ where: { id: { in: doomed } } })).count;
  }

  // resource measurements (the chart shows the last 30 days)
  for await (const ids of batches(o.batchSize, (after, take) =>
    db.resourceData.findMany({ where: { id: { gt: after }, measuredAt: { lt: cutoff } }, select: { id: true }, orderBy: { id: "asc" }, take }),
  )) {
    report.measurementsDeleted += (await db.resourceData.deleteMany({ where: { id: { in: ids } } })).count;
    await pause();
  }
  return report;
}

/** What must stay whatever its age. */
async function protectedRows(engine: Engine): Promise<{ logs: Set<number>; operations: Set<number> }> {
  const db = engine.db;
  // The last log of each object on each server (quoted identifiers: the same SQL on SQLite and PostgreSQL).
  const lastLogs = await db.$queryRawUnsafe<Array<{ id: number | bigint }>>(
    `SELECT MAX(l."scriptLogId") AS id FROM "ScriptLogOperation" l JOIN "Operation" o ON o."id" = l."operationId" GROUP BY o."serverId", o."backend", o."model", o."objectId"`,
  );
  const lastChecks = await db.scriptLog.groupBy({ by: ["serverId", "backend"], where: { method: "check" }, _max: { id: true } });
  const lastOperations = await db.operation.groupBy({ by: ["serverId", "backend", "model", "objectId"], _max: { id: true } });
  const unread = await db.notification.findMany({ where: { readAt: null }, select: { scriptLogId: true, operationId: true } });
  return {
    logs: new Set([...lastLogs.map((r) => Number(r.id)), ...lastChecks.map((g) => g._max.id!), ...unread.flatMap((n) => (n.scriptLogId ? [n.scriptLogId] : []))]),
    operations: new Set([...lastOperations.map((g) => g._max.id!), ...unread.flatMap((n) => (n.operationId ? [n.operationId] : []))]),
  };
}

/** Keyset pages of ids, `size` at a time. */
async function* batches(size: number, page: (after: number, take: number) => Promise<Array<{ id: number }>>): AsyncGenerator<number[]> {
  for (let after = 0; ; ) {
    const rows = await page(after, size);
    if (rows.length === 0) return;
    after = rows[rows.length - 1].id;
    yield rows.map((r) => r.id);
    if (rows.length < size) return;
  }
}

/** The head and the tail of a text, at most `limit` characters in all with the note between them. */
export function truncateMiddle(text: string, limit: number): string {
  if (text.length <= limit) return text;
  const note = `\n[orchestra] retention: ${text.length - limit} characters of this old log were removed here\n`;
  const room = Math.max(0, limit - note.length);
  const head = Math.ceil(room / 2);
  const tail = room - head;
  return `${text.slice(0, head)}${note}${tail ? text.slice(text.length - tail) : ""}`.slice(0, limit);
}

async function truncateOldOutput(engine: Engine, before: Date, limit: number, size: number, pause: () => Promise<unknown>): Promise<number> {
  const db = engine.db;
  // Ids grow with time: the newest log older than `before` bounds the search, which then needs no
  // date in raw SQL (stored differently by SQLite and PostgreSQL); each update checks the date itself.
  const newest = await db.scriptLog.findFirst({ where: { createdAt: { lt: before } }, orderBy: { id: "desc" }, select: { id: true } });
  if (!newest) return 0;
  let truncated = 0;
  for (let after = 0; ; ) {
    const rows = await db.$queryRaw<Array<{ id: number | bigint }>>`
      SELECT "id" FROM "ScriptLog"
      WHERE "id" > ${after} AND "id" <= ${newest.id} AND "state" NOT IN ('RECEIVED', 'STARTED')
        AND (length("stdout") > ${limit} OR length("stderr") > ${limit} OR length("script") > ${limit})
      ORDER BY "id" LIMIT ${size}`;
    if (rows.length === 0) break;
    const ids = rows.map((r) => Number(r.id));
    after = ids[ids.length - 1];
    const logs = await db.scriptLog.findMany({ where: { id: { in: ids } }, select: { id: true, script: true, stdout: true, stderr: true } });
    const results = await db.$transaction(
      logs.map((log) =>
        db.scriptLog.updateMany({
          where: { id: log.id, createdAt: { lt: before }, state: { notIn: RUNNING_LOG } },
          data: { script: truncateMiddle(log.script, limit), stdout: truncateMiddle(log.stdout, limit), stderr: truncateMiddle(log.stderr, limit) },
        }),
      ),
    );
    truncated += results.reduce((n, r) => n + r.count, 0);
    await pause();
    if (rows.length < size) break;
  }
  return truncated;
}
