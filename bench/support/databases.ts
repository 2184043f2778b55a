// The databases a bench runs on: a fresh SQLite file, and a fresh database in a private PostgreSQL
// cluster (loopback, its own temp dir, PostgreSQL's default durability: fsync and synchronous commit
// on, as in production). PostgreSQL is skipped, with the reason, when the machine cannot run it.
import { execFileSync, spawnSync } from "node:child_process";
import { chownSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import pg from "pg";
import { migrate } from "../../lib/migrate";

export type BenchDatabase = { kind: "SQLite" | "PostgreSQL"; url: string };

type Cluster = { port: number; dir: string; bin: string };
let cluster: Cluster | null | undefined;
let counter = 0;

const PG_PORT = 55451;

function postgresBin(): string | null {
  try {
    const versions = readdirSync("/usr/lib/postgresql").sort((a, b) => Number(a) - Number(b));
    return versions.length ? `/usr/lib/postgresql/${versions.at(-1)}/bin` : null;
  } catch {
    return null;
  }
}

/** Why PostgreSQL benches are skipped here, or null when they can run. */
export function postgresUnavailable(): string | null {
  if (process.getuid?.() !== 0) return "needs root (initdb runs as the postgres user)";
  if (!postgresBin()) return "no PostgreSQL server binaries (`npm test` installs them)";
  return null;
}

function startCluster(): Cluster {
  const bin = postgresBin()!;
  const dir = mkdtempSync(path.join(os.tmpdir(), "orchestra-bench-pg-"));
  chownSync(dir, Number(execFileSync("id", ["-u", "postgres"]).toString()), 0);
  const as = (cmd: string, args: string[]) => execFileSync("runuser", ["-u", "postgres", "--", path.join(bin, cmd), ...args], { stdio: ["ignore", "ignore", "pipe"] });
  as("initdb", ["-D", `${dir}/data`, "-U", "postgres", "--auth=trust", "-E", "UTF8"]);
  as("pg_ctl", ["-D", `${dir}/data`, "-l", `${dir}/log`, "-w", "-o", `-c listen_addresses=127.0.0.1 -p ${PG_PORT} -k ${dir} -c max_connections=200`, "start"]);
  process.once("exit", stopCluster);
  return { port: PG_PORT, dir, bin };
}

export function stopCluster(): void {
  if (!cluster) return;
  spawnSync("runuser", ["-u", "postgres", "--", path.join(cluster.bin, "pg_ctl"), "-D", `${cluster.dir}/data`, "-m", "fast", "stop"], { stdio: "ignore" });
  rmSync(cluster.dir, { recursive: true, force: true });
  cluster = null;
}

/** A new, migrated PostgreSQL database (the cluster starts on first use). */
export async function freshPostgres(): Promise<string> {
  cluster ??= startCluster();
  const name = `bench_${process.pid}_${++counter}`;
  const admin = new pg.Client({ connectionString: `postgresql://postgres@127.0.0.1:${cluster.port}/postgres` });
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE "${name}"`);
  } finally {
    await admin.end();
  }
  const url = `postgresql://postgres@127.0.0.1:${cluster.port}/${name}`;
  await migrate(url);
  return url;
}

/** A new, migrated SQLite database in `dir`. */
export async function freshSqlite(dir: string, name: string): Promise<string> {
  const url = `file:${dir}/${name}.db`;
  await migrate(url);
  return url;
}

/** SQLite always; PostgreSQL when it can run here. */
export function benchDatabases(): Array<BenchDatabase["kind"]> {
  const skip = postgresUnavailable();
  if (skip) console.log(`  (PostgreSQL skipped: ${skip})`);
  return skip ? ["SQLite"] : ["SQLite", "PostgreSQL"];
}

export async function freshDatabase(kind: BenchDatabase["kind"], dir: string, name: string): Promise<string> {
  return kind === "SQLite" ? freshSqlite(dir, name) : freshPostgres();
}
