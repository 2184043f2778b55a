// A real Postfix + Dovecot pair (Debian's packages) on a loopback address for tests, as in the shared
// recipe: SMTP → Postfix (its own -c dir, hash maps the postfix-virtual backend writes) → LMTP over a
// unix socket → Dovecot (passwd-file the dovecot-mailboxes backend writes) → IMAP. Started once per file.
import { execFile, execFileSync } from "node:child_process";
import { chownSync, chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { promisify } from "node:util";

const run = promisify(execFile);

export type MailHost = {
  address: string;
  smtpPort: number;
  imapPort: number;
  dir: string;
  mailRoot: string;
  /** Server variables pointing the mail backends at this pair. */
  variables: Record<string, string>;
  stop(): Promise<void>;
};

const MASTER_CF = (address: string, port: number) => `${address}:${port} inet n - n - - smtpd
pickup    unix  n       -       n       60      1       pickup
cleanup   unix  n       -       n       -       0       cleanup
qmgr      unix  n       -       n       300     1       qmgr
rewrite   unix  -       -       n       -       -       trivial-rewrite
bounce    unix  -       -       n       -       0       bounce
defer     unix  -       -       n       -       0       bounce
trace     unix  -       -       n       -       0       bounce
verify    unix  -       -       n       -       1       verify
flush     unix  n       -       n       1000?   0       flush
proxymap  unix  -       -       n       -       -       proxymap
smtp      unix  -       -       n       -       -       smtp
relay     unix  -       -       n       -       -       smtp
showq     unix  n       -       n       -       -       showq
error     unix  -       -       n       -       -       error
retry     unix  -       -       n       -       -       error
discard   unix  -       -       n       -       -       discard
lmtp      unix  -       -       n       -       -       lmtp
anvil     unix  -       -       n       -       1       anvil
scache    unix  -       -       n       -       1       scache
postlog   unix-dgram n  -       n       -       1       postlogd
`;

async function waitForPort(address: string, port: number, timeoutMs = 10_000) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const open = await new Promise<boolean>((resolve) => {
      const s = net.connect({ host: address, port }, () => (s.end(), resolve(true)));
      s.on("error", () => resolve(false));
    });
    if (open) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`nothing listens on ${address}:${port}`);
}

export async function startMail(options: { address: string; smtpPort: number; imapPort: number }): Promise<MailHost> {
  const { address, smtpPort, imapPort } = options;
  // under /tmp: Postfix accepts a maillog_file only under its prefixes
  const dir = mkdtempSync(path.join("/tmp", `mail-${address}-`));
  chmodSync(dir, 0o755);
  const conf = path.join(dir, "postfix");
  const maps = path.join(dir, "postfix-maps");
  const mailRoot = path.join(dir, "mail");
  for (const d of [conf, maps, mailRoot, path.join(dir, "postfix-spool"), path.join(dir, "postfix-data"), path.join(dir, "dovecot-state")]) mkdirSync(d, { recursive: true });
  execFileSync("chown", ["postfix", path.join(dir, "postfix-data")]);
  chownSync(mailRoot, 8, 8);
  writeFileSync(
    path.join(conf, "main.cf"),
    `compatibility_level = 3.6
queue_directory = ${dir}/postfix-spool
data_directory = ${dir}/postfix-data
mail_owner = postfix
setgid_group = postdrop
maillog_file_prefixes = /tmp
maillog_file = ${dir}/postfix.log
myhostname = mail.orchestra.test
mydestination =
inet_interfaces = loopback-only
inet_protocols = ipv4
mynetworks = 127.0.0.0/8
smtpd_relay_restrictions = permit_mynetworks, reject_unauth_destination
smtp_dns_support_level = disabled
alias_maps =
alias_database =
local_recipient_maps =
local_transport = error:local delivery disabled
biff = no
virtual_mailbox_domains = hash:${maps}/virtual_domains
virtual_mailbox_maps = hash:${maps}/virtual_mailboxes
virtual_alias_maps = hash:${maps}/virtual_aliases
virtual_transport = lmtp:unix:${dir}/dovecot-run/lmtp
`,
  );
  writeFileSync(path.join(conf, "master.cf"), MASTER_CF(address, smtpPort));
  for (const map of ["virtual_domains", "virtual_mailboxes", "virtual_aliases"]) {
    writeFileSync(path.join(maps, map), "");
    execFileSync("postmap", ["-c", conf, `hash:${maps}/${map}`]);
  }
  const users = path.join(dir, "users");
  writeFileSync(users, "");
  writeFileSync(
    path.join(dir, "dovecot.conf"),
    `instance_name = dovecot-test-${path.basename(dir)}
base_dir = ${dir}/dovecot-run
state_dir = ${dir}/dovecot-state
log_path = ${dir}/dovecot.log
info_log_path = ${dir}/dovecot.log
protocols = imap lmtp
listen = ${address}
ssl = no
disable_plaintext_auth = no
auth_mechanisms = plain login
first_valid_uid = 8
first_valid_gid = 8
mail_location = maildir:~/Maildir
passdb {
  driver = passwd-file
  args = username_format=%Lu ${users}
}
userdb {
  driver = passwd-file
  args = username_format=%Lu ${users}
}
service imap-login {
  inet_listener imap {
    address = ${address}
    port = ${imapPort}
  }
  inet_listener imaps {
    port = 0
  }
}
service lmtp {
  unix_listener lmtp {
    mode = 0666
  }
}
auth_failure_delay = 0
service anvil {
  unix_listener anvil-auth-penalty {
    mode = 0
  }
}
`,
  );
  execFileSync("dovecot", ["-c", path.join(dir, "dovecot.conf")], { stdio: "ignore" });
  // "ignore": daemons would keep a piped stdout open, and execFileSync wait for it forever
  execFileSync("postfix", ["-c", conf, "start"], { stdio: "ignore" });
  await waitForPort(address, imapPort);
  await waitForPort(address, smtpPort);
  const postfixPid = () => readFileSync(path.join(dir, "postfix-spool/pid/master.pid"), "utf8").trim();
  return {
    address,
    smtpPort,
    imapPort,
    dir,
    mailRoot,
    variables: {
      POSTFIX_MAPS_DIR: maps,
      POSTFIX_POSTMAP: `postmap -c ${conf}`,
      POSTFIX_RELOAD: `postfix -c ${conf} reload`,
      DOVECOT_USERS_FILE: users,
      MAIL_ROOT: mailRoot,
    },
    async stop() {
      let pid = "";
      try {
        pid = postfixPid();
      } catch {
        /* not started */
      }
      try {
        execFileSync("postfix", ["-c", conf, "stop"], { stdio: "pipe" });
      } catch {
        /* already stopped */
      }
      try {
        execFileSync("doveadm", ["-c", path.join(dir, "dovecot.conf"), "stop"], { stdio: "pipe" });
      } catch {
        /* already stopped */
      }
      // postfix's master exits about a second after `stop`: wait, so the next start finds the port free
      for (let i = 0; pid && i < 50; i++) {
        try {
          process.kill(Number(pid), 0);
        } catch {
          break;
        }
        await new Promise((r) => setTimeout(r, 100));
      }
      if (existsSync(dir)) rmSync(dir, { recursive: true, force: true });
    },
  };
}

const PY_SMTP = `
import smtplib, sys
host, port, sender, rcpt, subject = sys.argv[1:6]
s = smtplib.SMTP(host, int(port), local_hostname="client.example.org", timeout=10)
try:
    s.sendmail(sender, [rcpt], "From: %s\\r\\nTo: %s\\r\\nSubject: %s\\r\\n\\r\\nhello\\r\\n" % (sender, rcpt, subject))
    print("250")
except smtplib.SMTPRecipientsRefused as e:
    print(list(e.recipients.values())[0][0])
s.quit()
`;

/** Sends a message over SMTP: "250" when accepted, else the reply code refusing the recipient. */
export async function sendMail(mail: MailHost, to: string, subject: string): Promise<string> {
  const { stdout } = await run("python3", ["-c", PY_SMTP, mail.address, String(mail.smtpPort), "sender@example.org", to, subject]);
  return stdout.trim();
}

const PY_IMAP = `
import imaplib, sys
host, port, user, password, subject = sys.argv[1:6]
m = imaplib.IMAP4(host, int(port), timeout=10)
try:
    m.login(user, password)
except imaplib.IMAP4.error:
    print("NO-LOGIN"); sys.exit(0)
m.select("INBOX")
print(len(m.search(None, "SUBJECT", subject)[1][0].split()) if subject else 0)
m.logout()
`;

/** Logs in over IMAP: "NO-LOGIN", or how many INBOX messages have the subject. */
export async function imapCount(mail: MailHost, user: string, password: string, subject = ""): Promise<string> {
  const { stdout } = await run("python3", ["-c", PY_IMAP, mail.address, String(mail.imapPort), user, password, subject]);
  return stdout.trim();
}
