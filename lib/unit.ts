// A unit of work as the admin's actions and the REST API run it: the handler's writes go through an
// audited client inside one transaction with their operations; after the commit the synchronous
// operations run, so the caller can say what happened on each server.
import "server-only";
import { db } from "./db";
import { engine } from "./orchestra";
import { orchestrate, runUnitOfWork, type TxDb } from "./orchestration";
import { auditing, type Actor, type AuditSettings } from "./audit";
import { runSummaries, type RunReport } from "./actions/state";

// What the audit trail needs to know about service models, from the backends that declare them.
export const auditSettings: AuditSettings = {
  include: (model) => engine.registry.includeFor(model),
  secretFields: (model) => engine.registry.forModel(model).flatMap((b) => b.secretFields ?? []),
};

/** What did not run and why, in words: operations no route matched, routes that could not be evaluated. */
export function unitNotices(unit: { unrouted: Array<{ backend: string; action: string; objectLabel: string }>; routeErrors: string[]; pulled?: number[] }): string[] {
  const unrouted = unit.unrouted.map((op) => `No active route of ${op.backend} matched ${op.objectLabel}: its ${op.action} runs on no server.`);
  // route errors name the route and the object, never a value of the object (see router.ts)
  const errors = unit.routeErrors.map((e) => `Route error (this route was skipped): ${e.length > 300 ? `${e.slice(0, 300)}…` : e}`);
  // registry routes: nothing ran here; the agents fetch the new configuration themselves
  const pulled = unit.pulled?.length ? [`Pulled by the agent of ${unit.pulled.length} server(s): their runs appear in the logs once applied.`] : [];
  return [...unrouted, ...errors, ...pulled].slice(0, 20);
}

export async function inUnitOfWork<T>(user: Actor, fn: (ctx: { db: TxDb }) => Promise<T>): Promise<{ result: T; runs: RunReport[]; notices: string[] }> {
  // Every write of the handler is audited in the unit's transaction: no change without its record.
  const unit = await orchestrate(engine, (tx) => fn({ db: auditing(tx, user, auditSettings) }));
  const reports = await runUnitOfWork(engine, unit, { userId: user.id });
  const runs = runSummaries(reports);
  return { result: unit.result, runs, notices: unitNotices(unit) };
}

/** Outside a unit of work each audited write gets its own transaction with its audit row. */
export function audited<T>(user: Actor, fn: (ctx: { db: TxDb }) => Promise<T>): Promise<T> {
  return fn({ db: auditing(db, user, { ...auditSettings, transaction: (write) => db.$transaction((tx) => write(tx)) }) });
}
