import type { Snapshot } from "./types";

/** A JSON-safe copy of a row: dates become ISO strings, bigints numbers. */
export function toSnapshot(row: unknown): Snapshot | null {
  if (row === null || row === undefined) return null;
  return JSON.parse(JSON.stringify(row, (_k, v) => (typeof v === "bigint" ? Number(v) : v))) as Snapshot;
}

/** The Prisma client property of a model: `SystemUser` → `systemUser`. */
export function delegateName(model: string): string {
  return model.charAt(0).toLowerCase() + model.slice(1);
}

type Row = { id: number | string } & Record<string, unknown>;

/** The untyped model delegate of a client or transaction, for code that works on any service model. */
export type ModelDelegate = {
  findUnique(args: unknown): Promise<Row | null>;
  findMany(args: unknown): Promise<Row[]>;
  createManyAndReturn(args: unknown): Promise<Row[]>;
};

/** True for a client (or transaction) of PostgreSQL, false for SQLite. */
export function onPostgres(client: object): boolean {
  return (client as { _activeProvider?: string })._activeProvider === "postgresql";
}

export function delegateOf(client: object, model: string): ModelDelegate {
  return (client as Record<string, ModelDelegate>)[delegateName(model)];
}
