import { z } from "zod";
import { descriptionField } from "../kit";
import { ENGINES, hostError, PRIVILEGES, userNameError } from "../databases/names";
import { engineField } from "../databases/schema";

/** The form: its shape gives the fields, `.meta()` their labels. */
export const databaseUserInput = z.object({
  name: z
    .string()
    .trim()
    .superRefine((name, ctx) => {
      const problem = userNameError(name);
      if (problem) ctx.addIssue({ code: "custom", message: problem });
    })
    .meta({ label: "Name", mono: true, hint: "Renaming renames the account on the server (its privileges stay)." }),
  engine: engineField,
  password: z
    .string()
    .default("")
    .refine((v) => v === "" || v.length >= 8, "At least 8 characters.")
    .refine((v) => v.length <= 200, "At most 200 characters.")
    .refine((v) => !/[\u0000-\u001f\u007f]/.test(v), "No control characters.")
    .meta({ label: "Password", kind: "password", hint: "At least 8 characters. Stored only as the server's own hash.", setHint: "Leave empty to keep the current password." }),
  hosts: z
    .string()
    .default("%")
    .transform((v) => [...new Set(v.split(/[\s,]+/).filter(Boolean))])
    .pipe(
      z
        .array(z.string().superRefine((host, ctx) => { const problem = hostError(host); if (problem) ctx.addIssue({ code: "custom", message: problem }); }))
        .min(1, "At least one host (% is any).")
        .max(20, "At most 20 hosts."),
    )
    .meta({ label: "Hosts", kind: "list", mono: true, initial: "%", hint: "MariaDB: where the user may connect from (% any, 127.0.0.% …), one account each. PostgreSQL: unused (pg_hba.conf decides)." }),
  description: descriptionField,
});

export type DatabaseUserInput = z.infer<typeof databaseUserInput>;

/** A stored database user as backends and route expressions see it (the hash is a secret field: never in CEL). */
export const databaseUserSnapshot = z.object({
  id: z.number().int(),
  name: z.string(),
  engine: z.enum(ENGINES),
  passwordHash: z.string().nullable().optional(),
  hosts: z.array(z.string()),
  description: z.string().default(""),
  grants: z.array(z.object({ privilege: z.enum(PRIVILEGES), database: z.object({ name: z.string(), engine: z.enum(ENGINES) }) })),
  createdAt: z.string().optional(),
  updatedAt: z.string().optional(),
});

export type DatabaseUserSnapshot = z.infer<typeof databaseUserSnapshot>;

export const DATABASE_USER_INCLUDE = {
  grants: { orderBy: { id: "asc" }, select: { privilege: true, database: { select: { name: true, engine: true } } } },
} as const;
