// Runs committed operations now: the synchronous path after a unit of work, and manual runs. Each lane
// (server, backend) is taken through the outbox (outbox.ts) and runs one script of its operations;
// lanes run in parallel. Operations that must wait — an earlier operation on the same server object is
// still queued, or the lane stayed busy — are handed to the worker.
import type { Engine } from "./engine";
import { newOwner, releaseHeld, runLane, SYNC_POLICY, type RetryPolicy } from "./outbox";
import { ownerOf } from "./unit-of-work";
import type { RunOptions, RunReport } from "./runner";

export type { RetryPolicy } from "./outbox";
export { SYNC_POLICY } from "./outbox";

type LaneKey = { serverId: number; backend: string };
type LaneRow = LaneKey & { id: number };

/** Distinct lanes of some operations, in the order their first operation was committed. */
export function lanesOf(rows: ReadonlyArray<{ id: number; serverId: number; backend: string }>): LaneKey[] {
  const seen = new Map<string, LaneKey>();
  for (const row of [...rows].sort((a, b) => a.id - b.id)) {
    const key = `${row.serverId}\u0000${row.backend}`;
    if (!seen.has(key)) seen.set(key, { serverId: row.serverId, backend: row.backend });
  }
  return [...seen.values()];
}

/**
 * Runs the given pending operations now. `heldBy` is the owner that holds them (the unit of work
 * that wrote them); what cannot run now is released to the worker.
 */
export async function runOperations(
  engine: Engine,
  operationIds: readonly number[],
  options: Omit<RunOptions, "owner"> & { heldBy?: string; owner?: string; policy?: RetryPolicy; rows?: ReadonlyArray<LaneRow> } = {},
): Promise<RunReport[]> {
  if (operationIds.length === 0) return [];
  const owner = options.owner ?? newOwner("request");
  const { heldBy, policy, rows: known, ...rest } = options;
  // (a unit of work passes the rows it just wrote: still pending, held by it)
  const rows = known ?? (await engine.db.operation.findMany({ where: { id: { in: [...operationIds] }, state: "PENDING" }, select: { id: true, serverId: true, backend: true } }));
  let reports: RunReport[] = [];
  try {
    const perLane = await Promise.all(
      lanesOf(rows).map((lane) =>
        runLane(engine, lane.serverId, lane.backend, {
          ...rest,
          owner,
          policy: policy ?? SYNC_POLICY,
          only: rows.filter((r) => r.serverId === lane.serverId && r.backend === lane.backend).map((r) => r.id),
          heldBy,
          waitMs: engine.laneWaitMs,
        }),
      ),
    );
    reports = perLane.flat().sort((a, b) => a.logId - b.logId);
    return reports;
  } finally {
    // What did not run (a busy lane, an operation waiting for an earlier one, a start refused because a
    // lease was lost) goes to the worker.
    const ran = new Set(reports.filter((r) => r.state !== "ABORTED").flatMap((r) => r.operationIds));
    if (rows.some((r) => !ran.has(r.id))) await releaseHeld(engine, heldBy ? [heldBy, owner] : [owner]);
  }
}

/** Runs the synchronous operations of a committed unit of work (those it holds the lease of). */
export function runUnitOfWork(engine: Engine, unit: { unitOfWork: string; operations: ReadonlyArray<LaneRow & { async: boolean }> }, options: Omit<RunOptions, "owner"> = {}) {
  const rows = unit.operations.filter((o) => !o.async);
  return runOperations(engine, rows.map((o) => o.id), { ...options, heldBy: ownerOf(unit.unitOfWork), rows });
}
