// The SQL of the PostgreSQL backends (databases and users), as psql input for one client run connected
// to the maintenance database `postgres`. CREATE/ALTER/DROP DATABASE cannot run in a transaction or a
// DO block, so conditions are SELECTs whose rows psql executes (`\gexec`): no row, nothing runs.
// Pure: names were checked (names.ts) before these are called.
import type { Privilege } from "./names";
import { postgresql as q } from "./sql";

export type Grant = { user: string; privilege: Privilege };

const databaseExists = (name: string) => `EXISTS (SELECT FROM pg_database WHERE datname = ${q.literal(name)})`;
const roleExists = (name: string) => `EXISTS (SELECT FROM pg_roles WHERE rolname = ${q.literal(name)})`;
/** psql's \connect with a quoted argument (names are plain, but a quote is doubled all the same). */
const connect = (name: string) => `\\connect '${name.replace(/'/g, "''")}'`;

/** Fails the run, before anything changes, when a granted role does not exist (yet) on this server. */
export function requireRoles(names: readonly string[]): string[] {
  if (names.length === 0) return [];
  const message = `'database user ' || n || ' does not exist on this server (its postgresql-users run must succeed first)'`;
  return [`SELECT format('DO %L', format('BEGIN RAISE EXCEPTION %L; END', ${message})) FROM unnest(${q.names(names)}) n WHERE NOT EXISTS (SELECT FROM pg_roles WHERE rolname = n)\\gexec`];
}

export function renameDatabase(from: string, to: string): string[] {
  return [`SELECT format('ALTER DATABASE %I RENAME TO %I', ${q.literal(from)}, ${q.literal(to)}) WHERE ${databaseExists(from)} AND NOT ${databaseExists(to)}\\gexec`];
}

export function createDatabase(name: string): string[] {
  return [`SELECT format('CREATE DATABASE %I', ${q.literal(name)}) WHERE NOT ${databaseExists(name)}\\gexec`];
}

export function dropDatabase(name: string): string[] {
  return [`DROP DATABASE IF EXISTS ${q.ident(name)};`];
}

/**
 * Brings who may use a database to the stored grants. Database level: PUBLIC and every role not in
 * `grants` lose their privileges (no CONNECT: access denied); all = CONNECT, CREATE, TEMPORARY;
 * read = CONNECT. Inside it (one transaction): a role that is not in `grants` but still owns or may
 * use something there has its objects handed to the administrator (REASSIGN OWNED — the data stays)
 * and its privileges dropped; each granted role's privileges on schema public, its tables and
 * sequences are reset and granted again (all: ALL; read: USAGE and SELECT, and a read role owns
 * nothing), and default privileges make the tables a role with "all" creates later usable by the
 * others (ALL or SELECT). Roles that own a database are left alone inside (REASSIGN OWNED would hand
 * over their databases too). Every granted role must exist: a missing one fails the run.
 */
export function applyGrants(name: string, grants: readonly Grant[]): string[] {
  const db = q.ident(name);
  const users = grants.map((g) => g.user);
  const writers = grants.filter((g) => g.privilege === "all").map((g) => g.user);
  const lines = [
    `REVOKE ALL ON DATABASE ${db} FROM PUBLIC;`,
    `SELECT DISTINCT format('REVOKE ALL ON DATABASE %I FROM %I', d.datname, r.rolname) FROM pg_database d, aclexplode(d.datacl) a, pg_roles r` +
      ` WHERE d.datname = ${q.literal(name)} AND r.oid = a.grantee AND r.oid <> d.datdba AND r.rolname <> ALL (${q.names(users)})\\gexec`,
    ...grants.flatMap((g) =>
      g.privilege === "all"
        ? [`GRANT ALL ON DATABASE ${db} TO ${q.ident(g.user)};`]
        : [`REVOKE ALL ON DATABASE ${db} FROM ${q.ident(g.user)};`, `GRANT CONNECT ON DATABASE ${db} TO ${q.ident(g.user)};`],
    ),
    connect(name),
    "BEGIN;",
    `SELECT format('REASSIGN OWNED BY %I TO CURRENT_USER', r.rolname), format('DROP OWNED BY %I', r.rolname) FROM pg_roles r` +
      ` WHERE r.oid IN (SELECT refobjid FROM pg_shdepend WHERE refclassid = 'pg_authid'::regclass AND dbid = (SELECT oid FROM pg_database WHERE datname = current_database()))` +
      ` AND NOT r.rolsuper AND r.rolname <> current_user AND r.rolname <> ALL (${q.names(users)})` +
      ` AND NOT EXISTS (SELECT FROM pg_database WHERE datdba = r.oid)\\gexec`,
  ];
  for (const g of grants) {
    const who = q.ident(g.user);
    lines.push(
      `REVOKE ALL ON SCHEMA public FROM ${who};`,
      `REVOKE ALL ON ALL TABLES IN SCHEMA public FROM ${who};`,
      `REVOKE ALL ON ALL SEQUENCES IN SCHEMA public FROM ${who};`,
      // (never a role's own defaults: revoking those would strip an owner of its future tables)
      ...users.filter((creator) => creator !== g.user).flatMap((creator) => [
        `ALTER DEFAULT PRIVILEGES FOR ROLE ${q.ident(creator)} IN SCHEMA public REVOKE ALL ON TABLES FROM ${who};`,
        `ALTER DEFAULT PRIVILEGES FOR ROLE ${q.ident(creator)} IN SCHEMA public REVOKE ALL ON SEQUENCES FROM ${who};`,
      ]),
    );
    if (g.privilege === "read") {
      lines.push(`SELECT format('REASSIGN OWNED BY %I TO CURRENT_USER', ${q.literal(g.user)}) WHERE NOT EXISTS (SELECT FROM pg_database d JOIN pg_roles r ON r.oid = d.datdba WHERE r.rolname = ${q.literal(g.user)})\\gexec`);
    }
  }
  for (const g of grants) {
    const who = q.ident(g.user);
    const level = g.privilege === "all" ? "ALL" : "SELECT";
    lines.push(
      `GRANT ${g.privilege === "all" ? "ALL" : "USAGE"} ON SCHEMA public TO ${who};`,
      `GRANT ${level} ON ALL TABLES IN SCHEMA public TO ${who};`,
      `GRANT ${level} ON ALL SEQUENCES IN SCHEMA public TO ${who};`,
      ...writers
        .filter((w) => w !== g.user)
        .flatMap((w) => [
          `ALTER DEFAULT PRIVILEGES FOR ROLE ${q.ident(w)} IN SCHEMA public GRANT ${level} ON TABLES TO ${who};`,
          `ALTER DEFAULT PRIVILEGES FOR ROLE ${q.ident(w)} IN SCHEMA public GRANT ${level} ON SEQUENCES TO ${who};`,
        ]),
    );
  }
  lines.push("COMMIT;");
  return lines;
}

/** Creates or renames the role, then makes it a plain login role with the password verifier in psql's `:'variable'`. */
export function saveRole(name: string, before: string | null, passwordVariable: string): string[] {
  return [
    ...(before && before !== name
      ? [`SELECT format('ALTER ROLE %I RENAME TO %I', ${q.literal(before)}, ${q.literal(name)}) WHERE ${roleExists(before)} AND NOT ${roleExists(name)}\\gexec`]
      : []),
    `SELECT format('CREATE ROLE %I', ${q.literal(name)}) WHERE NOT ${roleExists(name)}\\gexec`,
    `ALTER ROLE ${q.ident(name)} WITH LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS PASSWORD :'${passwordVariable}';`,
  ];
}

/**
 * Drops a role: first, in each database it was granted, what it owns goes to the administrator
 * (the data stays) and its privileges are dropped; then the role. Objects it still owns elsewhere
 * make DROP ROLE fail and say where.
 */
export function dropRole(name: string, databases: readonly string[]): string[] {
  const lines: string[] = [];
  for (const database of databases) {
    lines.push(
      `SELECT ${databaseExists(database)} AND ${roleExists(name)} AS orchestra_present \\gset`,
      "\\if :orchestra_present",
      connect(database),
      `REASSIGN OWNED BY ${q.ident(name)} TO CURRENT_USER;`,
      `DROP OWNED BY ${q.ident(name)};`,
      "\\endif",
    );
  }
  lines.push(`DROP ROLE IF EXISTS ${q.ident(name)};`);
  return lines;
}

/** The SQL that tells the shell whether a database exists (prints 1). */
export function databaseExistsQuery(name: string): string {
  return `SELECT 1 FROM pg_database WHERE datname = ${q.literal(name)}`;
}

/** The bytes a database takes on disk, one number (nothing when it does not exist). */
export function databaseSizeQuery(name: string): string {
  return `SELECT pg_database_size(datname) FROM pg_database WHERE datname = ${q.literal(name)}`;
}
