// The databases the engine's benches run on: a fresh SQLite file, and a fresh database in a private
// PostgreSQL cluster with default durability (./postgres.ts, started on first use, stopped on exit).
// PostgreSQL is skipped, with the reason, when the machine cannot run it.
import { migrate } from "../../lib/migrate";
import { postgresUnavailable, startPostgres, type PrivatePostgres } from "./postgres";

export type DatabaseKind = "SQLite" | "PostgreSQL";

let cluster: Promise<PrivatePostgres> | undefined;
let counter = 0;

async function freshPostgres(): Promise<string> {
  if (!cluster) {
    cluster = startPostgres(55451);
    const started = await cluster;
    process.once("exit", () => started.stop());
  }
  const url = await (await cluster).createDb(`bench_${process.pid}_${++counter}`);
  await migrate(url);
  return url;
}

/** SQLite always; PostgreSQL when it can run here. */
export function benchDatabases(): DatabaseKind[] {
  const skip = postgresUnavailable();
  if (skip) console.log(`  (PostgreSQL skipped: ${skip})`);
  return skip ? ["SQLite"] : ["SQLite", "PostgreSQL"];
}

/** A new, migrated database of that kind (SQLite: a file in `dir`). */
export async function freshDatabase(kind: DatabaseKind, dir: string, name: string): Promise<string> {
  if (kind === "PostgreSQL") return freshPostgres();
  const url = `file:${dir}/${name}.db`;
  await migrate(url);
  return url;
}
