// Rows written by another path than the forms (the database itself) go through the real engine, real
// sshd and real nginx: a hostile value must make the run ERROR, and nothing reaches the host.
import { existsSync, readdirSync, readFileSync, rmSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { Engine } from "../lib/orchestration/engine";
import type { SshExecutor } from "../lib/orchestration/executors/ssh";
import type { TxDb } from "../lib/orchestration/unit-of-work";
import { runSelection } from "../lib/orchestration/manual";
import { resetDb, testDb } from "./db";
import { startWebHost, type WebHost } from "./support/web-host";
import type { SshHost } from "./support/ssh-host";
import { statusOf, type NginxHost } from "./support/nginx";

const db = testDb();
let ssh: SshHost;
let nginx: NginxHost;
let engine: Engine;
let executor: SshExecutor;
let host: WebHost;

const change = (fn: (tx: TxDb) => Promise<unknown>) => host.change(fn);

const passwd = () => readFileSync(path.join(ssh.sandbox, "etc/passwd"), "utf8");
const group = () => readFileSync(path.join(ssh.sandbox, "etc/group"), "utf8");

beforeAll(async () => {
  host = await startWebHost(db, { address: "127.0.0.2", sshPort: 22232, nginxPort: 18091 });
  ({ ssh, nginx, engine, executor } = host);
});

afterAll(async () => {
  await host?.stop();
});

beforeEach(async () => {
  await resetDb();
  for (const f of readdirSync(nginx.sitesDir)) rmSync(path.join(nginx.sitesDir, f));
  const server = await db.server.create({ data: { name: "web", address: ssh.address, port: ssh.port, variables: { ...nginx.variables, SYSUSER_PREFIX: ssh.sandbox } } });
  await db.route.create({ data: { backend: "nginx-websites", serverId: server.id } });
  await db.route.create({ data: { backend: "system-users", serverId: server.id } });
});

describe("hostile rows written straight into the database", () => {
  it("a domain carrying nginx syntax never reaches the sites directory", async () => {
    const [ok] = await change((tx) => tx.website.create({ data: { name: "shop", domains: { create: [{ name: "shop.test" }] } } }));
    expect(ok.state).toBe("SUCCESS");
    const files = readdirSync(nginx.sitesDir);

    // Not through the form: the row is written directly, then an ordinary change makes it run.
    const evil = await db.website.create({ data: { name: "evil", domains: { create: [{ name: "evil.test; } server { listen 18091; server_name shop.test; return 418; } #" }] } } });
    const [run] = await change((tx) => tx.website.update({ where: { id: evil.id }, data: { documentRoot: "/srv/www/evil" } }));
    expect(run.state).toBe("ERROR");
    const log = await db.scriptLog.findUniqueOrThrow({ where: { id: run.logId } });
    expect(log.stderr).toMatch(/refusing to render website "evil": the domain/);
    expect(readdirSync(nginx.sitesDir)).toEqual(files);
    expect(existsSync(path.join(nginx.sitesDir, "orchestra-evil.conf"))).toBe(false);
    await expect.poll(() => statusOf(nginx, "shop.test"), { timeout: 10_000 }).toBe(200); // nginx reloads asynchronously

    // A re-apply of everything from the admin refuses it the same way, and leaves the good site alone.
    const { reports } = await runSelection(engine, { backend: "nginx-websites" });
    expect(reports.map((r) => r.state)).toEqual(["ERROR"]);
    expect(readdirSync(nginx.sitesDir)).toEqual(files);
  });

  it("a document root with a quote and a site name that is a path are refused", async () => {
    await db.website.create({ data: { name: "quoted", documentRoot: "/srv/www/a'; rm -rf /'", domains: { create: [{ name: "quoted.test" }] } } });
    await db.website.create({ data: { name: "../../../tmp/escape", domains: { create: [{ name: "escape.test" }] } } });
    const { reports } = await runSelection(engine, { backend: "nginx-websites" });
    expect(reports.map((r) => r.state)).toEqual(["ERROR"]);
    expect(readdirSync(nginx.sitesDir)).toEqual([]);
  });

  it("a root-group user written to the database is never created on the host", async () => {
    const before = { passwd: passwd(), group: group() };
    const mallory = await db.systemUser.create({ data: { username: "mallory", uid: 1500, groups: ["sudo", "root", "shadow", "disk"], home: "/root" } });
    const [run] = await change((tx) => tx.systemUser.update({ where: { id: mallory.id }, data: { shell: "/bin/sh" } }));
    expect(run.state).toBe("ERROR");
    const log = await db.scriptLog.findUniqueOrThrow({ where: { id: run.logId } });
    expect(log.stderr).toMatch(/refusing to save system user "mallory": groups: Never allowed: sudo, root, shadow, disk/);
    expect(log.stderr).toMatch(/home: The home cannot be in \/root/);
    expect(passwd()).toBe(before.passwd);
    expect(group()).toBe(before.group);

    await db.systemUser.update({ where: { id: mallory.id }, data: { groups: [], home: "", uid: 0 } });
    const { reports } = await runSelection(engine, { backend: "system-users" });
    expect(reports.map((r) => r.state)).toEqual(["ERROR"]);
    expect(passwd()).not.toMatch(/^mallory:/m);
  });
});
