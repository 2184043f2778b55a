import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import { createDb } from "../lib/db-client";
import { migrate } from "../lib/migrate";
import { hashPassword } from "../lib/sign-in";
import { E2E_DATABASE_URL } from "../playwright.config";
import { clientKey, startSshHost } from "../tests/support/ssh-host";
import { startNginx } from "../tests/support/nginx";
import { startBind } from "../tests/support/bind";
import { startMariadb, startPostgres } from "../tests/support/sql-servers";
import { startMail } from "../tests/support/mail";
import { startPhpFpm } from "../tests/support/php-fpm";
import { SPARE_USERS, USERS } from "./users";
import { wipeDatabase } from "../tests/support/wipe";


export const E2E_DIR = path.resolve(".tmp/e2e");
export const HOSTS_FILE = path.join(E2E_DIR, "hosts.json");
export const BIND_FILE = path.join(E2E_DIR, "named.json");
export const SQL_SERVERS_FILE = path.join(E2E_DIR, "sql-servers.json");

// A fresh database with one account per role, and two real sshd hosts on loopback for the run.
export default async function globalSetup() {
  rmSync(E2E_DIR, { recursive: true, force: true });
  mkdirSync(E2E_DIR, { recursive: true });
  mkdirSync("e2e/.auth", { recursive: true });
  // Wiped, not deleted: the web server (and its in-process worker) may have it open already.
  await migrate(E2E_DATABASE_URL);
  const db = createDb(E2E_DATABASE_URL);
  await wipeDatabase(db);
  for (const user of [...Object.values(USERS), ...Object.values(SPARE_USERS)]) {
    await db.user.create({ data: { email: user.email, role: user.role, name: user.role, passwordHash: await hashPassword(user.password) } });
  }
  await db.$disconnect();

  const key = clientKey(E2E_DIR); // the app reads it through ORCHESTRA_SSH_KEY (playwright.config.ts)
  const hosts = await Promise.all([
    startSshHost({ address: "127.0.0.2", port: 22302, clientKeyFile: key, root: E2E_DIR }),
    startSshHost({ address: "127.0.0.3", port: 22303, clientKeyFile: key, root: E2E_DIR }),
  ]);
  // Each host also runs its own nginx, whose sites directory the websites backend writes.
  const nginxes = hosts.map((h) => startNginx({ address: h.address, port: 18082, root: E2E_DIR }));
  // A private Postfix + Dovecot the first host's mail backends write to (e2e/mail.spec.ts).
  const mail = await startMail({ address: "127.0.7.9", smtpPort: 24426, imapPort: 24444 });
  // A private PHP-FPM master beside the second host's nginx (e2e/web-apps.spec.ts).
  const fpm = await startPhpFpm();
  writeFileSync(
    HOSTS_FILE,
    JSON.stringify(
      hosts.map(({ address, port, sandbox, fingerprint }, i) => ({
        address,
        port,
        sandbox,
        fingerprint,
        nginx: { address, port: 18082, variables: nginxes[i].variables },
        mail: i === 0 ? { address: mail.address, smtpPort: mail.smtpPort, imapPort: mail.imapPort, variables: mail.variables } : null,
        php: i === 1 ? { dir: fpm.dir, variables: fpm.variables } : null,
      })),
    ),
  );
  // A named primary and secondary for e2e/dns.spec.ts (the bind9 backends reach them from the hosts).
  const named = await Promise.all(["127.0.7.1", "127.0.7.2"].map((address) => startBind({ address })));
  writeFileSync(BIND_FILE, JSON.stringify(named.map(({ address, port, variables }) => ({ address, port, variables }))));
  // Private MariaDB and PostgreSQL for the databases spec (their clients reached through the sshd hosts).
  const sql = await Promise.all([startMariadb({ address: "127.0.7.6", port: 24406 }), startPostgres({ address: "127.0.7.7", port: 24407 })]);
  writeFileSync(SQL_SERVERS_FILE, JSON.stringify(sql.map(({ address, port, variables }) => ({ address, port, variables }))));
  return async () => {
    await Promise.all(sql.map((s) => s.stop()));
    await Promise.all(named.map((n) => n.stop()));
    await Promise.all([...nginxes.map((n) => n.stop()), mail.stop(), fpm.stop()]);
    await Promise.all(hosts.map((h) => h.stop()));
  };
}
