// The script-log list, shared by the admin (through ./logs.ts) and the benchmark, hence no server-only
// import here: the benchmark runs under tsx. Keyset pagination on the primary key (id < cursor), with
// indexes on (state, id), (serverId, id) and (backend, id): the cost of a page does not grow with the
// table or the page number. The operations of the page's logs are counted for those logs only: Prisma's
// `_count` of a relation joins a count of the whole link table (a scan of every log's links per page).
import type { TxDb } from "../orchestration/unit-of-work";

export const PAGE_SIZE = 50;

export type LogFilters = { state?: string; serverId?: number; backend?: string; before?: number };

/** A page of logs, newest first, by id cursor. */
export async function fetchLogs(db: TxDb, filters: LogFilters, pageSize = PAGE_SIZE) {
  const rows = await db.scriptLog.findMany({
    where: {
      state: filters.state,
      serverId: filters.serverId,
      backend: filters.backend,
      ...(filters.before ? { id: { lt: filters.before } } : {}),
    },
    orderBy: { id: "desc" },
    take: pageSize + 1,
    select: {
      id: true,
      backend: true,
      state: true,
      exitCode: true,
      createdAt: true,
      startedAt: true,
      finishedAt: true,
      server: { select: { id: true, name: true } },
    },
  });
  const page = rows.slice(0, pageSize);
  const counts = page.length
    ? await db.scriptLogOperation.groupBy({ by: ["scriptLogId"], where: { scriptLogId: { in: page.map((l) => l.id) } }, _count: { _all: true } })
    : [];
  const operations = new Map(counts.map((c) => [c.scriptLogId, c._count._all]));
  return {
    logs: page.map((l) => ({ ...l, _count: { operations: operations.get(l.id) ?? 0 } })),
    nextBefore: rows.length > pageSize ? rows[pageSize - 1].id : null,
  };
}
