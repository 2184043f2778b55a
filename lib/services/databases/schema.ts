import { z } from "zod";
import { descriptionField } from "../kit";
import { databaseNameError, ENGINE_LABELS, ENGINES, PRIVILEGES, userNameError } from "./names";

/** The engine field, shared with database users. */
export const engineField = z.enum(ENGINES, "MariaDB or PostgreSQL.").meta({
  label: "Engine",
  kind: "select",
  options: ENGINES.map((value) => ({ value, label: ENGINE_LABELS[value] })),
  initial: "mariadb",
  hint: "Fixed once created. Routes send each engine to its servers (object.engine == \"mariadb\").",
});

/** "alice, bob:read" → [{ name: "alice", privilege: "all" }, { name: "bob", privilege: "read" }]. */
const grantsField = z
  .string()
  .default("")
  .transform((text, ctx) => {
    const grants = new Map<string, (typeof PRIVILEGES)[number]>();
    for (const token of text.split(/[\s,]+/).filter(Boolean)) {
      const [name, privilege = "all", ...rest] = token.split(":");
      const problem = userNameError(name);
      if (problem || rest.length || !(PRIVILEGES as readonly string[]).includes(privilege)) {
        ctx.addIssue({ code: "custom", message: `${JSON.stringify(token)}: write user or user:read (${problem ?? "privileges are all and read"}).` });
        continue;
      }
      if (grants.has(name)) ctx.addIssue({ code: "custom", message: `${name} is listed twice.` });
      grants.set(name, privilege as (typeof PRIVILEGES)[number]);
    }
    return [...grants].map(([name, privilege]) => ({ name, privilege }));
  })
  .pipe(z.array(z.object({ name: z.string(), privilege: z.enum(PRIVILEGES) })).max(50, "At most 50 users."));

/** The form: its shape gives the fields, `.meta()` their labels. */
export const databaseInput = z.object({
  name: z
    .string()
    .trim()
    .superRefine((name, ctx) => {
      const problem = databaseNameError(name);
      if (problem) ctx.addIssue({ code: "custom", message: problem });
    })
    .meta({ label: "Name", mono: true, hint: "Renaming renames it on the server (its tables move along). Deleting it drops it with its data." }),
  engine: engineField,
  users: grantsField.meta({
    label: "Users",
    kind: "list",
    mono: true,
    hint: "Database users of the same engine, comma separated: alice (all privileges) or bob:read (read only). Removing one revokes its access.",
  }),
  description: descriptionField,
});

export type DatabaseInput = z.infer<typeof databaseInput>;

/** A stored database as backends and route expressions see it: its grants with each user's name and hosts. */
export const databaseSnapshot = z.object({
  id: z.number().int(),
  name: z.string(),
  engine: z.enum(ENGINES),
  description: z.string().default(""),
  grants: z.array(
    z.object({
      privilege: z.enum(PRIVILEGES),
      user: z.object({ name: z.string(), engine: z.enum(ENGINES), hosts: z.array(z.string()) }),
    }),
  ),
  createdAt: z.string().optional(),
  updatedAt: z.string().optional(),
});

export type DatabaseSnapshot = z.infer<typeof databaseSnapshot>;

/** The grants as snapshots carry them (user name and hosts only: never the user's password hash). */
export const DATABASE_INCLUDE = {
  grants: { orderBy: { id: "asc" }, select: { privilege: true, user: { select: { name: true, engine: true, hosts: true } } } },
} as const;
