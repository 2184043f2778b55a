// The pure parts of the database services: password verifiers, SQL quoting, the form's users field,
// and what a rendered script shows (never a hash) or refuses (the heredoc's terminator).
import { describe, expect, it } from "vitest";
import { renderScript } from "../lib/orchestration/script";
import { mariadbNativeHash, saslprep, SCRAM_VERIFIER, scramVerifier } from "../lib/services/database-users/passwords";
import { mariadb, postgresql, sqlHeredoc } from "../lib/services/databases/sql";
import { databaseInput } from "../lib/services/databases/schema";
import { createRegistry } from "../lib/services/registry";

const server = { id: 1, name: "db1", address: "127.0.0.1", port: 22, sshUser: "root", hostKeyFingerprint: null, variables: {} };

describe("password verifiers", () => {
  it("mysql_native_password is * + SHA1(SHA1(password)) in upper-case hex", () => {
    // MySQL's documented PASSWORD('password')
    expect(mariadbNativeHash("password")).toBe("*2470C0C06DEE42FD1618BB99005ADCA2EC9D1E19");
  });

  it("SCRAM-SHA-256 verifiers have PostgreSQL's format and a fresh salt each time", () => {
    const a = scramVerifier("pencil");
    expect(a).toMatch(SCRAM_VERIFIER);
    expect(a.startsWith("SCRAM-SHA-256$4096:")).toBe(true);
    expect(scramVerifier("pencil")).not.toBe(a);
    expect(scramVerifier("pencil", Buffer.alloc(16, 1))).toBe(scramVerifier("pencil", Buffer.alloc(16, 1)));
  });

  it("SASLprep: ASCII as typed, non-ASCII spaces mapped, NFKC, prohibited characters leave the password as typed", () => {
    expect(saslprep("plain ascii \u0001")).toBe("plain ascii \u0001");
    expect(saslprep("a\u00A0b\u00ADc")).toBe("a bc");
    expect(saslprep("\uFB01x")).toBe("fix");
    expect(saslprep("p\u00E4ss\u0007")).toBe("p\u00E4ss\u0007");
  });
});

describe("SQL quoting", () => {
  it("quotes identifiers and literals for each server, and escapes GRANT wildcards", () => {
    expect(mariadb.ident("a`b")).toBe("`a``b`");
    expect(mariadb.literal("it's \\ fine")).toBe("'it''s \\\\ fine'");
    expect(mariadb.grantPattern("shop_db%")).toBe("shop\\_db\\%");
    expect(postgresql.ident('a"b')).toBe('"a""b"');
    expect(postgresql.literal("it's \\")).toBe("E'it''s \\\\'");
    expect(postgresql.names([])).toBe("ARRAY[]::text[]");
    expect(() => mariadb.literal("a\0b")).toThrow(/NUL/);
  });

  it("refuses a line that would end the heredoc early", () => {
    expect(() => sqlHeredoc("psql", "", ["SELECT 1;", "ORCHESTRA_SQL", "DROP DATABASE x;"])).toThrow(/terminator/);
  });
});

describe("the form's users field", () => {
  const parse = (users: string) => databaseInput.safeParse({ name: "shop", engine: "mariadb", users });
  it("reads user and user:read, and refuses anything else", () => {
    expect(parse("alice, bob:read\ncarol:all").data?.users).toEqual([
      { name: "alice", privilege: "all" },
      { name: "bob", privilege: "read" },
      { name: "carol", privilege: "all" },
    ]);
    expect(parse("alice:write").success).toBe(false);
    expect(parse("root").success).toBe(false);
    expect(parse("alice, alice:read").success).toBe(false);
    expect(databaseInput.safeParse({ name: "mysql", engine: "mariadb" }).success).toBe(false);
    expect(databaseInput.safeParse({ name: "shop", engine: "oracle" }).success).toBe(false);
  });
});

describe("rendered scripts", () => {
  const registry = createRegistry();
  const op = (backend: string, model: string, after: Record<string, unknown>) => ({ backend, action: "save", model, objectId: "1", objectLabel: String(after.name), before: null, after });

  it("a user's hash reaches the server only through the secret variable", () => {
    const hash = mariadbNativeHash("s3cret-pass");
    const user = { id: 1, name: "alice", engine: "mariadb", passwordHash: hash, hosts: ["%"], grants: [{ privilege: "all", database: { name: "shop", engine: "mariadb" } }] };
    const script = renderScript(registry.get("mariadb-users"), server, [op("mariadb-users", "DatabaseUser", user)]);
    expect(script.text).not.toContain(hash);
    expect(script.executable).toContain(`ORCHESTRA_SECRET_1='${hash}'`);
    expect(script.text).toContain("<<'ORCHESTRA_SQL'");
    expect(script.text).toContain("GRANT ALL PRIVILEGES ON `shop`.* TO 'alice'@'%';");

    const verifier = scramVerifier("s3cret-pass");
    const role = renderScript(registry.get("postgresql-users"), server, [op("postgresql-users", "DatabaseUser", { ...user, engine: "postgresql", passwordHash: verifier, grants: [] })]);
    expect(role.text).not.toContain(verifier);
    expect(role.text).toContain(`PASSWORD :'orchestra_password';`);
  });

  it("a backend runs nothing for a database of the other engine", () => {
    const database = { id: 1, name: "shop", engine: "postgresql", grants: [] };
    expect(renderScript(registry.get("mariadb-databases"), server, [op("mariadb-databases", "Database", database)]).hasContent).toBe(false);
    expect(renderScript(registry.get("postgresql-databases"), server, [op("postgresql-databases", "Database", database)]).hasContent).toBe(true);
  });
});
