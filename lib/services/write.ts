// Writes of service objects, shared by the admin's actions and the REST API: both run them inside a
// unit of work with an audited client, so an API save orchestrates exactly like a form save.
import { runSummaries, UserError } from "../actions/state";
import type { Engine } from "../orchestration/engine";
import { runSelection } from "../orchestration/manual";
import { findOrFail } from "../actions/find-or-fail";
import type { TxDb } from "../orchestration/unit-of-work";
import { delegateName, toSnapshot } from "../orchestration/snapshot";
import type { Snapshot } from "../orchestration/types";
import type { Service } from "./kit";

type Writable = {
  findUnique(args: unknown): Promise<{ id: number } | null>;
  create(args: unknown): Promise<{ id: number }>;
  update(args: unknown): Promise<unknown>;
  findMany(args: unknown): Promise<Array<{ id: number } & Record<string, unknown>>>;
  deleteMany(args: unknown): Promise<{ count: number }>;
};

function table(db: TxDb, service: Service): Writable {
  return (db as unknown as Record<string, Writable>)[delegateName(service.model)];
}

export const capital = (text: string) => `${text[0].toUpperCase()}${text.slice(1)}`;
export const plural = (n: number, service: Service) => (n === 1 ? `1 ${service.singular}` : `${n.toLocaleString("en")} ${service.title.toLowerCase()}`);

/** Creates (no `id`) or updates an object from its parsed input: the service's checks, data and writes. */
export async function saveObject(service: Service, input: Record<string, unknown> & { id?: number }, ctx: { db: TxDb; user: { id: number; role: string } }): Promise<{ id: number; label: string; message: string }> {
  const { id, ...fields } = input;
  const rows = table(ctx.db, service);
  if (id) await findOrFail(rows.findUnique({ where: { id }, select: { id: true } }), `This ${service.singular} no longer exists.`);
  const hook = { db: ctx.db, user: ctx.user, id };
  await service.check?.(fields, hook);
  const data = service.data ? await service.data(fields, hook) : fields;
  let saved = id;
  if (id) {
    if (service.update) await service.update(id, data, hook);
    else await rows.update({ where: { id }, data });
  } else {
    saved = (service.create ? await service.create(data, hook) : await rows.create({ data })).id;
  }
  const label = String(fields.username ?? fields.name ?? `#${saved}`);
  return { id: saved!, label, message: `${capital(service.singular)} ${label} saved.` };
}

/** Deletes the chosen objects that still exist; every server they are routed to is told. */
export async function deleteObjects(service: Service, ids: readonly number[], ctx: { db: TxDb }): Promise<{ count: number; message: string }> {
  const rows = table(ctx.db, service);
  const found = await rows.findMany({ where: { id: { in: [...ids] } } });
  if (found.length === 0) throw new UserError(ids.length === 1 ? `This ${service.singular} no longer exists.` : `None of these ${service.title.toLowerCase()} exist any more.`);
  const uses = (await service.usedBy?.(found.map((f) => f.id), ctx.db)) ?? [];
  if (uses.length) throw new UserError(`Nothing was deleted: ${uses.slice(0, 5).join("; ")}${uses.length > 5 ? `; and ${uses.length - 5} more` : ""}. Remove ${uses.length === 1 ? "that use" : "those uses"} first.`);
  const { count } = await rows.deleteMany({ where: { id: { in: found.map((f) => f.id) } } });
  const message = count === 1 ? `${capital(service.singular)} ${service.label(toSnapshot(found[0]) as Snapshot)} deleted.` : `Deleted ${plural(count, service)}.`;
  return { count, message };
}

/** A service's backend command named `backend:command` ("": a re-apply), or a UserError. */
export function serviceCommand(service: Service, command: string): { backend?: string; name?: string; title: string } {
  if (!command) return { title: "Re-applied" };
  const [backend, name] = command.split(":");
  const declared = service.backends.find((b) => b.name === backend)?.commands?.[name ?? ""];
  if (!declared) throw new UserError(`The ${service.title.toLowerCase()} have no command ${JSON.stringify(command)}.`);
  return { backend, name, title: declared.title };
}

/**
 * Re-applies objects on their servers, or runs a backend command on them: routed like a save of their
 * current state, run now (each server's scripts in its lane) and logged like any run.
 */
export async function runObjects(engine: Engine, service: Service, ids: readonly number[], command: { backend?: string; name?: string }, userId: number) {
  const { reports, unrouted } = await runSelection(
    engine,
    { model: service.model, ids: ids.map(String), ...(command.backend && { backend: command.backend }), ...(command.name && { command: command.name }) },
    userId,
  );
  return {
    runs: runSummaries(reports),
    notices: unrouted.map((op) => `No active route of ${op.backend} matched ${op.objectLabel}: nothing ran for it.`),
  };
}

/** The ids of the chosen objects that still exist. */
export async function existingIds(service: Service, ids: readonly number[], db: TxDb): Promise<number[]> {
  return (await table(db, service).findMany({ where: { id: { in: [...ids] } }, select: { id: true } })).map((r) => r.id);
}
