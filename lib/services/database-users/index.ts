// The database users service: MariaDB accounts and PostgreSQL login roles. Which databases they may use
// is set on each database (its Users field).
import type { TxDb } from "@/lib/orchestration/unit-of-work";
import { UserError } from "@/lib/actions/state";
import { defineService } from "../kit";
import { ENGINE_LABELS } from "../databases/names";
import { mariadbUsers, postgresqlUsers } from "./backend";
import { mariadbNativeHash, scramVerifier } from "./passwords";
import { DATABASE_USER_INCLUDE, databaseUserInput, databaseUserSnapshot, type DatabaseUserInput, type DatabaseUserSnapshot } from "./schema";

export const databaseUsers = defineService<DatabaseUserSnapshot, DatabaseUserInput, TxDb>({
  slug: "database-users",
  title: "Database users",
  singular: "database user",
  description: "MariaDB accounts and PostgreSQL login roles; the password is kept only as the server's own hash.",
  model: "DatabaseUser",
  input: databaseUserInput,
  snapshot: databaseUserSnapshot,
  label: (u) => u.name,
  include: DATABASE_USER_INCLUDE,
  secretFields: ["passwordHash"],
  secretInputs: ["password"],
  ignoredFields: ["description"],
  backends: [mariadbUsers, postgresqlUsers],
  list: {
    columns: [
      { label: "Name", value: (u) => u.name, mono: true },
      { label: "Engine", value: (u) => ENGINE_LABELS[u.engine] ?? u.engine },
      { label: "Hosts", value: (u) => (u.engine === "mariadb" ? u.hosts.join(", ") : "pg_hba.conf"), mono: true },
      { label: "Databases", value: (u) => u.grants.map((g) => (g.privilege === "all" ? g.database.name : `${g.database.name} (read)`)).join(", ") || "none", mono: true },
    ],
    search: (q, { insensitive }) => {
      const text = { contains: q, ...(insensitive && { mode: "insensitive" }) };
      return { OR: [{ name: text }, { description: text }, { grants: { some: { database: { name: { contains: q.toLowerCase() } } } } }] };
    },
    filters: [
      { name: "engine", label: "Engine", options: [{ value: "mariadb", label: "MariaDB", where: { engine: "mariadb" } }, { value: "postgresql", label: "PostgreSQL", where: { engine: "postgresql" } }] },
      { name: "databases", label: "Databases", options: [{ value: "none", label: "Without databases", where: { grants: { none: {} } } }] },
    ],
    sorts: [
      { field: "name", label: "Name" },
      { field: "engine", label: "Engine" },
      { field: "createdAt", label: "Created" },
      { field: "updatedAt", label: "Updated" },
    ],
  },
  async check({ engine, password }, { db, id }) {
    if (!id && !password) throw new UserError("A new database user needs a password.", "password");
    if (id) {
      const current = await db.databaseUser.findUnique({ where: { id }, select: { engine: true } });
      if (current && current.engine !== engine) throw new UserError("The engine of a database user cannot change: create a new user instead.", "engine");
    }
  },
  // The password becomes the server's own verifier here; an empty one keeps the current.
  data({ password, ...input }) {
    if (!password) return input;
    return { ...input, passwordHash: input.engine === "mariadb" ? mariadbNativeHash(password) : scramVerifier(password) };
  },
});
