// Mail end to end: real sshd, real Postfix and Dovecot. A mailbox made in Orchestra receives mail over
// SMTP and logs in over IMAP with the password typed; addresses forward; removals stop both.
import { existsSync, readFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { Engine } from "../lib/orchestration/engine";
import { SshExecutor } from "../lib/orchestration/executors/ssh";
import { orchestrate, type TxDb } from "../lib/orchestration/unit-of-work";
import { runUnitOfWork } from "../lib/orchestration/dispatcher";
import { createRegistry } from "../lib/services/registry";
import { mailDomains } from "../lib/services/mail-domains";
import { mailPasswordHash } from "../lib/services/mailboxes/password";
import { saveObject } from "../lib/services/write";
import { resetDb, testDb } from "./db";
import { clientKey, startSshHost, type SshHost } from "./support/ssh-host";
import { imapCount, sendMail, startMail, type MailHost } from "./support/mail";

const db = testDb();
let ssh: SshHost;
let mail: MailHost;
let engine: Engine;
let executor: SshExecutor;

async function change(fn: (tx: TxDb) => Promise<unknown>) {
  const unit = await orchestrate(engine, fn);
  return runUnitOfWork(engine, unit);
}

/** Delivery is asynchronous (queue → LMTP): wait for the message. */
async function delivered(user: string, password: string, subject: string) {
  await expect.poll(() => imapCount(mail, user, password, subject), { timeout: 10_000, interval: 200 }).toBe("1");
}

const PASSWORD = "correct horse 1";

beforeAll(async () => {
  const key = clientKey(path.join(os.tmpdir(), "orchestra-test-keys"));
  ssh = await startSshHost({ address: "127.0.0.2", port: 22250, clientKeyFile: key });
  mail = await startMail({ address: "127.0.7.8", smtpPort: 24425, imapPort: 24443 });
  executor = SshExecutor.fromKeyFile(key);
  engine = new Engine({ db, registry: createRegistry(), executor: () => executor });
}, 30_000);

afterAll(async () => {
  await executor?.close();
  await mail?.stop();
  await ssh?.stop();
});

beforeEach(async () => {
  await resetDb();
  const server = await db.server.create({ data: { name: "mail", address: ssh.address, port: ssh.port, variables: mail.variables } });
  await db.route.create({ data: { backend: "postfix-virtual", serverId: server.id } });
  await db.route.create({ data: { backend: "dovecot-mailboxes", serverId: server.id } });
});

describe("mail on Postfix and Dovecot", () => {
  it("delivers to a new mailbox and its alias, follows password changes, stops at removal", async () => {
    const created = await change(async (tx) => {
      const domain = await tx.mailDomain.create({ data: { name: "example.test" } });
      await tx.mailbox.create({ data: { localPart: "alice", domainId: domain.id, passwordHash: await mailPasswordHash(PASSWORD), quotaMb: 100 } });
      await tx.mailAddress.create({ data: { localPart: "info", domainId: domain.id, forwards: ["alice@example.test"] } });
    });
    expect(created.map((r) => [r.backend, r.state]).sort()).toEqual([["dovecot-mailboxes", "SUCCESS"], ["postfix-virtual", "SUCCESS"]]);

    expect(await sendMail(mail, "alice@example.test", "direct")).toBe("250");
    await delivered("alice@example.test", PASSWORD, "direct");
    expect(await sendMail(mail, "info@example.test", "via-alias")).toBe("250");
    await delivered("alice@example.test", PASSWORD, "via-alias");
    expect(await sendMail(mail, "nobody@example.test", "unknown")).toBe("550");
    expect(await imapCount(mail, "alice@example.test", "wrong password")).toBe("NO-LOGIN");

    // the password never reaches a stored script or log, nor does its hash
    const box = await db.mailbox.findFirstOrThrow();
    for (const log of await db.scriptLog.findMany()) {
      for (const text of [log.script, log.stdout, log.stderr]) {
        expect(text).not.toContain(PASSWORD);
        expect(text).not.toContain(box.passwordHash!.slice(12));
      }
    }

    const [changed] = await change((tx) => mailPasswordHash("new password 2").then((passwordHash) => tx.mailbox.update({ where: { id: box.id }, data: { passwordHash } })));
    expect(changed.state).toBe("SUCCESS");
    expect(await imapCount(mail, "alice@example.test", PASSWORD)).toBe("NO-LOGIN");
    expect(await imapCount(mail, "alice@example.test", "new password 2", "direct")).toBe("1");

    const [aliasGone] = await change((tx) => tx.mailAddress.deleteMany({ where: { localPart: "info" } }));
    expect([aliasGone.backend, aliasGone.state]).toEqual(["postfix-virtual", "SUCCESS"]);
    expect(await sendMail(mail, "info@example.test", "after-alias")).toBe("550");

    // an address of another domain forwards to the mailbox (and elsewhere)
    const team = await change(async (tx) => {
      const other = await tx.mailDomain.create({ data: { name: "other.test" } });
      await tx.mailAddress.create({ data: { localPart: "team", domainId: other.id, forwards: ["Alice@example.test", "someone@elsewhere.example"] } });
    });
    expect(team.find((r) => r.backend === "postfix-virtual")?.state).toBe("SUCCESS");

    // renaming the domain (as the admin and the API save it) renames its mailboxes on Dovecot too: the
    // same login and mail at the new address; forwards to them follow
    const domain = await db.mailDomain.findFirstOrThrow({ where: { name: "example.test" } });
    const admin = await db.user.create({ data: { email: "mail-admin@example.test", name: "Admin", role: "admin", passwordHash: "-" } });
    const renamed = await change((tx) => saveObject(mailDomains, { id: domain.id, name: "renamed.test", description: "" }, { db: tx, user: admin }));
    expect(renamed.map((r) => [r.backend, r.state]).sort()).toEqual([["dovecot-mailboxes", "SUCCESS"], ["postfix-virtual", "SUCCESS"]]);
    expect((await db.mailAddress.findFirstOrThrow({ where: { localPart: "team" } })).forwards).toEqual(["alice@renamed.test", "someone@elsewhere.example"]);
    const aliasesMap = readFileSync(path.join(mail.variables.POSTFIX_MAPS_DIR, "virtual_aliases"), "utf8");
    expect(aliasesMap).toContain("team@other.test alice@renamed.test,someone@elsewhere.example");
    expect(await imapCount(mail, "alice@renamed.test", "new password 2", "direct")).toBe("1");
    expect(await imapCount(mail, "alice@example.test", "new password 2")).toBe("NO-LOGIN");
    // (from loopback, Postfix relays for a domain it does not host: the maps are what says it left)
    const mailboxesMap = readFileSync(path.join(mail.variables.POSTFIX_MAPS_DIR, "virtual_mailboxes"), "utf8");
    expect(mailboxesMap).toContain("alice@renamed.test OK");
    expect(mailboxesMap).not.toContain("example.test");
    expect(await sendMail(mail, "alice@renamed.test", "after-rename")).toBe("250");
    await delivered("alice@renamed.test", "new password 2", "after-rename");
    expect(await sendMail(mail, "team@other.test", "team-after-rename")).toBe("250");
    await delivered("alice@renamed.test", "new password 2", "team-after-rename");
    await change((tx) => tx.mailAddress.deleteMany({ where: { localPart: "team" } }));

    const removed = await change((tx) => tx.mailbox.delete({ where: { id: box.id } }));
    expect(removed.every((r) => r.state === "SUCCESS")).toBe(true);
    expect(await imapCount(mail, "alice@renamed.test", "new password 2")).toBe("NO-LOGIN");
    expect(await sendMail(mail, "alice@renamed.test", "after-removal")).toBe("550");
    // MAIL_REMOVE_MAILDIR defaults to no: the mail is kept
    expect(existsSync(path.join(mail.mailRoot, "renamed.test/alice/Maildir"))).toBe(true);
  });

  it("hostile local parts written straight to the database are refused before anything runs", async () => {
    const domain = await db.mailDomain.create({ data: { name: "example.test" } });
    const usersBefore = readFileSync(mail.variables.DOVECOT_USERS_FILE, "utf8");
    for (const localPart of ["evil:0:0::/root", "evil\nroot@example.test", "evil@other.test"]) {
      const reports = await change((tx) => tx.mailbox.create({ data: { localPart, domainId: domain.id, passwordHash: "{BLF-CRYPT}$2b$10$abcdefghijklmnopqrstuv" } }));
      expect(reports.map((r) => r.state)).toEqual(["ERROR", "ERROR"]);
      const logs = await db.scriptLog.findMany({ where: { id: { in: reports.map((r) => r.logId) } } });
      for (const log of logs) expect(log.stderr + log.stdout).toMatch(/refusing to render/);
      await db.mailbox.deleteMany({ where: { localPart } });
    }
    // an alias target carrying a second map entry
    const reports = await change((tx) => tx.mailAddress.create({ data: { localPart: "info", domainId: domain.id, forwards: ["a@example.test\nroot@example.test OK"] } }));
    expect(reports.map((r) => r.state)).toEqual(["ERROR"]);
    expect(readFileSync(mail.variables.DOVECOT_USERS_FILE, "utf8")).toBe(usersBefore);
    expect(readFileSync(path.join(mail.variables.POSTFIX_MAPS_DIR, "virtual_mailboxes"), "utf8")).not.toContain("evil");
  });
});
