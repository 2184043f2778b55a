// The mail domains service: domains Postfix accepts mail for, with their mailboxes and addresses.
import type { TxDb } from "@/lib/orchestration/unit-of-work";
import { defineService } from "../kit";
import { postfixVirtualBackend } from "./backend";
import { mailDomainInput, mailDomainSnapshot, type MailDomainInput, type MailDomainSnapshot } from "./schema";

/** Forwards to `local@old` of a local part the renamed domain holds now read `local@new`. */
async function followRename(db: TxDb, before: { name: string; mailboxes: Array<{ localPart: string }>; addresses: Array<{ localPart: string }> }, name: string) {
  const moved = new Map([...before.mailboxes, ...before.addresses].map(({ localPart }) => [`${localPart}@${before.name}`, `${localPart}@${name}`]));
  if (moved.size === 0) return;
  const rows = await db.mailAddress.findMany({ select: { id: true, forwards: true } });
  for (const row of rows) {
    const forwards = Array.isArray(row.forwards) ? (row.forwards as unknown[]) : [];
    const followed = forwards.map((f) => (typeof f === "string" ? (moved.get(f.toLowerCase()) ?? f) : f));
    if (followed.some((f, i) => f !== forwards[i])) await db.mailAddress.update({ where: { id: row.id }, data: { forwards: followed as string[] } });
  }
}

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
  // A rename takes the domain's mailboxes and addresses with it (Dovecot and Postfix follow in the same
  // unit of work), and forwards that pointed at them follow too: they were this domain's, not text.
  async update(id, data, { db }) {
    const before = await db.mailDomain.findUniqueOrThrow({ where: { id }, select: { name: true, mailboxes: { select: { localPart: true } }, addresses: { select: { localPart: true } } } });
    await db.mailDomain.update({ where: { id }, data });
    if (typeof data.name === "string" && data.name !== before.name) await followRename(db, before, data.name);
  },
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
