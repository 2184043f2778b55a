// Web apps end to end: real sshd, real PHP-FPM and nginx. A pool the backend writes answers through
// nginx → FPM as the app's user with its php.ini settings; a pool php-fpm refuses is rolled back.
import { execFileSync } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import http from "node:http";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { Engine } from "../lib/orchestration/engine";
import { SshExecutor } from "../lib/orchestration/executors/ssh";
import { orchestrate, type TxDb } from "../lib/orchestration/unit-of-work";
import { runUnitOfWork } from "../lib/orchestration/dispatcher";
import { createRegistry } from "../lib/services/registry";
import { resetDb, testDb } from "./db";
import { clientKey, startSshHost, type SshHost } from "./support/ssh-host";
import { startNginx, type NginxHost } from "./support/nginx";
import { startPhpFpm, type PhpFpmHost } from "./support/php-fpm";

const db = testDb();
let ssh: SshHost;
let nginx: NginxHost;
let fpm: PhpFpmHost;
let engine: Engine;
let executor: SshExecutor;
const ADDRESS = "127.0.7.12";
const PORT = 24480;

async function change(fn: (tx: TxDb) => Promise<unknown>) {
  const unit = await orchestrate(engine, fn);
  return runUnitOfWork(engine, unit);
}

function get(): Promise<string> {
  return new Promise((resolve) => {
    const req = http.get({ host: ADDRESS, port: PORT, path: "/index.php", headers: { host: "blog.test" }, timeout: 5000 }, (res) => {
      let body = "";
      res.setEncoding("utf8");
      res.on("data", (c) => (body += c));
      res.on("end", () => resolve(`${res.statusCode} ${body}`));
    });
    req.on("error", () => resolve("0"));
  });
}

beforeAll(async () => {
  const key = clientKey(path.join(os.tmpdir(), "orchestra-test-keys"));
  ssh = await startSshHost({ address: "127.0.0.2", port: 22251, clientKeyFile: key });
  fpm = await startPhpFpm();
  nginx = startNginx({ address: ADDRESS, port: PORT });
  writeFileSync(path.join(fpm.webRoot, "index.php"), `<?php echo "user=", posix_getpwuid(posix_geteuid())["name"], " memory_limit=", ini_get("memory_limit"), " upload_max_filesize=", ini_get("upload_max_filesize"), "\\n";`);
  // the site mounting the app (written here: mounts are not rendered by the websites backend yet)
  writeFileSync(
    path.join(nginx.sitesDir, "blog.conf"),
    `server { listen ${ADDRESS}:${PORT}; server_name blog.test; root ${fpm.webRoot};
  location ~ \\.php$ { include /etc/nginx/fastcgi_params; fastcgi_param SCRIPT_FILENAME $document_root$fastcgi_script_name; fastcgi_pass unix:${fpm.socketDir}/orchestra-blog.sock; } }
`,
  );
  execFileSync("/usr/sbin/nginx", ["-s", "reload", "-c", nginx.config, "-e", `${nginx.dir}/error.log`]);
  executor = SshExecutor.fromKeyFile(key);
  engine = new Engine({ db, registry: createRegistry(), executor: () => executor });
}, 30_000);

afterAll(async () => {
  await executor?.close();
  await nginx?.stop();
  await fpm?.stop();
  await ssh?.stop();
});

beforeEach(async () => {
  await resetDb();
  const server = await db.server.create({ data: { name: "php", address: ssh.address, port: ssh.port, variables: fpm.variables } });
  await db.route.create({ data: { backend: "php-fpm-pools", serverId: server.id } });
});

describe("web apps on PHP-FPM", () => {
  it("answers through nginx as its user with its php.ini settings; a change shows at the next request; a rejected pool is rolled back", async () => {
    // the existing account "nobody" plays the app's system user (no system-users route: nothing runs for it)
    const user = await db.systemUser.create({ data: { username: "nobody" } });
    const [created] = await change((tx) => tx.webApp.create({ data: { name: "blog", systemUserId: user.id, memoryLimit: "96M", uploadMaxFilesize: "3M" } }));
    expect(created.state).toBe("SUCCESS");
    await expect.poll(get, { timeout: 10_000, interval: 100 }).toBe("200 user=nobody memory_limit=96M upload_max_filesize=3M\n");

    const app = await db.webApp.findUniqueOrThrow({ where: { name: "blog" } });
    const [changed] = await change((tx) => tx.webApp.update({ where: { id: app.id }, data: { memoryLimit: "160M" } }));
    expect(changed.state).toBe("SUCCESS");
    await expect.poll(get, { timeout: 10_000, interval: 100 }).toBe("200 user=nobody memory_limit=160M upload_max_filesize=3M\n");

    // a value the form refuses but php-fpm judges: pm.max_children = 0 fails `php-fpm -t`
    const pool = path.join(fpm.poolDir, "orchestra-blog.conf");
    const before = readFileSync(pool, "utf8");
    const [rejected] = await change((tx) => tx.webApp.update({ where: { id: app.id }, data: { maxChildren: 0, memoryLimit: "200M" } }));
    expect(rejected.state).toBe("FAILURE");
    const log = await db.scriptLog.findUniqueOrThrow({ where: { id: rejected.logId } });
    expect(log.stderr).toMatch(/max_children/);
    expect(log.stderr).toMatch(/previous pools were restored/);
    expect(readFileSync(pool, "utf8")).toBe(before);
    expect(await get()).toBe("200 user=nobody memory_limit=160M upload_max_filesize=3M\n");

    // a value carrying pool syntax never reaches the file: the run ERRORs before anything runs
    const [hostile] = await change((tx) => tx.webApp.update({ where: { id: app.id }, data: { maxChildren: 2, memoryLimit: "1M\nuser = root" } }));
    expect(hostile.state).toBe("ERROR");
    expect(readFileSync(pool, "utf8")).toBe(before);

    const [removed] = await change((tx) => tx.webApp.delete({ where: { id: app.id } }));
    expect(removed.state).toBe("SUCCESS");
    await expect.poll(get, { timeout: 10_000, interval: 100 }).toMatch(/^502/);
  });
});
