import { z } from "zod";
import { checkbox, posixName } from "@/lib/schemas/common";

const path = z
  .string()
  .trim()
  .regex(/^(\/[^\0\n]*)?$/, "An absolute path, or empty for /home/<username>.")
  .max(200);

export const systemUserSchema = z.object({
  username: posixName,
  uid: z
    .string()
    .trim()
    .transform((v) => (v === "" ? null : Number(v)))
    .pipe(z.number().int("A whole number.").min(1000, "1000 or more (lower ids are the system's).").max(60000, "At most 60000.").nullable()),
  shell: z.string().trim().regex(/^\/[A-Za-z0-9_./-]+$/, "An absolute path such as /bin/bash.").default("/bin/bash"),
  home: path.default(""),
  groups: z
    .string()
    .default("")
    .transform((v) => v.split(/[\s,]+/).filter(Boolean))
    .pipe(z.array(posixName).max(32)),
  active: checkbox,
  description: z.string().trim().max(500).default(""),
  /** Empty: keep the current password. Hashed (bcrypt) in the action; never stored or echoed. */
  password: z.union([z.literal(""), z.string().min(10, "At least 10 characters, or empty to keep it.").max(200)]).default(""),
});

export const systemUserUpdateSchema = systemUserSchema.extend({ id: z.coerce.number().int().positive() });

/** A typed sample of a snapshot, for checking route expressions. */
export const systemUserSample = { id: 1, username: "", uid: 0, shell: "", home: "", groups: [""], active: true, passwordHash: "", description: "", createdAt: "", updatedAt: "" };
