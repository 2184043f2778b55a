import { z } from "zod";
import { descriptionField } from "../kit";
import { LOCAL_PART, MAIL_DOMAIN } from "../mail-domains/names";

/** The form: its shape gives the fields, `.meta()` their labels. */
export const mailboxInput = z.object({
  localPart: z
    .string()
    .trim()
    .toLowerCase()
    .regex(LOCAL_PART, "Letters, digits and . _ + - (not first or last: .); at most 64.")
    .meta({ label: "Local part", mono: true, hint: "The part before @." }),
  domain: z.string().trim().toLowerCase().regex(MAIL_DOMAIN, "A mail domain of this installation, such as example.net.").meta({ label: "Domain", mono: true }),
  /** Hashed ({BLF-CRYPT}) in the action; never stored or echoed. */
  password: z
    .union([z.literal(""), z.string().min(10, "At least 10 characters.").max(200, "At most 200 characters.")])
    .default("")
    .meta({ label: "Password", kind: "password", hint: "For IMAP and SMTP logins. At least 10 characters.", setHint: "Set. Leave empty to keep it." }),
  quotaMb: z.coerce.number({ message: "A whole number." }).int("A whole number.").min(0, "0 or more.").max(1_000_000).default(0).meta({ label: "Quota (MB)", kind: "number", hint: "0: no quota.", initial: "0" }),
  description: descriptionField,
});

export type MailboxInput = z.infer<typeof mailboxInput>;

/** A stored mailbox as backends and route expressions see it (with its domain's name). */
export const mailboxSnapshot = z.object({
  id: z.number().int(),
  localPart: z.string(),
  domainId: z.number().int(),
  domain: z.object({ name: z.string() }),
  /** Secret: reaches scripts only through ctx.secret. */
  passwordHash: z.string().nullish(),
  quotaMb: z.number().int(),
  description: z.string().default(""),
  createdAt: z.string().optional(),
  updatedAt: z.string().optional(),
});

export type MailboxSnapshot = z.infer<typeof mailboxSnapshot>;

export const addressOf = (m: { localPart: string; domain?: { name: string } | null }) => `${m.localPart}@${m.domain?.name ?? "?"}`;
