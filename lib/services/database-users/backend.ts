// Database users on MariaDB (mariadb-users: one account per host, 'name'@'host') and PostgreSQL
// (postgresql-users: a login role). The password reaches the server only as its own hash, set at the
// top of the executed script (ctx.secret) and printed into the client's input, never into the SQL text
// or the stored script. A save creates, renames or updates the user; a delete drops it. Grants are the
// databases' (mariadb-databases, postgresql-databases); MariaDB accounts created here get their
// database grants at once, so a user added after its database still ends up with its privileges.
import { sh } from "@/lib/orchestration/shell";
import { defineBackend, type TypedOperation } from "../kit";
import { MARIADB_CLIENT, PG_CLIENT, PSQL_ARGS } from "../databases/backend";
import * as maria from "../databases/mariadb-sql";
import { databaseNameError, hostError, refuse, userNameError, type Engine } from "../databases/names";
import * as pg from "../databases/postgresql-sql";
import { sqlHeredoc } from "../databases/sql";
import { MARIADB_HASH, SCRAM_VERIFIER } from "./passwords";
import { databaseUserSnapshot, type DatabaseUserSnapshot } from "./schema";

/** Every value that enters SQL, checked whatever wrote the row. Returns the password hash. */
function checkUser(user: DatabaseUserSnapshot, engine: Engine): string {
  if (userNameError(user.name)) refuse("database user", user.name, "the name", user.name);
  if (engine === "mariadb") {
    if (user.hosts.length === 0) refuse("database user", user.name, "the host list", user.hosts);
    for (const host of user.hosts) if (hostError(host)) refuse("database user", user.name, "the host", host);
  }
  for (const { database } of user.grants) {
    if (databaseNameError(database.name)) refuse("database user", user.name, "the database", database.name);
    if (database.engine !== engine) refuse("database user", user.name, `the ${database.engine} database`, database.name);
  }
  const hash = user.passwordHash ?? "";
  // The hash is never shown, even in a refusal: only what is wrong with it.
  if (!(engine === "mariadb" ? MARIADB_HASH : SCRAM_VERIFIER).test(hash)) {
    throw new Error(`refusing to render database user ${JSON.stringify(user.name)}: ${hash ? `its password hash is not a ${engine === "mariadb" ? "mysql_native_password hash" : "SCRAM-SHA-256 verifier"}` : "it has no password"}.`);
  }
  return hash;
}

/** The user before this change, when it was this engine's and had another name (a rename). */
function formerName(user: DatabaseUserSnapshot, before: DatabaseUserSnapshot | null, engine: Engine): string | null {
  if (!before) return null;
  if (before.engine !== engine) refuse("database user", user.name, "the engine (it cannot change) was", before.engine);
  if (before.name === user.name) return null;
  if (userNameError(before.name)) refuse("database user", user.name, "the former name", before.name);
  return before.name;
}

export const mariadbUsers = defineBackend(databaseUserSnapshot, {
  name: "mariadb-users",
  title: "Database users (MariaDB)",
  model: "DatabaseUser",
  actions: ["save", "delete"],
  method: "ssh",
  variables: MARIADB_CLIENT,
  identity: (o) => String(o.name),
  prepare(ctx) {
    ctx.append(sh`mariadb=(${ctx.command("MARIADB_CLIENT")})`);
  },
  save(ctx, user, { before }: TypedOperation<DatabaseUserSnapshot>) {
    if (user.engine !== "mariadb") return;
    const hash = checkUser(user, "mariadb");
    const from = formerName(user, before, "mariadb");
    const oldHosts = before ? before.hosts.filter((h) => !hostError(h)) : [];
    const lines = [maria.MARIADB_START];
    if (from) for (const host of oldHosts.filter((h) => user.hosts.includes(h))) lines.push(...maria.renameAccount({ user: from, host }, { user: user.name, host }));
    // Accounts of hosts no longer listed (and, after a rename, any left under the old name) go.
    for (const host of oldHosts) if (from || !user.hosts.includes(host)) lines.push(...maria.dropAccount({ user: from ?? user.name, host }));
    for (const host of user.hosts) {
      const account = { user: user.name, host };
      lines.push(...maria.saveAccount(account, "@orchestra_hash"));
      for (const g of user.grants) lines.push(...maria.grant(g.database.name, account, g.privilege));
    }
    const prelude = sh`printf ${"SET @orchestra_hash = '%s';\\n"} ${ctx.secret(hash)}`;
    ctx.append(sqlHeredoc("mariadb", "", lines, prelude));
  },
  delete(ctx, user) {
    if (user.engine !== "mariadb") return;
    if (userNameError(user.name)) refuse("database user", user.name, "the name", user.name);
    const hosts = user.hosts.filter((h) => !hostError(h));
    ctx.append(sqlHeredoc("mariadb", "", [maria.MARIADB_START, ...hosts.flatMap((host) => maria.dropAccount({ user: user.name, host }))]));
  },
});

export const postgresqlUsers = defineBackend(databaseUserSnapshot, {
  name: "postgresql-users",
  title: "Database users (PostgreSQL)",
  model: "DatabaseUser",
  actions: ["save", "delete"],
  method: "ssh",
  variables: PG_CLIENT,
  identity: (o) => String(o.name),
  prepare(ctx) {
    ctx.append(sh`psql=(${ctx.command("PG_CLIENT")})`);
  },
  save(ctx, user, { before }: TypedOperation<DatabaseUserSnapshot>) {
    if (user.engine !== "postgresql") return;
    const verifier = checkUser(user, "postgresql");
    const from = formerName(user, before, "postgresql");
    const prelude = sh`printf ${"\\\\set orchestra_password '%s'\\n"} ${ctx.secret(verifier)}`;
    ctx.append(sqlHeredoc("psql", PSQL_ARGS, pg.saveRole(user.name, from, "orchestra_password"), prelude));
  },
  delete(ctx, user) {
    if (user.engine !== "postgresql") return;
    if (userNameError(user.name)) refuse("database user", user.name, "the name", user.name);
    const databases = user.grants.map((g) => g.database.name).filter((name) => !databaseNameError(name));
    ctx.append(sqlHeredoc("psql", PSQL_ARGS, pg.dropRole(user.name, databases)));
  },
});
