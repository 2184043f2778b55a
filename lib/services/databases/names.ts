// What may be a database, a database user or a MariaDB account host: strict patterns, checked by the
// forms and again when a script is rendered (a row may have been written by another path). Nothing
// outside them can reach SQL, so quoting (sql.ts) is a second line of defence, not the only one.

export const ENGINES = ["mariadb", "postgresql"] as const;
export type Engine = (typeof ENGINES)[number];
export const ENGINE_LABELS: Record<Engine, string> = { mariadb: "MariaDB", postgresql: "PostgreSQL" };

export const PRIVILEGES = ["all", "read"] as const;
export type Privilege = (typeof PRIVILEGES)[number];

/** A database name: lowercase letters, digits and _, at most 63 (PostgreSQL's limit; MariaDB's is 64). */
export const DATABASE_NAME = /^[a-z][a-z0-9_]{0,62}$/;
/** A user name: the same alphabet, at most 32 (what every MariaDB and PostgreSQL version accepts). */
export const USER_NAME = /^[a-z][a-z0-9_]{0,31}$/;
/**
 * A MariaDB account host: a name or address with the wildcards % and _ ('%', '127.0.0.%',
 * 'db.example.net', '::1'), optionally /netmask ('10.0.0.0/255.255.255.0'). No quotes or spaces.
 */
export const ACCOUNT_HOST = /^[A-Za-z0-9.%_:-]{1,60}(\/[0-9.]{7,15})?$/;

/** The servers' own databases: never created, renamed, granted or dropped from here. */
export const RESERVED_DATABASES = ["mysql", "information_schema", "performance_schema", "sys", "postgres", "template0", "template1"];
/** The servers' own accounts and names SQL gives a meaning to. */
export const RESERVED_USERS = ["root", "mysql", "mariadb", "postgres", "public", "none", "current_user", "current_role", "session_user", "debian_sys_maint"];

export function databaseNameError(name: unknown): string | null {
  if (typeof name !== "string" || !DATABASE_NAME.test(name)) return "Lowercase letters, digits and _; starts with a letter; at most 63.";
  if (RESERVED_DATABASES.includes(name)) return `${name} is a database of the server itself.`;
  return null;
}

export function userNameError(name: unknown): string | null {
  if (typeof name !== "string" || !USER_NAME.test(name)) return "Lowercase letters, digits and _; starts with a letter; at most 32.";
  if (RESERVED_USERS.includes(name) || name.startsWith("pg_")) return `${name} is an account of the server itself.`;
  return null;
}

export function hostError(host: unknown): string | null {
  return typeof host === "string" && ACCOUNT_HOST.test(host) ? null : "Hosts such as %, 127.0.0.% or db.example.net (no quotes or spaces).";
}

/** Throwing while rendering makes the run ERROR before anything is executed. */
export function refuse(kind: string, label: unknown, what: string, value: unknown): never {
  throw new Error(`refusing to render ${kind} ${JSON.stringify(String(label))}: ${what} ${JSON.stringify(value)} cannot go into SQL.`);
}
