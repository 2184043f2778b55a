// A private PostgreSQL cluster for a bench, as scripts/pg.sh starts one for the tests (runuser postgres
// initdb, loopback only, its own temp dir), but with PostgreSQL's default durability: fsync and
// synchronous commit stay on, so what the bench measures is what a real node would see.
import { execFileSync, spawnSync } from "node:child_process";
import { chownSync, existsSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import pg from "pg";

export type PrivatePostgres = {
  /** A connection URL for one database of the cluster. */
  url(database: string): string;
  /** Creates an empty database (owned by postgres) and returns its URL. */
  createDb(name: string): Promise<string>;
  /** Stops the cluster and removes its directory. */
  stop(): void;
};

/** Why a private cluster cannot be started here, or null when it can. */
export function postgresUnavailable(): string | null {
  if (process.getuid?.() !== 0) return "needs root (initdb runs as the postgres account through runuser)";
  if (!postgresBin()) return "no PostgreSQL binaries in /usr/lib/postgresql/*/bin (apt-get install postgresql)";
  const id = spawnSync("id", ["-u", "postgres"]);
  if (id.status !== 0) return "no postgres system account (apt-get install postgresql)";
  return null;
}

function postgresBin(): string | null {
  const root = "/usr/lib/postgresql";
  if (!existsSync(root)) return null;
  const versions = readdirSync(root).filter((v) => existsSync(path.join(root, v, "bin/initdb")));
  versions.sort((a, b) => Number(a) - Number(b));
  return versions.length ? path.join(root, versions[versions.length - 1], "bin") : null;
}

export async function startPostgres(port = 55450): Promise<PrivatePostgres> {
  const why = postgresUnavailable();
  if (why) throw new Error(`PostgreSQL: ${why}`);
  const bin = postgresBin()!;
  const dir = mkdtempSync(path.join(os.tmpdir(), "orchestra-bench-pg-"));
  const uid = Number(execFileSync("id", ["-u", "postgres"], { encoding: "utf8" }));
  const gid = Number(execFileSync("id", ["-g", "postgres"], { encoding: "utf8" }));
  chownSync(dir, uid, gid);
  const asPostgres = (command: string, args: string[]) => execFileSync("runuser", ["-u", "postgres", "--", command, ...args], { stdio: ["ignore", "ignore", "pipe"] });
  asPostgres(`${bin}/initdb`, ["-D", `${dir}/data`, "-U", "postgres", "--auth=trust", "-E", "UTF8", "--locale=C.UTF-8"]);
  asPostgres(`${bin}/pg_ctl`, ["-D", `${dir}/data`, "-l", `${dir}/log`, "-w", "-t", "60", "-o", `-c listen_addresses=127.0.0.1 -p ${port} -k ${dir}`, "start"]);
  const url = (database: string) => `postgresql://postgres@127.0.0.1:${port}/${database}`;
  let stopped = false;
  return {
    url,
    async createDb(name) {
      const client = new pg.Client({ connectionString: url("postgres") });
      await client.connect();
      try {
        await client.query(`CREATE DATABASE "${name.replace(/"/g, "")}"`);
      } finally {
        await client.end();
      }
      return url(name);
    },
    stop() {
      if (stopped) return;
      stopped = true;
      try {
        asPostgres(`${bin}/pg_ctl`, ["-D", `${dir}/data`, "-m", "fast", "-w", "stop"]);
      } catch {
        // already gone
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
