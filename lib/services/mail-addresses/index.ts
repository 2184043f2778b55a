// The mail addresses service: aliases forwarding to mailboxes and/or external addresses. It has no
// backend of its own: an address is part of its domain's Postfix maps (postfix-virtual re-renders the
// domain whenever one of its addresses changes).
import type { TxDb } from "@/lib/orchestration/unit-of-work";
import { defineService } from "../kit";
import { domainIdOf } from "../mailboxes/password";
import { addressOf } from "../mailboxes/schema";
import { mailAddressInput, mailAddressSnapshot, type MailAddressInput, type MailAddressSnapshot } from "./schema";

export const mailAddresses = defineService<MailAddressSnapshot, MailAddressInput, TxDb>({
  slug: "mail-addresses",
  title: "Mail addresses",
  singular: "mail address",
  description: "Aliases forwarding to mailboxes and external addresses (rendered into their domain's Postfix maps).",
  model: "MailAddress",
  input: mailAddressInput,
  snapshot: mailAddressSnapshot,
  label: addressOf,
  include: { domain: true },
  ignoredFields: ["description"],
  backends: [],
  list: {
    columns: [
      { label: "Address", value: addressOf, mono: true },
      { label: "Forward to", value: (a) => a.forwards.join(", "), mono: true },
    ],
    search: (q) => ({ OR: [{ localPart: { contains: q.toLowerCase() } }, { domain: { name: { contains: q.toLowerCase() } } }] }),
    sorts: [
      { field: "localPart", label: "Local part" },
      { field: "createdAt", label: "Created" },
    ],
  },
  formValues: (a) => ({ localPart: a.localPart, domain: a.domain.name, forwards: a.forwards.join(", "), description: a.description }),
  async check(input, { db }) {
    await domainIdOf(db, input.domain);
  },
  async data({ domain, ...input }, { db }) {
    return { ...input, domainId: await domainIdOf(db, domain) };
  },
});
