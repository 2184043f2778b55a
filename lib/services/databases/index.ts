// The databases service: databases on MariaDB and PostgreSQL servers, with the users that may use them.
import type { TxDb } from "@/lib/orchestration/unit-of-work";
import { UserError } from "@/lib/actions/state";
import { defineService } from "../kit";
import { mariadbDatabases, postgresqlDatabases } from "./backend";
import { ENGINE_LABELS } from "./names";
import { DATABASE_INCLUDE, databaseInput, databaseSnapshot, type DatabaseInput, type DatabaseSnapshot } from "./schema";

type Grants = DatabaseInput["users"];

/** The users' ids, checked: each exists and is of the database's engine. */
async function userIds(db: TxDb, engine: string, grants: Grants): Promise<Map<string, number>> {
  if (grants.length === 0) return new Map();
  const found = await db.databaseUser.findMany({ where: { engine, name: { in: grants.map((g) => g.name) } }, select: { id: true, name: true } });
  const missing = grants.map((g) => g.name).filter((name) => !found.some((u) => u.name === name));
  if (missing.length) throw new UserError(`No ${ENGINE_LABELS[engine as keyof typeof ENGINE_LABELS] ?? engine} user named ${missing.join(", ")}: add the user first.`, "users");
  return new Map(found.map((u) => [u.name, u.id]));
}

export const databases = defineService<DatabaseSnapshot, DatabaseInput, TxDb>({
  slug: "databases",
  title: "Databases",
  singular: "database",
  description: "MariaDB and PostgreSQL databases and who may use them. Deleting one drops it with its data (a dump is kept first when the server sets MARIADB_DUMP_DIR / PG_DUMP_DIR).",
  model: "Database",
  input: databaseInput,
  snapshot: databaseSnapshot,
  label: (d) => d.name,
  include: DATABASE_INCLUDE,
  // Adding, changing or removing a user's grant is a change of the database.
  related: [{ model: "DatabaseGrant", mainIds: (row) => [row.databaseId as number] }],
  ignoredFields: ["description"],
  backends: [mariadbDatabases, postgresqlDatabases],
  resources: [
    {
      name: "size",
      title: "Database size",
      unit: "MiB",
      description: "What the database takes on its server (MariaDB: tables' data and indexes; PostgreSQL: pg_database_size), summed over servers.",
      defaultLimit: null,
      // MariaDB only: PostgreSQL's table owners keep their rights whatever is revoked (notified only)
      exceeded: { title: "Revoke the users' writes (MariaDB)", command: "mariadb-databases:revoke-writes" },
      recovery: { title: "Re-apply the database (its grants back)", reapply: true },
    },
  ],
  list: {
    columns: [
      { label: "Name", value: (d) => d.name, mono: true },
      { label: "Engine", value: (d) => ENGINE_LABELS[d.engine] ?? d.engine },
      { label: "Users", value: (d) => d.grants.map((g) => (g.privilege === "all" ? g.user.name : `${g.user.name} (read)`)).join(", ") || "none", mono: true },
      { label: "Description", value: (d) => d.description },
    ],
    search: (q, { insensitive }) => {
      const text = { contains: q, ...(insensitive && { mode: "insensitive" }) };
      return { OR: [{ name: text }, { description: text }, { grants: { some: { user: { name: { contains: q.toLowerCase() } } } } }] };
    },
    filters: [
      { name: "engine", label: "Engine", options: [{ value: "mariadb", label: "MariaDB", where: { engine: "mariadb" } }, { value: "postgresql", label: "PostgreSQL", where: { engine: "postgresql" } }] },
      { name: "users", label: "Users", options: [{ value: "none", label: "Without users", where: { grants: { none: {} } } }] },
    ],
    sorts: [
      { field: "name", label: "Name" },
      { field: "engine", label: "Engine" },
      { field: "createdAt", label: "Created" },
      { field: "updatedAt", label: "Updated" },
    ],
  },
  // Moving a database to another engine would drop it on its servers and create an empty one elsewhere.
  async check({ engine, users }, { db, id }) {
    if (id) {
      const current = await db.database.findUnique({ where: { id }, select: { engine: true } });
      if (current && current.engine !== engine) throw new UserError("The engine of a database cannot change: create a new database instead.", "engine");
    }
    await userIds(db, engine, users);
  },
  async create({ users, ...data }, { db }) {
    const ids = await userIds(db, data.engine as string, users as Grants);
    return db.database.create({
      data: { ...(data as Omit<DatabaseInput, "users">), grants: { create: (users as Grants).map((g) => ({ userId: ids.get(g.name)!, privilege: g.privilege })) } },
    });
  },
  // Each grant added, changed or removed joins the database's save (related model); the backends bring
  // the server's grants to the stored ones, so a removed grant is revoked there.
  async update(id, { users, ...data }, { db }) {
    await db.database.update({ where: { id }, data: data as Omit<DatabaseInput, "users"> });
    const ids = await userIds(db, data.engine as string, users as Grants);
    const wanted = new Map((users as Grants).map((g) => [ids.get(g.name)!, g.privilege]));
    const current = await db.databaseGrant.findMany({ where: { databaseId: id } });
    const removed = current.filter((g) => !wanted.has(g.userId)).map((g) => g.id);
    if (removed.length) await db.databaseGrant.deleteMany({ where: { id: { in: removed } } });
    for (const g of current) {
      const privilege = wanted.get(g.userId);
      if (privilege && privilege !== g.privilege) await db.databaseGrant.update({ where: { id: g.id }, data: { privilege } });
    }
    const added = [...wanted].filter(([userId]) => !current.some((g) => g.userId === userId));
    if (added.length) await db.databaseGrant.createMany({ data: added.map(([userId, privilege]) => ({ databaseId: id, userId, privilege })) });
  },
  formValues: (d) => ({
    name: d.name,
    engine: d.engine,
    description: d.description,
    users: d.grants.map((g) => (g.privilege === "all" ? g.user.name : `${g.user.name}:read`)).join(", "),
  }),
});
