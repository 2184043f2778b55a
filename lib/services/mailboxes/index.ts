// The mailboxes service: IMAP accounts in Dovecot, mail accepted for them by Postfix (their domain's
// maps are re-rendered on every change, see mail-domains).
import type { TxDb } from "@/lib/orchestration/unit-of-work";
import { UserError } from "@/lib/actions/state";
import { defineService } from "../kit";
import { dovecotMailboxesBackend } from "./backend";
import { mailPasswordHash, domainIdOf } from "./password";
import { addressOf, mailboxInput, mailboxSnapshot, type MailboxInput, type MailboxSnapshot } from "./schema";

export const mailboxes = defineService<MailboxSnapshot, MailboxInput, TxDb>({
  slug: "mailboxes",
  title: "Mailboxes",
  singular: "mailbox",
  description: "IMAP mailboxes (Dovecot passwd-file, maildir), delivered to by Postfix.",
  model: "Mailbox",
  input: mailboxInput,
  snapshot: mailboxSnapshot,
  label: addressOf,
  include: { domain: true },
  // A renamed domain renames its mailboxes (their addresses and homes): its rows carry their mailboxes.
  related: [{ model: "MailDomain", mainIds: (row) => ((row.mailboxes as Array<{ id: number }> | undefined) ?? []).map((m) => m.id) }],
  secretFields: ["passwordHash"],
  secretInputs: ["password"],
  ignoredFields: ["description"],
  backends: [dovecotMailboxesBackend],
  list: {
    columns: [
      { label: "Address", value: addressOf, mono: true },
      { label: "Quota (MB)", value: (m) => m.quotaMb || "none" },
    ],
    search: (q) => ({ OR: [{ localPart: { contains: q.toLowerCase() } }, { domain: { name: { contains: q.toLowerCase() } } }] }),
    sorts: [
      { field: "localPart", label: "Local part" },
      { field: "createdAt", label: "Created" },
    ],
  },
  formValues: (m) => ({ localPart: m.localPart, domain: m.domain.name, quotaMb: m.quotaMb, description: m.description }),
  async check(input, { db, id }) {
    if (!id && !input.password) throw new UserError("A new mailbox needs a password.", "password");
    await domainIdOf(db, input.domain);
  },
  async data({ password, domain, ...input }, { db }) {
    return { ...input, domainId: await domainIdOf(db, domain), ...(password ? { passwordHash: await mailPasswordHash(password) } : {}) };
  },
});
