// Databases and database users end to end: the real pipeline (unit of work, CEL routes, rendering, a
// real sshd) against private MariaDB and PostgreSQL instances. The proof is what a user can do when
// it connects over TCP with its password, and what the servers hold afterwards.
import { readdirSync, readFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { Engine } from "../lib/orchestration/engine";
import { SshExecutor } from "../lib/orchestration/executors/ssh";
import { orchestrate, type TxDb } from "../lib/orchestration/unit-of-work";
import { runUnitOfWork } from "../lib/orchestration/dispatcher";
import { runSelection } from "../lib/orchestration/manual";
import { createRegistry } from "../lib/services/registry";
import { mariadbNativeHash, scramVerifier } from "../lib/services/database-users/passwords";
import { resetDb, testDb } from "./db";
import { clientKey, startSshHost, type SshHost } from "./support/ssh-host";
import { mariadbAs, psqlAs, startMariadb, startPostgres, type SqlServer } from "./support/sql-servers";

const db = testDb();
let ssh: SshHost;
let mariadb: SqlServer;
let postgres: SqlServer;
let engine: Engine;
let executor: SshExecutor;

async function change(fn: (tx: TxDb) => Promise<unknown>) {
  const unit = await orchestrate(engine, fn);
  return runUnitOfWork(engine, unit);
}

/** Runs a change and expects every script it ran to succeed (showing stderr otherwise). */
async function applied(fn: (tx: TxDb) => Promise<unknown>, backends?: string[]) {
  const reports = await change(fn);
  for (const r of reports) {
    if (r.state !== "SUCCESS") throw new Error(`${r.backend}: ${r.state}\n${(await db.scriptLog.findUniqueOrThrow({ where: { id: r.logId } })).stderr}`);
  }
  if (backends) expect(reports.map((r) => r.backend).sort()).toEqual(backends);
  return reports;
}

/** Creates a database user through the pipeline (its run must succeed) and returns the row. */
async function createUser(data: { name: string; engine: string; passwordHash: string; hosts?: string[] }, backend: string) {
  await applied((tx) => tx.databaseUser.create({ data }), [backend]);
  return db.databaseUser.findFirstOrThrow({ where: { name: data.name, engine: data.engine } });
}

beforeAll(async () => {
  const key = clientKey(path.join(os.tmpdir(), "orchestra-test-keys"));
  [ssh, mariadb, postgres] = await Promise.all([
    startSshHost({ address: "127.0.7.6", port: 24422, clientKeyFile: key }),
    startMariadb({ address: "127.0.7.6", port: 24406 }),
    startPostgres({ address: "127.0.7.7", port: 24407 }),
  ]);
  executor = SshExecutor.fromKeyFile(key);
  engine = new Engine({ db, registry: createRegistry(), executor: () => executor });
});

afterAll(async () => {
  await executor?.close();
  await Promise.all([mariadb?.stop(), postgres?.stop(), ssh?.stop()]);
});

beforeEach(async () => {
  await resetDb();
  const server = await db.server.create({ data: { name: "sql", address: ssh.address, port: ssh.port, variables: { ...mariadb.variables, ...postgres.variables } } });
  // One server runs both engines; the routes send each object to its engine's backends.
  for (const [backend, match] of [
    ["mariadb-databases", 'object.engine == "mariadb"'],
    ["mariadb-users", 'object.engine == "mariadb"'],
    ["postgresql-databases", 'object.engine == "postgresql"'],
    ["postgresql-users", 'object.engine == "postgresql"'],
  ]) {
    await db.route.create({ data: { backend, serverId: server.id, match } });
  }
});

describe("MariaDB databases and users", () => {
  const as = (password: string, sql: string, database?: string) => mariadbAs(mariadb, "alice", password, sql, database);
  const accounts = async (user: string) => (await mariadb.admin(`SELECT Host FROM mysql.user WHERE User = '${user}' ORDER BY Host`)).trim().split("\n").filter(Boolean);

  it("a user reaches its database only, with the password it was given, through rename, read-only, removal and delete", async () => {
    const alice = await createUser({ name: "alice", engine: "mariadb", passwordHash: mariadbNativeHash("first-pass"), hosts: ["%"] }, "mariadb-users");
    await applied(
      (tx) => tx.database.create({ data: { name: "shop_db", engine: "mariadb", grants: { create: [{ userId: alice.id, privilege: "all" }] } } }),
      ["mariadb-databases"],
    );
    await applied((tx) => tx.database.create({ data: { name: "other", engine: "mariadb" } }));
    const shop = await db.database.findFirstOrThrow({ where: { name: "shop_db" } });

    // over TCP with its password: a table in its database, nothing in another one
    expect(await as("first-pass", "CREATE TABLE t (x INT); INSERT INTO t VALUES (42); SELECT x FROM t", "shop_db")).toBe("42\n");
    await expect(as("first-pass", "CREATE TABLE t (x INT)", "other")).rejects.toThrow(/Access denied for user 'alice'/);
    // the grant is for shop_db only: `_` is not a wildcard that would also grant shopXdb
    await mariadb.admin("CREATE DATABASE shopXdb");
    await expect(as("first-pass", "CREATE TABLE t (x INT)", "shopXdb")).rejects.toThrow(/Access denied/);
    await expect(as("wrong-pass", "SELECT 1")).rejects.toThrow(/Access denied/);

    // a new password: the old one fails, the new one works; the stored script never shows the hash
    const [changed] = await applied((tx) => tx.databaseUser.update({ where: { id: alice.id }, data: { passwordHash: mariadbNativeHash("second-päss") } }));
    await expect(as("first-pass", "SELECT 1")).rejects.toThrow(/Access denied/);
    expect(await as("second-päss", "SELECT COUNT(*) FROM t", "shop_db")).toBe("1\n");
    const log = await db.scriptLog.findUniqueOrThrow({ where: { id: changed.logId } });
    expect(log.script).not.toContain(mariadbNativeHash("second-päss"));
    expect(log.script).toContain("ORCHESTRA_SECRET_1=********");

    // a rename moves the tables; the old database and its grants are gone
    await applied((tx) => tx.database.update({ where: { id: shop.id }, data: { name: "boutique" } }), ["mariadb-databases"]);
    expect(await as("second-päss", "SELECT x FROM t", "boutique")).toBe("42\n");
    expect(await mariadb.admin("SHOW DATABASES LIKE 'shop%db'")).toBe("shopXdb\n");
    expect(await mariadb.admin("SELECT Db FROM mysql.db WHERE User = 'alice'")).toBe("boutique\n");

    // other hosts: the accounts follow, each with the database's grant
    await applied((tx) => tx.databaseUser.update({ where: { id: alice.id }, data: { hosts: ["127.0.0.%", "10.1.%"] } }), ["mariadb-users"]);
    expect(await accounts("alice")).toEqual(["10.1.%", "127.0.0.%"]);
    expect(await as("second-päss", "SELECT x FROM t", "boutique")).toBe("42\n");

    // read only, then no grant at all: access denied, the table still there
    await applied((tx) => tx.databaseGrant.updateMany({ where: { databaseId: shop.id }, data: { privilege: "read" } }), ["mariadb-databases"]);
    expect(await as("second-päss", "SELECT x FROM t", "boutique")).toBe("42\n");
    await expect(as("second-päss", "INSERT INTO t VALUES (1)", "boutique")).rejects.toThrow(/INSERT command denied/);
    await applied((tx) => tx.databaseGrant.deleteMany({ where: { databaseId: shop.id } }), ["mariadb-databases"]);
    await expect(as("second-päss", "SELECT x FROM t", "boutique")).rejects.toThrow(/Access denied for user 'alice'/);
    expect(await mariadb.admin("SELECT x FROM t", "boutique")).toBe("42\n");

    // delete: dumped first (MARIADB_DUMP_DIR), then dropped; a deleted user's accounts are gone
    await applied((tx) => tx.database.delete({ where: { id: shop.id } }), ["mariadb-databases"]);
    expect(await mariadb.admin("SHOW DATABASES LIKE 'boutique'")).toBe("");
    const dumps = readdirSync(mariadb.variables.MARIADB_DUMP_DIR);
    expect(dumps).toEqual([expect.stringMatching(/^boutique-\d{8}T\d{6}Z\.sql$/)]);
    const dump = readFileSync(path.join(mariadb.variables.MARIADB_DUMP_DIR, dumps[0]), "utf8");
    expect(dump).toContain("CREATE TABLE `t`");
    expect(dump).toContain("INSERT INTO `t` VALUES");
    await applied((tx) => tx.databaseUser.delete({ where: { id: alice.id } }), ["mariadb-users"]);
    expect(await accounts("alice")).toEqual([]);
  });

  it("a rename of the user keeps its grants, and a user added after its database gets them", async () => {
    const [bob, carol] = await Promise.all(
      ["bob", "carol"].map((name) => db.databaseUser.create({ data: { name, engine: "mariadb", passwordHash: mariadbNativeHash(`${name}-pass-1`), hosts: ["%"] } })),
    );
    // the database is saved before its users' accounts exist: its grants skip them, and the accounts
    // get them when mariadb-users creates them
    await applied((tx) => tx.database.create({ data: { name: "wiki", engine: "mariadb", grants: { create: [{ userId: bob.id }, { userId: carol.id, privilege: "read" }] } } }));
    expect(await accounts("bob")).toEqual([]);
    const { reports } = await runSelection(engine, { backend: "mariadb-users" });
    expect(reports.map((r) => r.state)).toEqual(["SUCCESS"]);
    expect(await mariadbAs(mariadb, "bob", "bob-pass-1", "CREATE TABLE pages (id INT); SELECT 1", "wiki")).toBe("1\n");
    expect(await mariadbAs(mariadb, "carol", "carol-pass-1", "SELECT COUNT(*) FROM pages", "wiki")).toBe("0\n");

    await applied((tx) => tx.databaseUser.update({ where: { id: bob.id }, data: { name: "robert" } }), ["mariadb-users"]);
    expect(await accounts("bob")).toEqual([]);
    expect(await mariadbAs(mariadb, "robert", "bob-pass-1", "INSERT INTO pages VALUES (1); SELECT COUNT(*) FROM pages", "wiki")).toBe("1\n");
  });
});

describe("PostgreSQL databases and users", () => {
  const as = (password: string, sql: string, database: string) => psqlAs(postgres, "alice", password, sql, database);
  const roles = async () => (await postgres.admin("SELECT string_agg(rolname, ',' ORDER BY rolname) FROM pg_roles WHERE rolname NOT LIKE 'pg\\_%'")).trim();

  it("a user reaches its database only, with the password it was given, through rename, read-only, removal and delete", async () => {
    const alice = await createUser({ name: "alice", engine: "postgresql", passwordHash: scramVerifier("first-pass") }, "postgresql-users");
    await applied(
      (tx) => tx.database.create({ data: { name: "shop_db", engine: "postgresql", grants: { create: [{ userId: alice.id, privilege: "all" }] } } }),
      ["postgresql-databases"],
    );
    await applied((tx) => tx.database.create({ data: { name: "other", engine: "postgresql" } }));
    const shop = await db.database.findFirstOrThrow({ where: { name: "shop_db" } });

    expect(await as("first-pass", "CREATE TABLE t (x int); INSERT INTO t VALUES (42); SELECT x FROM t", "shop_db")).toBe("42\n");
    await expect(as("first-pass", "CREATE TABLE t (x int)", "other")).rejects.toThrow(/permission denied for database "other"/);
    await expect(as("first-pass", "CREATE TABLE t (x int)", "postgres")).rejects.toThrow(/permission denied for schema public/);
    await expect(as("wrong-pass", "SELECT 1", "shop_db")).rejects.toThrow(/password authentication failed/);

    // a new password (SASLprep'd like PostgreSQL does: the ligature ﬁ is fi): the old one fails
    await applied((tx) => tx.databaseUser.update({ where: { id: alice.id }, data: { passwordHash: scramVerifier("second-päss-ﬁ") } }));
    await expect(as("first-pass", "SELECT 1", "shop_db")).rejects.toThrow(/password authentication failed/);
    expect(await as("second-päss-ﬁ", "SELECT count(*) FROM t", "shop_db")).toBe("1\n");
    expect(await as("second-päss-fi", "SELECT count(*) FROM t", "shop_db")).toBe("1\n");

    // a rename is ALTER DATABASE … RENAME: same database, same grants
    await applied((tx) => tx.database.update({ where: { id: shop.id }, data: { name: "boutique" } }), ["postgresql-databases"]);
    expect(await as("second-päss-ﬁ", "SELECT x FROM t", "boutique")).toBe("42\n");
    expect(await postgres.admin("SELECT string_agg(datname, ',' ORDER BY datname) FROM pg_database WHERE datname IN ('shop_db', 'boutique')")).toBe("boutique\n");

    // a second user with "read": sees what alice creates later, writes nothing
    const bob = await createUser({ name: "bob", engine: "postgresql", passwordHash: scramVerifier("bob-pass-1") }, "postgresql-users");
    await applied((tx) => tx.databaseGrant.create({ data: { databaseId: shop.id, userId: bob.id, privilege: "read" } }), ["postgresql-databases"]);
    await as("second-päss-ﬁ", "CREATE TABLE later (y int); INSERT INTO later VALUES (7)", "boutique");
    expect(await psqlAs(postgres, "bob", "bob-pass-1", "SELECT y FROM later", "boutique")).toBe("7\n");
    await expect(psqlAs(postgres, "bob", "bob-pass-1", "INSERT INTO t VALUES (1)", "boutique")).rejects.toThrow(/permission denied for table t/);

    // alice read only, then without any grant: access denied, the tables stay (handed to the administrator)
    await applied((tx) => tx.databaseGrant.updateMany({ where: { userId: alice.id }, data: { privilege: "read" } }), ["postgresql-databases"]);
    await expect(as("second-päss-ﬁ", "INSERT INTO t VALUES (1)", "boutique")).rejects.toThrow(/permission denied for table t/);
    await applied((tx) => tx.databaseGrant.deleteMany({ where: { userId: alice.id } }), ["postgresql-databases"]);
    await expect(as("second-päss-ﬁ", "SELECT 1", "boutique")).rejects.toThrow(/permission denied for database "boutique"/);
    expect(await postgres.admin("SELECT x FROM t", "boutique")).toBe("42\n");
    expect(await psqlAs(postgres, "bob", "bob-pass-1", "SELECT count(*) FROM t", "boutique")).toBe("1\n");

    // delete: dumped first (PG_DUMP_DIR), then dropped; deleted roles are gone
    await applied((tx) => tx.database.delete({ where: { id: shop.id } }), ["postgresql-databases"]);
    expect(await postgres.admin("SELECT count(*) FROM pg_database WHERE datname = 'boutique'")).toBe("0\n");
    const dumps = readdirSync(postgres.variables.PG_DUMP_DIR);
    expect(dumps).toEqual([expect.stringMatching(/^boutique-\d{8}T\d{6}Z\.sql$/)]);
    const dump = readFileSync(path.join(postgres.variables.PG_DUMP_DIR, dumps[0]), "utf8");
    expect(dump).toContain("CREATE DATABASE boutique");
    expect(dump).toContain("CREATE TABLE public.t");
    await applied((tx) => tx.databaseUser.deleteMany({ where: { id: { in: [alice.id, bob.id] } } }), ["postgresql-users"]);
    expect(await roles()).toBe("postgres");
  });
});

describe("hostile rows written straight into the database", () => {
  const state = async () => ({
    mariadb: await mariadb.admin("SELECT GROUP_CONCAT(schema_name ORDER BY schema_name) FROM information_schema.schemata; SELECT GROUP_CONCAT(CONCAT(User, '@', Host) ORDER BY User, Host) FROM mysql.user"),
    postgres: await postgres.admin("SELECT string_agg(datname, ',' ORDER BY datname) FROM pg_database UNION ALL SELECT string_agg(rolname || ':' || rolsuper, ',' ORDER BY rolname) FROM pg_roles"),
  });

  it("names, hosts, hashes and privileges that cannot go into SQL make the run ERROR with nothing executed", async () => {
    const before = await state();
    const hash = mariadbNativeHash("some-pass");
    const ok = await db.databaseUser.create({ data: { name: "okay", engine: "mariadb", passwordHash: hash, hosts: ["%"] } });
    const cases: Array<{ backend: string; write: () => Promise<unknown>; message: RegExp }> = [
      { backend: "mariadb-databases", write: () => db.database.create({ data: { name: "x`; DROP DATABASE mysql; -- ", engine: "mariadb" } }), message: /refusing to render database "x`; DROP DATABASE mysql; -- ": the name/ },
      { backend: "postgresql-databases", write: () => db.database.create({ data: { name: 'y"; DROP DATABASE postgres; --', engine: "postgresql" } }), message: /refusing to render database .*: the name/ },
      { backend: "mariadb-databases", write: () => db.database.create({ data: { name: "mysql", engine: "mariadb" } }), message: /refusing to render database "mysql": the name/ },
      {
        backend: "mariadb-databases",
        write: () => db.database.create({ data: { name: "fine", engine: "mariadb", grants: { create: [{ userId: ok.id, privilege: "ALL PRIVILEGES ON *.* TO okay" }] } } }),
        message: /refusing to render Database "fine": grants\.0\.privilege is not valid/,
      },
      { backend: "mariadb-users", write: () => db.databaseUser.create({ data: { name: "mallory", engine: "mariadb", passwordHash: hash, hosts: ["%'; DROP USER 'root'@'localhost'; -- "] } }), message: /refusing to render database user "mallory": the host/ },
      { backend: "mariadb-users", write: () => db.databaseUser.create({ data: { name: "eve", engine: "mariadb", passwordHash: "*00' OR '1'='1", hosts: ["%"] } }), message: /"eve": its password hash is not a mysql_native_password hash/ },
      { backend: "mariadb-users", write: () => db.databaseUser.create({ data: { name: "root", engine: "mariadb", passwordHash: hash, hosts: ["localhost"] } }), message: /refusing to render database user "root": the name/ },
      {
        backend: "postgresql-users",
        write: () => db.databaseUser.create({ data: { name: "trudy", engine: "postgresql", passwordHash: "SCRAM-SHA-256$4096:abc$x'; ALTER ROLE postgres PASSWORD 'p" } }),
        message: /"trudy": its password hash is not a SCRAM-SHA-256 verifier/,
      },
      { backend: "postgresql-users", write: () => db.databaseUser.create({ data: { name: "pg_monitor", engine: "postgresql", passwordHash: scramVerifier("some-pass") } }), message: /"pg_monitor": the name/ },
    ];
    for (const c of cases) {
      const row = (await c.write()) as { id: number };
      const { reports } = await runSelection(engine, { backend: c.backend });
      expect(reports.map((r) => r.state), String(c.message)).toEqual(["ERROR"]);
      const log = await db.scriptLog.findUniqueOrThrow({ where: { id: reports[0].logId } });
      expect(log.stderr).toMatch(c.message);
      expect(log.stderr).not.toContain(hash);
      // the row goes again, so the next case's run is about its own row only
      await (c.backend.endsWith("users") ? db.databaseUser.delete({ where: { id: row.id } }) : db.database.delete({ where: { id: row.id } }));
    }
    expect(await state()).toEqual(before);
  });
});
