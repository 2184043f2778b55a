import { z } from "zod";
import { descriptionField } from "../kit";
import { checkbox, posixName } from "@/lib/schemas/common";
import { hardFloorErrors } from "./policy";

const path = z
  .string()
  .trim()
  .regex(/^(\/[A-Za-z0-9_.@+/-]*)?$/, "An absolute path (letters, digits, _ . @ + - /), or empty for /home/<username>.")
  .max(200, "At most 200 characters.");

/** The form: its shape gives the fields, `.meta()` their labels. */
export const systemUserInput = z.object({
  username: posixName.meta({ label: "Username", mono: true }),
  uid: z
    .string()
    .trim()
    .default("")
    .transform((v) => (v === "" ? null : Number(v)))
    // the range is the system users policy's (checked in the action, it depends on the role)
    .pipe(z.number({ message: "A whole number." }).int("A whole number.").nullable())
    .meta({ label: "UID", kind: "number", hint: "Empty: the server picks one." }),
  shell: z.string().trim().regex(/^\/[A-Za-z0-9_./-]+$/, "An absolute path such as /bin/bash.").default("/bin/bash").meta({ label: "Shell", mono: true, initial: "/bin/bash" }),
  home: path.default("").meta({ label: "Home", mono: true, hint: "Empty: /home/<username>." }),
  groups: z
    .string()
    .default("")
    .transform((v) => v.split(/[\s,]+/).filter(Boolean))
    .pipe(z.array(posixName).max(32, "At most 32 groups."))
    .meta({ label: "Groups", kind: "list", mono: true, hint: "Comma or space separated; created when missing." }),
  description: descriptionField,
  /** Empty: keep the current password. Hashed (bcrypt) in the action; never stored or echoed. */
  password: z
    .union([z.literal(""), z.string().min(10, "At least 10 characters, or empty to keep it.").max(200, "At most 200 characters.")])
    .default("")
    .meta({ label: "Password", kind: "password", hint: "Empty: no password (key-only or locked).", setHint: "Set. Leave empty to keep it." }),
  active: checkbox.meta({ label: "Active (an inactive account is expired)", kind: "checkbox", initial: true }),
});

export type SystemUserInput = z.infer<typeof systemUserInput>;

/** The hard floor (policy.ts) for every role; the adjustable policy is checked in the action. */
export function floor(user: Omit<SystemUserInput, "password" | "description" | "active">, ctx: z.RefinementCtx) {
  for (const [field, messages] of Object.entries(hardFloorErrors(user))) {
    messages?.forEach((message) => ctx.addIssue({ code: "custom", path: [field], message }));
  }
}

export const systemUserSchema = systemUserInput.superRefine(floor);

/** A stored system user as backends and route expressions see it. */
export const systemUserSnapshot = z.object({
  id: z.number().int(),
  username: z.string(),
  uid: z.number().int().nullable(),
  shell: z.string(),
  home: z.string(),
  groups: z.array(z.string()),
  active: z.boolean(),
  /** Secret: reaches scripts only through ctx.secret. */
  passwordHash: z.string().nullish(),
  description: z.string().default(""),
  createdAt: z.string().optional(),
  updatedAt: z.string().optional(),
});

export type SystemUserSnapshot = z.infer<typeof systemUserSnapshot>;
