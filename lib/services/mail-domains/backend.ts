// Postfix virtual domains: per domain, fragments of three maps (the domain, its mailboxes, its
// addresses) under POSTFIX_MAPS_DIR/domains; when one changed, the maps are rebuilt from all fragments,
// `postmap`ped and Postfix reloaded once. Idempotent: an unchanged domain rewrites nothing.
// main.cf points at them:
//   virtual_mailbox_domains = hash:$POSTFIX_MAPS_DIR/virtual_domains
//   virtual_mailbox_maps    = hash:$POSTFIX_MAPS_DIR/virtual_mailboxes
//   virtual_alias_maps      = hash:$POSTFIX_MAPS_DIR/virtual_aliases
import type { ScriptContext } from "@/lib/orchestration/backend";
import { raw, sh } from "@/lib/orchestration/shell";
import { defineBackend } from "../kit";
import { assertDomain, assertLocalPart, MAIL_ADDRESS, refuseMail } from "./names";
import { mailDomainSnapshot, type MailDomainSnapshot } from "./schema";

export const MAPS = ["virtual_domains", "virtual_mailboxes", "virtual_aliases"] as const;

/** The map lines of one domain (pure); refuses any value that is not a plain token. */
export function domainMaps(domain: MailDomainSnapshot): Record<(typeof MAPS)[number], string[]> {
  assertDomain("mail domain", domain.name, domain.name);
  const mailboxes = domain.mailboxes.map((m) => {
    assertLocalPart("mail domain", domain.name, m.localPart);
    return `${m.localPart}@${domain.name} OK`;
  });
  const aliases = domain.addresses.map((a) => {
    assertLocalPart("mail domain", domain.name, a.localPart);
    if (a.forwards.length === 0) refuseMail("mail domain", domain.name, `the address ${a.localPart} has no target:`, a.forwards);
    for (const target of a.forwards) if (typeof target !== "string" || !MAIL_ADDRESS.test(target)) refuseMail("mail domain", domain.name, "the forwarding target", target);
    return `${a.localPart}@${domain.name} ${a.forwards.join(",")}`;
  });
  return { virtual_domains: [`${domain.name} OK`], virtual_mailboxes: mailboxes, virtual_aliases: aliases };
}

function fragment(ctx: ScriptContext, domain: string, map: string): string {
  return `${ctx.variable("POSTFIX_MAPS_DIR").replace(/\/+$/, "")}/domains/${domain}.${map}`;
}

function removeDomain(ctx: ScriptContext, name: unknown) {
  assertDomain("mail domain", name, name);
  for (const map of MAPS) ctx.append(sh`if [ -e ${fragment(ctx, name, map)} ]; then rm -f -- ${fragment(ctx, name, map)}; changed=1; fi`);
}

export const postfixVirtualBackend = defineBackend(mailDomainSnapshot, {
  name: "postfix-virtual",
  title: "Mail domains and addresses (Postfix virtual maps)",
  model: "MailDomain",
  actions: ["save", "delete"],
  method: "ssh",
  variables: {
    POSTFIX_MAPS_DIR: { default: "/etc/postfix/orchestra", description: "Holds virtual_domains, virtual_mailboxes and virtual_aliases (hash maps) and their per-domain fragments." },
    POSTFIX_POSTMAP: { default: "postmap", description: "Builds a hash map (given hash:FILE).", command: true },
    POSTFIX_RELOAD: { default: "postfix reload", description: "Reloads Postfix once per script when a map changed.", command: true },
  },
  identity: (o) => String(o.name),
  prepare(ctx) {
    ctx.append(raw("changed=0"));
    ctx.append(sh`mkdir -p -- ${`${ctx.variable("POSTFIX_MAPS_DIR").replace(/\/+$/, "")}/domains`}`);
  },
  save(ctx, domain, { before }) {
    const maps = domainMaps(domain); // checks every value before a line is written
    if (before && before.name !== domain.name) removeDomain(ctx, before.name);
    for (const map of MAPS) {
      const file = fragment(ctx, domain.name, map);
      ctx.append(sh`printf '%s\\n' ${maps[map]} | grep -v '^$' > ${`${file}.new`} || true`);
      ctx.append(sh`if cmp -s -- ${`${file}.new`} ${file}; then rm -f -- ${`${file}.new`}; else mv -f -- ${`${file}.new`} ${file}; changed=1; fi`);
    }
  },
  delete(ctx, domain) {
    removeDomain(ctx, domain.name);
  },
  commit(ctx) {
    const dir = ctx.variable("POSTFIX_MAPS_DIR").replace(/\/+$/, "");
    ctx.append(raw(`if [ "$changed" = 1 ]; then`));
    ctx.append(raw("  shopt -s nullglob"));
    for (const map of MAPS) {
      ctx.append(sh`  parts=(${raw(`${quoteDir(dir)}/domains/*.${map}`)})`);
      ctx.append(sh`  cat /dev/null "\${parts[@]}" > ${`${dir}/${map}.new`}`);
      ctx.append(sh`  ${ctx.command("POSTFIX_POSTMAP")} ${`hash:${dir}/${map}.new`}`);
      ctx.append(sh`  mv -f -- ${`${dir}/${map}.new.db`} ${`${dir}/${map}.db`}; mv -f -- ${`${dir}/${map}.new`} ${`${dir}/${map}`}`);
    }
    ctx.append(sh`  ${ctx.command("POSTFIX_RELOAD")}`);
    ctx.append(raw("fi"));
  },
});

/** A directory quoted for the shell, so that a glob can follow it unquoted. */
function quoteDir(dir: string): string {
  return sh`${dir}`.text;
}
