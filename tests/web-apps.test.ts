// Web apps end to end: real sshd, real PHP-FPM and nginx. A pool the backend writes answers through
// nginx → FPM as the app's user with its php.ini settings; a pool php-fpm refuses is rolled back.
// Websites mount web apps at paths: the nginx backend passes each path to its app's pool.
import { execFileSync } from "node:child_process";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import http from "node:http";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { Engine } from "../lib/orchestration/engine";
import { SshExecutor } from "../lib/orchestration/executors/ssh";
import { orchestrate, type TxDb } from "../lib/orchestration/unit-of-work";
import { runUnitOfWork } from "../lib/orchestration/dispatcher";
import { createRegistry } from "../lib/services/registry";
import { serviceBySlug } from "../lib/services";
import { deleteObjects, saveObject } from "../lib/services/write";
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

/** The PHP-FPM pool's run of a change (the sites mounting the app run beside it, in any order). */
async function poolRun(fn: (tx: TxDb) => Promise<unknown>) {
  const reports = await change(fn);
  const pool = reports.find((r) => r.backend === "php-fpm-pools");
  if (!pool) throw new Error(`no php-fpm-pools run among ${JSON.stringify(reports.map((r) => r.backend))}`);
  return pool;
}

const admin = { id: 0, role: "admin" };
const websites = serviceBySlug("websites")!;
const webApps = serviceBySlug("web-apps")!;

/** Saves a website through its service (the form's parsing, checks and writes) in a unit of work. */
async function saveSite(input: Record<string, string>, id?: number) {
  const fields = (id ? websites.updateSchema : websites.createSchema).parse({ enabled: "on", ...input, ...(id && { id: String(id) }) }) as Record<string, unknown> & { id?: number };
  return change((tx) => saveObject(websites, fields, { db: tx, user: admin }));
}

function get(urlPath = "/index.php"): Promise<string> {
  return new Promise((resolve) => {
    const req = http.get({ host: ADDRESS, port: PORT, path: urlPath, headers: { host: "blog.test" }, timeout: 5000 }, (res) => {
      let body = "";
      res.setEncoding("utf8");
      res.on("data", (c) => (body += c));
      res.on("end", () => resolve(`${res.statusCode} ${res.statusCode === 301 ? res.headers.location : body}`));
    });
    req.on("error", () => resolve("0"));
  });
}

beforeAll(async () => {
  const key = clientKey(path.join(os.tmpdir(), "orchestra-test-keys"));
  ssh = await startSshHost({ address: "127.0.0.2", port: 22251, clientKeyFile: key });
  fpm = await startPhpFpm();
  nginx = startNginx({ address: ADDRESS, port: PORT });
  // each app's files (WEB_APPS_ROOT/<app>): a script telling which pool runs it, as whom, with which settings
  for (const app of ["blog", "shop", "store"]) {
    mkdirSync(path.join(fpm.dir, "apps", app), { recursive: true, mode: 0o755 });
    writeFileSync(path.join(fpm.dir, "apps", app, "index.php"), `<?php echo "app=", getenv("ORCHESTRA_WEB_APP"), " user=", posix_getpwuid(posix_geteuid())["name"], " memory_limit=", ini_get("memory_limit"), " upload_max_filesize=", ini_get("upload_max_filesize"), "\\n";`);
  }
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
  const variables = { ...fpm.variables, ...nginx.variables, WEB_APPS_ROOT: path.join(fpm.dir, "apps") };
  const server = await db.server.create({ data: { name: "php", address: ssh.address, port: ssh.port, variables } });
  await db.route.create({ data: { backend: "php-fpm-pools", serverId: server.id } });
  await db.route.create({ data: { backend: "nginx-websites", serverId: server.id } });
});

describe("web apps on PHP-FPM", () => {
  it("answers through nginx as its user with its php.ini settings; a change shows at the next request; a rejected pool is rolled back", async () => {
    // the existing account "nobody" plays the app's system user (no system-users route: nothing runs for it)
    const user = await db.systemUser.create({ data: { username: "nobody" } });
    const created = await poolRun((tx) => tx.webApp.create({ data: { name: "blog", systemUserId: user.id, memoryLimit: "96M", uploadMaxFilesize: "3M" } }));
    expect(created.state).toBe("SUCCESS");
    const [site] = await saveSite({ name: "blog", domains: "blog.test", mounts: "/ blog" });
    expect(site).toMatchObject({ backend: "nginx-websites", state: "SUCCESS" });
    await expect.poll(() => get(), { timeout: 10_000, interval: 100 }).toBe("200 app=blog user=nobody memory_limit=96M upload_max_filesize=3M\n");

    const app = await db.webApp.findUniqueOrThrow({ where: { name: "blog" } });
    const changed = await poolRun((tx) => tx.webApp.update({ where: { id: app.id }, data: { memoryLimit: "160M" } }));
    expect(changed.state).toBe("SUCCESS");
    await expect.poll(() => get(), { timeout: 10_000, interval: 100 }).toBe("200 app=blog user=nobody memory_limit=160M upload_max_filesize=3M\n");

    // a value the form refuses but php-fpm judges: pm.max_children = 0 fails `php-fpm -t`
    const pool = path.join(fpm.poolDir, "orchestra-blog.conf");
    const before = readFileSync(pool, "utf8");
    const rejected = await poolRun((tx) => tx.webApp.update({ where: { id: app.id }, data: { maxChildren: 0, memoryLimit: "200M" } }));
    expect(rejected.state).toBe("FAILURE");
    const log = await db.scriptLog.findUniqueOrThrow({ where: { id: rejected.logId } });
    expect(log.stderr).toMatch(/max_children/);
    expect(log.stderr).toMatch(/previous pools were restored/);
    expect(readFileSync(pool, "utf8")).toBe(before);
    expect(await get()).toBe("200 app=blog user=nobody memory_limit=160M upload_max_filesize=3M\n");

    // a value carrying pool syntax never reaches the file: the run ERRORs before anything runs
    const hostile = await poolRun((tx) => tx.webApp.update({ where: { id: app.id }, data: { maxChildren: 2, memoryLimit: "1M\nuser = root" } }));
    expect(hostile.state).toBe("ERROR");
    expect(readFileSync(pool, "utf8")).toBe(before);

    await change((tx) => tx.webApp.update({ where: { id: app.id }, data: { memoryLimit: "160M" } }));

    // a mounted app cannot be deleted: the site would answer 502
    await expect(change((tx) => deleteObjects(webApps, [app.id], { db: tx }))).rejects.toThrow("Nothing was deleted: blog is served by website blog at /. Remove that use first.");
    expect(await get()).toBe("200 app=blog user=nobody memory_limit=160M upload_max_filesize=3M\n");

    // unmounted, then deleted: the site serves its own document root again, the pool is gone
    const website = await db.website.findUniqueOrThrow({ where: { name: "blog" } });
    await saveSite({ name: "blog", domains: "blog.test", mounts: "" }, website.id);
    const removed = await poolRun((tx) => deleteObjects(webApps, [app.id], { db: tx }));
    expect(removed.state).toBe("SUCCESS");
    await expect.poll(() => get(), { timeout: 10_000, interval: 100 }).toMatch(/^404/);
    expect(await get("/")).toMatch(/^200 <!doctype html><title>blog<\/title>/);
  });

  it("a website mounts web apps at paths; a renamed app is re-rendered into the sites that mount it", async () => {
    const user = await db.systemUser.create({ data: { username: "nobody" } });
    for (const name of ["blog", "shop"]) await change((tx) => tx.webApp.create({ data: { name, systemUserId: user.id } }));

    // the form refuses an app that does not exist, next to the field, and saves nothing
    await expect(saveSite({ name: "blog", domains: "blog.test", mounts: "/ blog\n/shop nosuchapp" })).rejects.toMatchObject({ field: "mounts", message: "No web app nosuchapp: create it first." });
    expect(await db.website.count()).toBe(0);
    expect(websites.createSchema.safeParse({ name: "x", mounts: "/a blog\n/a/ shop" }).error?.issues[0].message).toBe("Line 2: /a is mounted twice.");

    const runs = await saveSite({ name: "blog", domains: "blog.test", mounts: "/ blog\n/shop/ shop" });
    expect(runs.map((r) => r.state)).toEqual(["SUCCESS"]);
    await expect.poll(() => get("/shop/index.php"), { timeout: 10_000, interval: 100 }).toBe("200 app=shop user=nobody memory_limit=128M upload_max_filesize=2M\n");
    expect(await get("/index.php")).toBe("200 app=blog user=nobody memory_limit=128M upload_max_filesize=2M\n");
    expect(await get("/shop")).toBe("301 http://blog.test:24480/shop/");
    expect(await get("/shop/missing.php")).toMatch(/^404/);

    // renaming the app moves its pool (a new socket): the site that mounts it is saved in the same unit
    const shop = await db.webApp.findUniqueOrThrow({ where: { name: "shop" } });
    const renamed = await change((tx) => tx.webApp.update({ where: { id: shop.id }, data: { name: "store" } }));
    expect(Object.fromEntries(renamed.map((r) => [r.backend, r.state]))).toEqual({ "php-fpm-pools": "SUCCESS", "nginx-websites": "SUCCESS" });
    await expect.poll(() => get("/shop/index.php"), { timeout: 10_000, interval: 100 }).toBe("200 app=store user=nobody memory_limit=128M upload_max_filesize=2M\n");
    expect(readFileSync(path.join(nginx.sitesDir, "orchestra-blog.conf"), "utf8")).toContain(`fastcgi_pass unix:${fpm.socketDir}/orchestra-store.sock;`);

    // unmounted: the path falls to the app at /
    const website = await db.website.findUniqueOrThrow({ where: { name: "blog" } });
    expect((await saveSite({ name: "blog", domains: "blog.test", mounts: "/ blog" }, website.id)).map((r) => r.state)).toEqual(["SUCCESS"]);
    await expect.poll(() => get("/shop/index.php"), { timeout: 10_000, interval: 100 }).toMatch(/^404/);
  });
});
