// Private MariaDB and PostgreSQL instances on loopback for tests (Debian's packages, see
// shared/RECIPES.md §2–3): their own data directory, socket and port; the system's are never touched.
// Scripts run as root over a test sshd on this machine, so the server variables below point the
// backends' clients at these instances through their sockets.
import { execFile, execFileSync, spawn } from "node:child_process";
import { chownSync, chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { promisify } from "node:util";

const run = promisify(execFile);
const PG_BIN = "/usr/lib/postgresql/15/bin";

export type SqlServer = {
  address: string;
  port: number;
  dir: string;
  /** Server variables pointing the backends (client, dump tool, dump directory) at this instance. */
  variables: Record<string, string>;
  /** Runs SQL as the administrator; returns the output (tab-separated, no headers). */
  admin(sql: string, database?: string): Promise<string>;
  stop(): Promise<void>;
};

async function until(what: string, check: () => Promise<boolean>, timeoutMs = 30_000) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check().catch(() => false)) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`${what} did not start`);
}

export async function startMariadb(options: { address: string; port: number; root?: string }): Promise<SqlServer> {
  const dir = mkdtempSync(path.join(options.root ?? os.tmpdir(), "mariadb-"));
  const socket = path.join(dir, "mysqld.sock");
  const dumps = path.join(dir, "dumps");
  // --no-defaults first, always: otherwise /etc/mysql/my.cnf (socket and pid in /run/mysqld) is read.
  await run("mariadb-install-db", ["--no-defaults", `--datadir=${dir}/data`, "--user=root", "--auth-root-authentication-method=socket", "--skip-test-db"]);
  const child = spawn(
    "mariadbd",
    ["--no-defaults", `--datadir=${dir}/data`, `--socket=${socket}`, `--pid-file=${dir}/mysqld.pid`, `--port=${options.port}`, `--bind-address=${options.address}`,
      "--user=root", `--log-error=${dir}/error.log`, "--skip-name-resolve", "--innodb-buffer-pool-size=32M", "--skip-log-bin"],
    { stdio: "ignore" },
  );
  const exited = new Promise((resolve) => child.once("exit", resolve));
  const client = ["mariadb", "--no-defaults", `--socket=${socket}`, "-u", "root"];
  const admin = async (sql: string, database?: string) => (await run(client[0], [...client.slice(1), "-N", "-B", ...(database ? ["-D", database] : []), "-e", sql])).stdout;
  await until("mariadbd", async () => child.exitCode === null && (await admin("SELECT 1")).trim() === "1");
  return {
    address: options.address,
    port: options.port,
    dir,
    variables: { MARIADB_CLIENT: client.join(" "), MARIADB_DUMP: `mariadb-dump --no-defaults --socket=${socket} -u root`, MARIADB_DUMP_DIR: dumps },
    admin,
    async stop() {
      if (child.exitCode === null) {
        child.kill("SIGTERM");
        await exited;
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export async function startPostgres(options: { address: string; port: number; root?: string }): Promise<SqlServer> {
  // PostgreSQL runs as the postgres account, which must own its directory.
  const dir = mkdtempSync(path.join(options.root ?? os.tmpdir(), "postgres-"));
  const uid = Number(execFileSync("id", ["-u", "postgres"], { encoding: "utf8" }));
  const gid = Number(execFileSync("id", ["-g", "postgres"], { encoding: "utf8" }));
  chownSync(dir, uid, gid);
  chmodSync(dir, 0o755); // the test reads the dumps; the data directory itself is 0700
  const dumps = path.join(dir, "dumps");
  const asPostgres = (command: string, args: string[]) => run("runuser", ["-u", "postgres", "--", command, ...args]);
  await asPostgres(`${PG_BIN}/initdb`, ["-D", `${dir}/data`, "-U", "postgres", "--auth-local=peer", "--auth-host=scram-sha-256", "-E", "UTF8", "--locale=C.UTF-8"]);
  // TCP clients come from 127.0.0.1 unless the address is on lo (RECIPES.md §0).
  writeFileSync(path.join(dir, "data/pg_hba.conf"), "local all all peer\nhost all all 127.0.0.1/32 scram-sha-256\nhost all all 127.0.7.0/24 scram-sha-256\n");
  await asPostgres(`${PG_BIN}/pg_ctl`, ["-D", `${dir}/data`, "-l", `${dir}/server.log`, "-w", "-t", "30", "-o", `-c listen_addresses=${options.address} -p ${options.port} -k ${dir}`, "start"]);
  const connection = ["-h", dir, "-p", String(options.port), "-U", "postgres"];
  const admin = async (sql: string, database = "postgres") => (await asPostgres("psql", [...connection, "-X", "-q", "-w", "-tA", "-v", "ON_ERROR_STOP=1", "-d", database, "-c", sql])).stdout;
  await until("postgres", async () => (await admin("SELECT 1")).trim() === "1");
  mkdirSync(dumps);
  return {
    address: options.address,
    port: options.port,
    dir,
    variables: {
      PG_CLIENT: ["runuser", "-u", "postgres", "--", "psql", ...connection].join(" "),
      PG_DUMP: ["runuser", "-u", "postgres", "--", "pg_dump", ...connection].join(" "),
      PG_DUMP_DIR: dumps,
    },
    admin,
    async stop() {
      await asPostgres(`${PG_BIN}/pg_ctl`, ["-D", `${dir}/data`, "-m", "fast", "-w", "stop"]).catch(() => undefined);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Runs SQL as a user over TCP with the mariadb client; rejects with the server's message. */
export async function mariadbAs(server: { address: string; port: number }, user: string, password: string, sql: string, database?: string): Promise<string> {
  const { stdout } = await run("mariadb", ["--no-defaults", "-h", server.address, "-P", String(server.port), "-u", user, "-N", "-B", ...(database ? ["-D", database] : []), "-e", sql], {
    env: { ...process.env, MYSQL_PWD: password },
  });
  return stdout;
}

/** Runs SQL as a user over TCP with psql (libpq: SCRAM with SASLprep); rejects with the server's message. */
export async function psqlAs(server: { address: string; port: number }, user: string, password: string, sql: string, database: string): Promise<string> {
  const { stdout } = await run("psql", ["-X", "-q", "-w", "-tA", "-v", "ON_ERROR_STOP=1", "-h", server.address, "-p", String(server.port), "-U", user, "-d", database, "-c", sql], {
    env: { ...process.env, PGPASSWORD: password },
  });
  return stdout;
}
