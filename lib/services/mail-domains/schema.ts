import { z } from "zod";
import { descriptionField } from "../kit";
import { MAIL_DOMAIN } from "./names";

/** The form: its shape gives the fields, `.meta()` their labels. */
export const mailDomainInput = z.object({
  name: z
    .string()
    .trim()
    .toLowerCase()
    .regex(MAIL_DOMAIN, "A domain such as example.net.")
    .meta({ label: "Domain", mono: true, hint: "Mail for it is accepted by Postfix and delivered to its mailboxes and addresses." }),
  description: descriptionField,
});

export type MailDomainInput = z.infer<typeof mailDomainInput>;

/** A stored mail domain as backends and route expressions see it: with its mailboxes and addresses. */
export const mailDomainSnapshot = z.object({
  id: z.number().int(),
  name: z.string(),
  description: z.string().default(""),
  mailboxes: z.array(z.object({ localPart: z.string() })),
  addresses: z.array(z.object({ localPart: z.string(), forwards: z.array(z.string()) })),
  createdAt: z.string().optional(),
  updatedAt: z.string().optional(),
});

export type MailDomainSnapshot = z.infer<typeof mailDomainSnapshot>;
