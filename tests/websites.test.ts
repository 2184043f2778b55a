// The nginx-websites backend end to end: real sshd, real nginx, and HTTP requests as the proof.
import { readdirSync, rmSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { Engine } from "../lib/orchestration/engine";
import type { SshExecutor } from "../lib/orchestration/executors/ssh";
import type { TxDb } from "../lib/orchestration/unit-of-work";
import { resetDb, testDb } from "./db";
import { startWebHost, type WebHost } from "./support/web-host";
import type { SshHost } from "./support/ssh-host";
import { fetchSite, statusOf, type NginxHost } from "./support/nginx";

const db = testDb();
let ssh: SshHost;
let nginx: NginxHost;
let engine: Engine;
let executor: SshExecutor;
let host: WebHost;

/** nginx reloads asynchronously: wait until it answers as expected. */
async function served(hostname: string, status: number, body?: string) {
  await expect.poll(() => statusOf(nginx, hostname), { timeout: 10_000 }).toBe(status);
  if (body) await expect.poll(() => fetchSite(nginx, hostname).then((r) => r.body, () => ""), { timeout: 10_000 }).toContain(body);
}

const change = (fn: (tx: TxDb) => Promise<unknown>) => host.change(fn);

beforeAll(async () => {
  host = await startWebHost(db, { address: "127.0.0.2", sshPort: 22212, nginxPort: 18081 });
  ({ ssh, nginx, engine, executor } = host);
});

afterAll(async () => {
  await host?.stop();
});

beforeEach(async () => {
  await resetDb();
  for (const f of readdirSync(nginx.sitesDir)) rmSync(path.join(nginx.sitesDir, f));
  const server = await db.server.create({ data: { name: "web", address: ssh.address, port: ssh.port, variables: nginx.variables } });
  await db.route.create({ data: { backend: "nginx-websites", serverId: server.id } });
});

describe("websites on nginx", () => {
  it("serves a new site, follows domain changes, stops serving when disabled or deleted", async () => {
    const [created] = await change((tx) => tx.website.create({ data: { name: "shop", domains: { create: [{ name: "shop.test" }] } } }));
    expect(created.state).toBe("SUCCESS");
    await served("shop.test", 200, "<h1>shop</h1>");
    await served("other.test", 404);

    const site = await db.website.findUniqueOrThrow({ where: { name: "shop" } });
    await change(async (tx) => {
      await tx.websiteDomain.create({ data: { websiteId: site.id, name: "www.shop.test" } });
      await tx.websiteDomain.deleteMany({ where: { name: "shop.test" } });
    });
    await served("www.shop.test", 200);
    await served("shop.test", 404);

    const [disabled] = await change((tx) => tx.website.update({ where: { id: site.id }, data: { enabled: false } }));
    expect(disabled.state).toBe("SUCCESS");
    await served("www.shop.test", 404);

    await change((tx) => tx.website.update({ where: { id: site.id }, data: { enabled: true, name: "boutique" } }));
    await served("www.shop.test", 200, "boutique");

    await change((tx) => tx.website.delete({ where: { id: site.id } }));
    await served("www.shop.test", 404);
  });

  it("reloads once for many sites, and an unchanged site reloads nothing", async () => {
    const [first] = await change(async (tx) => {
      for (const n of ["a1", "a2", "a3"]) await tx.website.create({ data: { name: n, domains: { create: [{ name: `${n}.test` }] } } });
    });
    const log = await db.scriptLog.findUniqueOrThrow({ where: { id: first.logId } });
    expect(log.script.match(/nginx -s reload/g)).toHaveLength(1);
    for (const n of ["a1", "a2", "a3"]) await served(`${n}.test`, 200);

    // the same state again: files compare equal, so no test and no reload run
    const a1 = await db.website.findUniqueOrThrow({ where: { name: "a1" } });
    const [again] = await change((tx) => tx.website.update({ where: { id: a1.id }, data: { documentRoot: "" } }));
    expect(again.state).toBe("SUCCESS");
    const againLog = await db.scriptLog.findUniqueOrThrow({ where: { id: again.logId } });
    expect(againLog.stderr).toBe("");
  });

  it("a config nginx rejects fails the run with nginx's message and is rolled back", async () => {
    await change((tx) => tx.website.create({ data: { name: "keeper", domains: { create: [{ name: "keeper.test" }] } } }));
    const server = await db.server.findFirstOrThrow();
    await db.server.update({ where: { id: server.id }, data: { variables: { ...nginx.variables, NGINX_LISTEN: "127.0.0.2:notaport" } } });
    const [report] = await change((tx) => tx.website.create({ data: { name: "broken", domains: { create: [{ name: "broken.test" }] } } }));
    expect(report.state).toBe("FAILURE");
    const stderr = (await db.scriptLog.findUniqueOrThrow({ where: { id: report.logId } })).stderr;
    expect(stderr).toMatch(/invalid port/);
    expect(stderr).toMatch(/previous files were restored/);
    expect(readdirSync(nginx.sitesDir).sort()).toEqual(["orchestra-keeper.conf"]);
    // nginx still reloads fine afterwards, and still serves the earlier site
    await db.server.update({ where: { id: server.id }, data: { variables: nginx.variables } });
    await db.website.deleteMany({ where: { name: "broken" } });
    const [next] = await change((tx) => tx.website.create({ data: { name: "after", domains: { create: [{ name: "after.test" }] } } }));
    expect(next.state).toBe("SUCCESS");
    await served("keeper.test", 200);
    await served("after.test", 200);
  });
});
