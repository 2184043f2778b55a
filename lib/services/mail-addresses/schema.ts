import { z } from "zod";
import { descriptionField } from "../kit";
import { LOCAL_PART, MAIL_ADDRESS, MAIL_DOMAIN } from "../mail-domains/names";

/** The form: its shape gives the fields, `.meta()` their labels. */
export const mailAddressInput = z.object({
  localPart: z
    .string()
    .trim()
    .toLowerCase()
    .regex(LOCAL_PART, "Letters, digits and . _ + - (not first or last: .); at most 64.")
    .meta({ label: "Local part", mono: true, hint: "The part before @." }),
  domain: z.string().trim().toLowerCase().regex(MAIL_DOMAIN, "A mail domain of this installation, such as example.net.").meta({ label: "Domain", mono: true }),
  forwards: z
    .string()
    .default("")
    .transform((v) => [...new Set(v.split(/[\s,]+/).filter(Boolean))])
    .pipe(z.array(z.string().regex(MAIL_ADDRESS, "Each target an address such as alice@example.net.")).min(1, "At least one target.").max(50, "At most 50 targets."))
    .meta({ label: "Forward to", kind: "list", mono: true, hint: "Mailboxes and/or external addresses, comma or space separated." }),
  description: descriptionField,
});

export type MailAddressInput = z.infer<typeof mailAddressInput>;

/** A stored address as route expressions see it (its domain's Postfix maps render it). */
export const mailAddressSnapshot = z.object({
  id: z.number().int(),
  localPart: z.string(),
  domainId: z.number().int(),
  domain: z.object({ name: z.string() }),
  forwards: z.array(z.string()),
  description: z.string().default(""),
  createdAt: z.string().optional(),
  updatedAt: z.string().optional(),
});

export type MailAddressSnapshot = z.infer<typeof mailAddressSnapshot>;
