import { z } from "zod";
import { checkbox, posixName } from "@/lib/schemas/common";
import { hardFloorErrors } from "./policy";

const path = z
  .string()
  .trim()
  .regex(/^(\/[A-Za-z0-9_.@+/-]*)?$/, "An absolute path (letters, digits, _ . @ + - /), or empty for /home/<username>.")
  .max(200);

const fields = z.object({
  username: posixName,
  uid: z
    .string()
    .trim()
    .transform((v) => (v === "" ? null : Number(v)))
    // the range is the system users policy's (checked in the action, it depends on the role)
    .pipe(z.number({ message: "A whole number." }).int("A whole number.").nullable()),
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

/** The hard floor (policy.ts) for every role; the adjustable policy is checked in the action. */
function floor(user: z.infer<typeof fields>, ctx: z.RefinementCtx) {
  for (const [field, messages] of Object.entries(hardFloorErrors(user))) {
    messages?.forEach((message) => ctx.addIssue({ code: "custom", path: [field], message }));
  }
}

export const systemUserSchema = fields.superRefine(floor);

export const systemUserUpdateSchema = fields.extend({ id: z.coerce.number().int().positive() }).superRefine(floor);

/** A typed sample of a snapshot, for checking route expressions. */
export const systemUserSample = { id: 1, username: "", uid: 0, shell: "", home: "", groups: [""], active: true, passwordHash: "", description: "", createdAt: "", updatedAt: "" };
