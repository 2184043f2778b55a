// The mail domains service: domains Postfix accepts mail for, with their mailboxes and addresses.
import type { TxDb } from "@/lib/orchestration/unit-of-work";
import { defineService } from "../kit";
import { postfixVirtualBackend } from "./backend";
import { mailDomainInput, mailDomainSnapshot, type MailDomainInput, type MailDomainSnapshot } from "./schema";

export const mailDomains = defineService<MailDomainSnapshot, MailDomainInput, TxDb>({
  slug: "mail-domains",
  title: "Mail domains",
  singular: "mail domain",
  description: "Domains Postfix accepts mail for (virtual maps), with their mailboxes and addresses.",
  model: "MailDomain",
  input: mailDomainInput,
  snapshot: mailDomainSnapshot,
  label: (d) => d.name,
  // a mailbox's password hash stays out of the domain's snapshots (operations, audit, route expressions)
  include: { mailboxes: { omit: { passwordHash: true } }, addresses: true },
  // A mailbox or an address added, changed or removed is a change of its domain's maps.
  related: [
    { model: "Mailbox", mainIds: (row) => [row.domainId as number] },
    { model: "MailAddress", mainIds: (row) => [row.domainId as number] },
  ],
  ignoredFields: ["description"],
  backends: [postfixVirtualBackend],
  list: {
    columns: [
      { label: "Domain", value: (d) => d.name, mono: true },
      { label: "Mailboxes", value: (d) => d.mailboxes.length },
      { label: "Addresses", value: (d) => d.addresses.length },
    ],
    search: (q, { insensitive }) => ({ OR: [{ name: { contains: q.toLowerCase() } }, { description: { contains: q, ...(insensitive && { mode: "insensitive" }) } }] }),
    sorts: [
      { field: "name", label: "Domain" },
      { field: "createdAt", label: "Created" },
    ],
  },
});
