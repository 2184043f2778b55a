// Databases on MariaDB (mariadb-databases) and PostgreSQL (postgresql-databases), through the server's
// SQL client over the SSH session. A save creates the database if needed (a rename renames it) and
// brings its grants to the stored users; a delete drops it, after a dump when the server's
// *_DUMP_DIR variable names a directory. A backend handles the databases of its engine only: another
// engine's database routed to it runs nothing.
import type { ScriptContext, VariableSpec } from "@/lib/orchestration/backend";
import { raw, sh, type ShellFragment } from "@/lib/orchestration/shell";
import { defineBackend, type TypedOperation } from "../kit";
import * as maria from "./mariadb-sql";
import { databaseNameError, hostError, refuse, userNameError, type Engine } from "./names";
import * as pg from "./postgresql-sql";
import { sqlHeredoc } from "./sql";
import { databaseSnapshot, type DatabaseSnapshot } from "./schema";

export const MARIADB_CLIENT: Record<string, VariableSpec> = {
  MARIADB_CLIENT: { default: "mariadb", description: "The SQL client, run as a MariaDB administrator (root over the local socket by default).", command: true },
};

export const PG_CLIENT: Record<string, VariableSpec> = {
  PG_CLIENT: { default: "runuser -u postgres -- psql", description: "psql as a PostgreSQL superuser (the postgres account over the local socket by default).", command: true },
};

/** psql options of every run: no ~/.psqlrc, quiet, never prompt, stop at the first error, connected to `postgres`. */
export const PSQL_ARGS = "-X -q -w -v ON_ERROR_STOP=1 --dbname=postgres";

/** Every value that enters SQL, checked whatever wrote the row. */
export function checkDatabase(db: DatabaseSnapshot, engine: Engine): void {
  const problem = databaseNameError(db.name);
  if (problem) refuse("database", db.name, "the name", db.name);
  for (const { user } of db.grants) {
    if (userNameError(user.name)) refuse("database", db.name, "the user", user.name);
    if (user.engine !== engine) refuse("database", db.name, `the ${user.engine} user`, user.name);
    if (engine === "mariadb") for (const host of user.hosts) if (hostError(host)) refuse("database", db.name, `the host of user ${user.name}`, host);
  }
}

/** The database before this change, when it was this engine's and had another name (a rename). */
function renamedFrom(db: DatabaseSnapshot, before: DatabaseSnapshot | null, engine: Engine): string | null {
  if (!before) return null;
  if (before.engine !== engine) refuse("database", db.name, "the engine (it cannot change) was", before.engine);
  if (before.name === db.name) return null;
  if (databaseNameError(before.name)) refuse("database", db.name, "the former name", before.name);
  return before.name;
}

/** Turns the byte count the SQL client printed into `size=<MiB>` (only a plain number is read). */
const TO_MIB = raw(`LC_ALL=C awk 'NR == 1 && $1 ~ /^[0-9]+$/ { printf "size=%.2f\\n", $1 / 1048576 }'`);

/** Shell lines that dump a database into DIR/<name>-<UTC time>.sql before it is dropped (when DIR is set). */
function dumpFirst(ctx: ScriptContext, dirVariable: string, exists: ShellFragment, dump: ShellFragment, name: string) {
  const dir = ctx.variable(dirVariable);
  if (!dir) return;
  ctx.append(sh`if [ -n "$(${exists})" ]; then`);
  ctx.append(sh`  file=${`${dir.replace(/\/+$/, "")}/${name}-`}"$(date -u +%Y%m%dT%H%M%SZ)".sql`);
  ctx.append(sh`  (umask 077 && mkdir -p -- ${dir} && ${dump} > "$file.partial" && mv -- "$file.partial" "$file")`);
  ctx.append(sh`  echo ${`dumped database ${name} to`} "$file"`);
  ctx.append(raw("fi"));
}

export const mariadbDatabases = defineBackend(databaseSnapshot, {
  name: "mariadb-databases",
  title: "Databases (MariaDB)",
  model: "Database",
  actions: ["save", "delete"],
  method: "ssh",
  variables: {
    ...MARIADB_CLIENT,
    MARIADB_DUMP: { default: "mariadb-dump", description: "The dump tool, run as a MariaDB administrator.", command: true },
    MARIADB_DUMP_DIR: {
      default: "",
      description: "Directory where a database is dumped (mariadb-dump, <name>-<UTC time>.sql, mode 0600) before it is dropped. Empty: no dump — deleting a database deletes its data.",
    },
  },
  identity: (o) => String(o.name),
  prepare(ctx) {
    ctx.append(sh`mariadb=(${ctx.command("MARIADB_CLIENT")})`);
  },
  save(ctx, db, { before }: TypedOperation<DatabaseSnapshot>) {
    if (db.engine !== "mariadb") return;
    checkDatabase(db, "mariadb");
    const from = renamedFrom(db, before, "mariadb");
    const accounts = db.grants.flatMap((g) => g.user.hosts.map((host) => ({ account: { user: g.user.name, host }, privilege: g.privilege })));
    const lines = [
      maria.MARIADB_START,
      ...(from ? [...maria.renameDatabase(from, db.name), ...maria.revokeOthers(from, [])] : maria.createDatabase(db.name)),
      ...maria.revokeOthers(db.name, accounts.map((a) => a.account)),
      ...accounts.flatMap((a) => maria.grant(db.name, a.account, a.privilege)),
    ];
    ctx.append(sqlHeredoc("mariadb", "", lines));
  },
  delete(ctx, db) {
    if (db.engine !== "mariadb") return;
    if (databaseNameError(db.name)) refuse("database", db.name, "the name", db.name);
    const exists = sh`"\${mariadb[@]}" -N -e ${maria.databaseExistsQuery(db.name)}`;
    const dump = sh`${ctx.command("MARIADB_DUMP")} --single-transaction --routines --events --triggers --databases ${db.name}`;
    dumpFirst(ctx, "MARIADB_DUMP_DIR", exists, dump, db.name);
    ctx.append(sqlHeredoc("mariadb", "", [maria.MARIADB_START, ...maria.dropDatabase(db.name), ...maria.revokeOthers(db.name, [])]));
  },
  commands: {
    // The exceeded action of the size resource; a re-apply (a save) gives the stored grants back.
    "revoke-writes": {
      title: "Revoke writes",
      description: "Every user of the database keeps SELECT only, until the database is re-applied (its stored grants).",
      confirm: "Make the chosen databases read-only for their users until they are re-applied?",
      run(ctx, db) {
        if (db.engine !== "mariadb") return;
        checkDatabase(db, "mariadb");
        const accounts = db.grants.flatMap((g) => g.user.hosts.map((host) => ({ user: g.user.name, host })));
        if (accounts.length) ctx.append(sqlHeredoc("mariadb", "", [maria.MARIADB_START, ...accounts.flatMap((a) => maria.grant(db.name, a, "read"))]));
      },
    },
  },
  monitors: {
    size: {
      unit: "MiB",
      measure(ctx, db) {
        if (db.engine !== "mariadb") return;
        if (databaseNameError(db.name)) refuse("database", db.name, "the name", db.name);
        ctx.append(sh`"\${mariadb[@]}" -N -B -e ${maria.databaseSizeQuery(db.name)} | ${TO_MIB}`);
      },
    },
  },
});

export const postgresqlDatabases = defineBackend(databaseSnapshot, {
  name: "postgresql-databases",
  title: "Databases (PostgreSQL)",
  model: "Database",
  actions: ["save", "delete"],
  method: "ssh",
  variables: {
    ...PG_CLIENT,
    PG_DUMP: { default: "runuser -u postgres -- pg_dump", description: "pg_dump as a PostgreSQL superuser.", command: true },
    PG_DUMP_DIR: {
      default: "",
      description: "Directory where a database is dumped (pg_dump --create, <name>-<UTC time>.sql, mode 0600) before it is dropped. Empty: no dump — deleting a database deletes its data.",
    },
  },
  identity: (o) => String(o.name),
  prepare(ctx) {
    ctx.append(sh`psql=(${ctx.command("PG_CLIENT")})`);
  },
  save(ctx, db, { before }: TypedOperation<DatabaseSnapshot>) {
    if (db.engine !== "postgresql") return;
    checkDatabase(db, "postgresql");
    const from = renamedFrom(db, before, "postgresql");
    const lines = [
      ...pg.requireRoles(db.grants.map((g) => g.user.name)),
      ...(from ? pg.renameDatabase(from, db.name) : []),
      ...pg.createDatabase(db.name),
      ...pg.applyGrants(db.name, db.grants.map((g) => ({ user: g.user.name, privilege: g.privilege }))),
    ];
    ctx.append(sqlHeredoc("psql", PSQL_ARGS, lines));
  },
  delete(ctx, db) {
    if (db.engine !== "postgresql") return;
    if (databaseNameError(db.name)) refuse("database", db.name, "the name", db.name);
    const exists = sh`"\${psql[@]}" -X -w -tA --dbname=postgres -c ${pg.databaseExistsQuery(db.name)}`;
    const dump = sh`${ctx.command("PG_DUMP")} --create ${`--dbname=${db.name}`}`;
    dumpFirst(ctx, "PG_DUMP_DIR", exists, dump, db.name);
    ctx.append(sqlHeredoc("psql", PSQL_ARGS, pg.dropDatabase(db.name)));
  },
  monitors: {
    size: {
      unit: "MiB",
      measure(ctx, db) {
        if (db.engine !== "postgresql") return;
        if (databaseNameError(db.name)) refuse("database", db.name, "the name", db.name);
        ctx.append(sh`"\${psql[@]}" -X -w -tA --dbname=postgres -c ${pg.databaseSizeQuery(db.name)} | ${TO_MIB}`);
      },
    },
  },
});
