// How SQL reaches a server: fed to its client (`mariadb`, `psql`) on stdin through a quoted heredoc, so
// the shell expands nothing in it. Values enter the SQL only through the quoting helpers below, and only
// after names.ts accepted them. A secret (a password hash) never appears in the SQL text: the shell
// prints it into the client's input ahead of the heredoc, from the script's secret variable.
import { raw, type ShellFragment } from "@/lib/orchestration/shell";

export const SQL_END = "ORCHESTRA_SQL";

function noNul(value: string): string {
  if (value.includes("\0")) throw new Error("a NUL byte cannot go into SQL");
  return value;
}

/** MariaDB: identifiers in backticks, string literals with \ and ' escaped (default sql_mode). */
export const mariadb = {
  ident: (name: string) => `\`${noNul(name).replace(/`/g, "``")}\``,
  literal: (value: string) => `'${noNul(value).replace(/\\/g, "\\\\").replace(/'/g, "''")}'`,
  /**
   * A database in GRANT/REVOKE: `_` and `%` are wildcards there, so `my_db` would also grant `myXdb`.
   * Escaped, the grant is for this database only.
   */
  grantPattern: (name: string) => name.replace(/\\/g, "\\\\").replace(/[_%]/g, "\\$&"),
  account: (user: string, host: string) => `${mariadb.literal(user)}@${mariadb.literal(host)}`,
};

/** PostgreSQL: identifiers in double quotes, string literals as E'' (correct whatever standard_conforming_strings says). */
export const postgresql = {
  ident: (name: string) => `"${noNul(name).replace(/"/g, '""')}"`,
  literal: (value: string) => `E'${noNul(value).replace(/\\/g, "\\\\").replace(/'/g, "''")}'`,
  /** A text[] of names, for `<> ALL (…)` (an empty list is fine, unlike `NOT IN ()`). */
  names: (values: readonly string[]) => `ARRAY[${values.map(postgresql.literal).join(", ")}]::text[]`,
};

/**
 * Runs SQL lines through the client in the bash array `client` (set by the backend's prepare). With a
 * prelude, the prelude's output (e.g. `printf` of a secret) goes to the client first.
 */
export function sqlHeredoc(client: string, args: string, lines: readonly string[], prelude?: ShellFragment): ShellFragment {
  if (!/^[a-z_]+$/.test(client)) throw new Error(`not a client array name: ${client}`);
  for (const line of lines) {
    noNul(line);
    if (line.trim() === SQL_END) throw new Error("a line of SQL equals the heredoc terminator");
  }
  const run = `"\${${client}[@]}"${args ? ` ${args}` : ""}`;
  const body = [...lines, SQL_END].join("\n");
  return prelude ? raw(`{ ${prelude.text}; cat <<'${SQL_END}'\n${body}\n} | ${run}`) : raw(`${run} <<'${SQL_END}'\n${body}`);
}
