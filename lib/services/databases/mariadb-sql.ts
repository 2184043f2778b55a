// The SQL of the MariaDB backends (databases and users), as lines for one client run. Every run starts
// with `DELIMITER //`, so statements end with `//` and compound blocks (`BEGIN NOT ATOMIC … END`, which
// need `;` inside) can be sent as they are. Pure: names were checked (names.ts) before these are called.
import type { Privilege } from "./names";
import { mariadb as q } from "./sql";

export const MARIADB_START = "DELIMITER //";

export type Account = { user: string; host: string };

const accountExists = (a: Account) => `EXISTS (SELECT 1 FROM mysql.user WHERE User = ${q.literal(a.user)} AND Host = ${q.literal(a.host)})`;
const schemaExists = (name: string) => `EXISTS (SELECT 1 FROM information_schema.schemata WHERE schema_name = ${q.literal(name)})`;
const onDatabase = (name: string) => `${q.ident(q.grantPattern(name))}.*`;

export function createDatabase(name: string): string[] {
  return [`CREATE DATABASE IF NOT EXISTS ${q.ident(name)}//`];
}

/**
 * MariaDB has no RENAME DATABASE: the new database is created, every table is moved into it with
 * RENAME TABLE (a metadata change, no copy), and the old one is dropped once it is empty. Views,
 * routines, triggers and events cannot move that way: with any of them the rename refuses before it
 * moves anything. Re-running it finishes an interrupted rename.
 */
export function renameDatabase(from: string, to: string): string[] {
  const f = q.literal(from);
  const moveTable = `CONCAT('RENAME TABLE ', ${q.literal(q.ident(from))}, '.\`', REPLACE(t, '\`', '\`\`'), '\` TO ', ${q.literal(q.ident(to))}, '.\`', REPLACE(t, '\`', '\`\`'), '\`')`;
  return [
    ...createDatabase(to),
    "BEGIN NOT ATOMIC",
    "  DECLARE done INT DEFAULT 0;",
    "  DECLARE t VARCHAR(64);",
    `  DECLARE table_cursor CURSOR FOR SELECT table_name FROM information_schema.tables WHERE table_schema = ${f} AND table_type = 'BASE TABLE';`,
    "  DECLARE CONTINUE HANDLER FOR NOT FOUND SET done = 1;",
    `  IF ${schemaExists(from)} THEN`,
    `    IF EXISTS (SELECT 1 FROM information_schema.tables WHERE table_schema = ${f} AND table_type <> 'BASE TABLE')`,
    `       OR EXISTS (SELECT 1 FROM information_schema.routines WHERE routine_schema = ${f})`,
    `       OR EXISTS (SELECT 1 FROM information_schema.triggers WHERE trigger_schema = ${f})`,
    `       OR EXISTS (SELECT 1 FROM information_schema.events WHERE event_schema = ${f}) THEN`,
    `      SIGNAL SQLSTATE '45000' SET MESSAGE_TEXT = ${q.literal(`cannot rename ${from} to ${to}: it has views, routines, triggers or events, which RENAME TABLE cannot move (nothing was moved)`)};`,
    "    END IF;",
    "    OPEN table_cursor;",
    "    moving: LOOP",
    "      FETCH table_cursor INTO t;",
    "      IF done THEN LEAVE moving; END IF;",
    `      EXECUTE IMMEDIATE ${moveTable};`,
    "    END LOOP;",
    "    CLOSE table_cursor;",
    `    IF NOT EXISTS (SELECT 1 FROM information_schema.tables WHERE table_schema = ${f}) THEN`,
    `      DROP DATABASE ${q.ident(from)};`,
    "    END IF;",
    "  END IF;",
    "END//",
  ];
}

export function dropDatabase(name: string): string[] {
  return [`DROP DATABASE IF EXISTS ${q.ident(name)}//`];
}

/**
 * Revokes the database-level privileges on `name` of every account not in `keep` (grants outlive
 * DROP DATABASE in MariaDB, so a later database of the same name would inherit them). Rows written
 * with the unescaped name (`my_db`, a pattern that also matches `myXdb`) are revoked for everyone.
 */
export function revokeOthers(name: string, keep: readonly Account[]): string[] {
  const pattern = q.grantPattern(name);
  const kept = keep.length ? ` AND (User, Host) NOT IN (${keep.map((a) => `(${q.literal(a.user)}, ${q.literal(a.host)})`).join(", ")})` : "";
  const where = `(Db = ${q.literal(pattern)}${kept})${pattern !== name ? ` OR Db = ${q.literal(name)}` : ""}`;
  const on = "CONCAT(' ON `', REPLACE(d, '`', '``'), '`.* FROM ', QUOTE(u), '@', QUOTE(h))";
  return [
    "BEGIN NOT ATOMIC",
    "  DECLARE done INT DEFAULT 0;",
    "  DECLARE u, h, d VARCHAR(255);",
    `  DECLARE grant_cursor CURSOR FOR SELECT User, Host, Db FROM mysql.db WHERE ${where};`,
    "  DECLARE CONTINUE HANDLER FOR NOT FOUND SET done = 1;",
    "  DECLARE CONTINUE HANDLER FOR 1141 BEGIN END;",
    "  OPEN grant_cursor;",
    "  revoking: LOOP",
    "    FETCH grant_cursor INTO u, h, d;",
    "    IF done THEN LEAVE revoking; END IF;",
    `    EXECUTE IMMEDIATE CONCAT('REVOKE ALL PRIVILEGES', ${on});`,
    `    EXECUTE IMMEDIATE CONCAT('REVOKE GRANT OPTION', ${on});`,
    "  END LOOP;",
    "  CLOSE grant_cursor;",
    "END//",
  ];
}

/**
 * Brings one account's privileges on a database to `privilege`: all = ALL PRIVILEGES on it; read =
 * SELECT only. An account that does not exist yet is skipped: mariadb-users grants when it creates it.
 */
export function grant(name: string, account: Account, privilege: Privilege): string[] {
  const who = q.account(account.user, account.host);
  const body =
    privilege === "all"
      ? [`    GRANT ALL PRIVILEGES ON ${onDatabase(name)} TO ${who};`]
      : [`    REVOKE ALL PRIVILEGES ON ${onDatabase(name)} FROM ${who};`, `    GRANT SELECT ON ${onDatabase(name)} TO ${who};`];
  return ["BEGIN NOT ATOMIC", "  DECLARE CONTINUE HANDLER FOR 1141 BEGIN END;", `  IF ${accountExists(account)} THEN`, ...body, "  END IF;", "END//"];
}

/** Creates the account if needed and sets its password from the hash in the session variable `hashVariable`. */
export function saveAccount(account: Account, hashVariable: string): string[] {
  const quoted = `QUOTE(${q.literal(account.user)}), '@', QUOTE(${q.literal(account.host)})`;
  return [
    `EXECUTE IMMEDIATE CONCAT('CREATE USER IF NOT EXISTS ', ${quoted}, ' IDENTIFIED BY PASSWORD ', QUOTE(${hashVariable}))//`,
    `EXECUTE IMMEDIATE CONCAT('ALTER USER ', ${quoted}, ' IDENTIFIED BY PASSWORD ', QUOTE(${hashVariable}))//`,
  ];
}

/** Renames an account when the old one exists and the new one does not (a re-run does nothing). */
export function renameAccount(from: Account, to: Account): string[] {
  return [
    "BEGIN NOT ATOMIC",
    `  IF ${accountExists(from)} AND NOT ${accountExists(to)} THEN`,
    `    RENAME USER ${q.account(from.user, from.host)} TO ${q.account(to.user, to.host)};`,
    "  END IF;",
    "END//",
  ];
}

export function dropAccount(account: Account): string[] {
  return [`DROP USER IF EXISTS ${q.account(account.user, account.host)}//`];
}

/** The SQL that tells the shell whether a database exists (prints 1). */
export function databaseExistsQuery(name: string): string {
  return `SELECT 1 FROM information_schema.schemata WHERE schema_name = ${q.literal(name)}`;
}

/** The bytes a database's tables take (data and indexes), one number. */
export function databaseSizeQuery(name: string): string {
  return `SELECT COALESCE(SUM(data_length + index_length), 0) FROM information_schema.tables WHERE table_schema = ${q.literal(name)}`;
}
