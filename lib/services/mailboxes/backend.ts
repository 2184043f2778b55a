// Dovecot mailboxes in a passwd-file: one fragment per mailbox under DOVECOT_USERS_FILE.d, joined into
// the passwd-file when one changed (Dovecot re-reads it when its mtime changes: no reload). Homes are
// MAIL_ROOT/<domain>/<local part>, owned by the mail uid/gid; Dovecot creates the Maildir inside.
// The hash travels inside the executed script only (ctx.secret): never in the stored script or log.
import type { ScriptContext } from "@/lib/orchestration/backend";
import { raw, sh } from "@/lib/orchestration/shell";
import { defineBackend } from "../kit";
import { assertDomain, assertLocalPart, refuseMail } from "../mail-domains/names";
import { addressOf, mailboxSnapshot, type MailboxSnapshot } from "./schema";

/** A password hash Dovecot reads from a passwd-file: `{SCHEME}` and printable characters without `:`. */
const HASH = /^\{[A-Z0-9.-]{1,32}\}[!-9;-~]{1,500}$/;
const PLAIN_PATH = /^\/[A-Za-z0-9_.@+/-]*$/;
const ID = /^[0-9]{1,10}$/;
const GROUP = /^[a-z_][a-z0-9_-]{0,31}$/;

type Where = Pick<MailboxSnapshot, "localPart"> & { domain?: { name: string } | null };

function checked(ctx: ScriptContext, box: Where) {
  const label = addressOf(box);
  assertLocalPart("mailbox", label, box.localPart);
  assertDomain("mailbox", label, box.domain?.name);
  const root = ctx.variable("MAIL_ROOT").replace(/\/+$/, "");
  if (!PLAIN_PATH.test(root) || root.split("/").includes("..") || root === "") refuseMail("mailbox", label, "the mail root (MAIL_ROOT)", root);
  const address = `${box.localPart}@${box.domain!.name}`;
  return { label, address, domainDir: `${root}/${box.domain!.name}`, home: `${root}/${box.domain!.name}/${box.localPart}`, part: `${usersFile(ctx)}.d/${address}` };
}

function usersFile(ctx: ScriptContext): string {
  const file = ctx.variable("DOVECOT_USERS_FILE");
  if (!PLAIN_PATH.test(file) || file.split("/").includes("..")) refuseMail("mailbox", "?", "the passwd-file (DOVECOT_USERS_FILE)", file);
  return file;
}

/** The passwd-file line's fields after the password (pure). */
export function userFields(ctx: Pick<ScriptContext, "variable">, box: MailboxSnapshot, home: string): { uid: string; gid: string; extra: string } {
  const uid = ctx.variable("MAIL_UID");
  const gid = ctx.variable("MAIL_GID");
  if (!ID.test(uid) || !ID.test(gid)) refuseMail("mailbox", addressOf(box), "the mail uid:gid (MAIL_UID, MAIL_GID)", `${uid}:${gid}`);
  if (!Number.isInteger(box.quotaMb) || box.quotaMb < 0) refuseMail("mailbox", addressOf(box), "the quota", box.quotaMb);
  void home;
  return { uid, gid, extra: box.quotaMb > 0 ? `userdb_quota_rule=*:storage=${box.quotaMb}M` : "" };
}

function remove(ctx: ScriptContext, box: Where, removeMaildir: boolean) {
  const { part, home } = checked(ctx, box);
  ctx.append(sh`if [ -e ${part} ]; then rm -f -- ${part}; changed=1; fi`);
  if (removeMaildir) ctx.append(sh`rm -rf -- ${home}`);
}

export const dovecotMailboxesBackend = defineBackend(mailboxSnapshot, {
  name: "dovecot-mailboxes",
  title: "Mailboxes (Dovecot passwd-file, maildir)",
  model: "Mailbox",
  actions: ["save", "delete"],
  method: "ssh",
  variables: {
    DOVECOT_USERS_FILE: { default: "/etc/dovecot/orchestra-users", description: "The passwd-file of Dovecot's passdb and userdb (its fragments: FILE.d/)." },
    DOVECOT_USERS_GROUP: { default: "dovecot", description: "Group that may read the passwd-file (mode 0640)." },
    MAIL_ROOT: { default: "/var/mail/vhosts", description: "Mailbox homes: MAIL_ROOT/<domain>/<local part>/Maildir." },
    MAIL_UID: { default: "8", description: "Numeric uid owning the mail (Debian's mail user)." },
    MAIL_GID: { default: "8", description: "Numeric gid owning the mail." },
    MAIL_REMOVE_MAILDIR: { default: "no", description: "\"yes\" removes a deleted mailbox's home and mail; otherwise it is kept." },
  },
  identity: (o) => addressOf(o as Where),
  label: (o) => addressOf(o as Where),
  prepare(ctx) {
    ctx.append(raw("changed=0; umask 077"));
    ctx.append(sh`mkdir -p -- ${`${usersFile(ctx)}.d`}`);
  },
  save(ctx, box, { before }) {
    const { label, address, domainDir, home, part } = checked(ctx, box);
    if (!box.passwordHash) refuseMail("mailbox", label, "the password", "(none set)");
    // The hash itself is never echoed in a message: it is secret.
    if (!HASH.test(box.passwordHash)) throw new Error(`refusing to render mailbox ${JSON.stringify(label)}: its password hash is not a {SCHEME}hash Dovecot can read from a passwd-file.`);
    const { uid, gid, extra } = userFields(ctx, box, home);
    if (before && addressOf(before) !== address) {
      const old = checked(ctx, before);
      remove(ctx, before, false);
      ctx.append(sh`if [ -d ${old.home} ] && [ ! -e ${home} ]; then mkdir -p -- ${domainDir}; mv -- ${old.home} ${home}; fi`);
    }
    ctx.append(sh`install -d -o ${uid} -g ${gid} -m 0755 -- ${domainDir}`);
    ctx.append(sh`install -d -o ${uid} -g ${gid} -m 0700 -- ${home}`);
    ctx.append(sh`printf '%s:%s:%s:%s::%s::%s\\n' ${address} ${ctx.secret(box.passwordHash)} ${uid} ${gid} ${home} ${extra} > ${`${part}.new`}`);
    ctx.append(sh`if cmp -s -- ${`${part}.new`} ${part}; then rm -f -- ${`${part}.new`}; else mv -f -- ${`${part}.new`} ${part}; changed=1; fi`);
  },
  delete(ctx, box) {
    remove(ctx, box, ctx.variable("MAIL_REMOVE_MAILDIR") === "yes");
  },
  commit(ctx) {
    const file = usersFile(ctx);
    const group = ctx.variable("DOVECOT_USERS_GROUP");
    if (!GROUP.test(group)) refuseMail("mailbox", "?", "the group (DOVECOT_USERS_GROUP)", group);
    ctx.append(raw(`if [ "$changed" = 1 ]; then`));
    ctx.append(raw("  shopt -s nullglob"));
    ctx.append(sh`  parts=(${raw(`${sh`${`${file}.d`}`.text}/*@*`)})`);
    ctx.append(sh`  cat /dev/null "\${parts[@]}" > ${`${file}.new`}`);
    ctx.append(sh`  chgrp -- ${group} ${`${file}.new`}; chmod 0640 -- ${`${file}.new`}`);
    ctx.append(sh`  mv -f -- ${`${file}.new`} ${file}`);
    ctx.append(raw("fi"));
  },
});
