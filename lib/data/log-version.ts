import "server-only";
import type { TxDb } from "../orchestration/unit-of-work";

/**
 * A short text that changes whenever the log list or the dashboard would show something else about
 * runs: a new log, a log that starts or ends, pending operations coming or going. Pages that list
 * runs compare it every few seconds (app/ui/refresh-on-change.tsx) and re-render only when it moved,
 * instead of re-rendering on a timer. Indexed reads only: the newest id, the few running logs, a count.
 */
export async function fetchLogVersion(db: TxDb): Promise<string> {
  const [newest, running, pending] = await Promise.all([
    db.scriptLog.findFirst({ select: { id: true }, orderBy: { id: "desc" } }),
    db.scriptLog.findMany({ where: { state: { in: ["RECEIVED", "STARTED"] } }, select: { id: true, state: true }, orderBy: { id: "asc" } }),
    db.operation.count({ where: { state: "PENDING" } }),
  ]);
  return [newest?.id ?? 0, running.map((l) => `${l.id}${l.state[0]}`).join(","), pending].join(":");
}
