// Two web nodes and a worker on one PostgreSQL: a session signed in on one node is valid on the other
// (shared AUTH_SECRET), both report healthy with a live worker, and 8 saves fired at once through one
// node all commit and run on a real sshd host; a third node killed with kill -9 in the middle of a burst
// of saves (alternating with a surviving node) loses nothing: the host ends as the database says.
import { expect, test } from "@playwright/test";
import { spawn } from "node:child_process";
import { existsSync, mkdirSync, readdirSync } from "node:fs";
import path from "node:path";
import { createDb, type Db } from "../lib/db-client";
import { hashPassword } from "../lib/sign-in";
import { createToken } from "../lib/api/tokens";
import { clientKey, startSshHost, type SshHost } from "../tests/support/ssh-host";
import { wipeDatabase } from "../tests/support/wipe";
import { spawnWorker, stopWorker, type WorkerProcess } from "../tests/support/worker-process";
import { NODES, PG_URL, SHARED_SECRET } from "../playwright.pg.config";

const DIR = path.resolve(".tmp/e2e-pg");
const ADMIN = { email: "admin@pg.test", password: "admin-password-pg-1" };
const [A, B] = NODES.map((port) => `http://127.0.0.1:${port}`);
let db: Db;
let host: SshHost;
let worker: WorkerProcess;

test.beforeAll(async () => {
  mkdirSync(DIR, { recursive: true });
  db = createDb(PG_URL);
  await wipeDatabase(db);
  await db.user.create({ data: { email: ADMIN.email, role: "admin", name: "admin", passwordHash: await hashPassword(ADMIN.password) } });
  const key = clientKey(DIR);
  host = await startSshHost({ address: "127.0.0.9", port: 22229, clientKeyFile: key, root: DIR });
  const server = await db.server.create({
    data: { name: "pg-host", address: host.address, port: host.port, hostKeyFingerprint: host.fingerprint, variables: { NGINX_SITES_DIR: path.join(DIR, "sites"), WEBSITES_ROOT: path.join(DIR, "www"), NGINX_TEST: "true", NGINX_RELOAD: "true" } },
  });
  mkdirSync(path.join(DIR, "sites"), { recursive: true });
  await db.route.create({ data: { backend: "nginx-websites", serverId: server.id } });
  worker = spawnWorker({ DATABASE_URL: PG_URL, ORCHESTRA_SSH_KEY: key, AUTH_SECRET: SHARED_SECRET });
});

test.afterAll(async () => {
  if (worker) await stopWorker(worker);
  await host?.stop();
  await db?.$disconnect();
});

test("one session on both nodes, both healthy, 8 concurrent saves through one node all commit", async ({ browser, request }) => {
  // health: no session needed, JSON, the worker seen alive
  for (const node of [A, B]) {
    await expect.poll(async () => (await (await request.get(`${node}/api/health`)).json()).workers, { timeout: 30_000 }).toBeGreaterThanOrEqual(1);
    const res = await request.get(`${node}/api/health`);
    expect(res.status()).toBe(200);
    expect(await res.json()).toMatchObject({ status: "ok", database: "ok", migrations: "current" });
  }

  const context = await browser.newContext();
  const page = await context.newPage();
  await page.goto(`${A}/login`);
  await page.getByLabel("E-mail").fill(ADMIN.email);
  await page.getByLabel("Password").fill(ADMIN.password);
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page.getByTestId("current-user")).toContainText("admin");
  // the same cookie, sent to the other node (cookies are per host name, not per port)
  await page.goto(`${B}/`);
  await expect(page.getByTestId("current-user")).toContainText("admin");

  // 8 tabs on node A, each with a filled form; the 8 submits fired together
  const tabs = await Promise.all(Array.from({ length: 8 }, () => context.newPage()));
  await Promise.all(
    tabs.map(async (tab, i) => {
      await tab.goto(`${A}/services/websites/new`);
      await tab.getByLabel("Name").fill(`burst${i}`);
      await tab.getByLabel("Domains").fill(`burst${i}.test`);
    }),
  );
  const started = Date.now();
  await Promise.all(tabs.map((tab) => tab.getByRole("button", { name: "Add website" }).click()));
  const committed = await (async () => {
    for (;;) {
      const n = await db.website.count({ where: { name: { startsWith: "burst" } } });
      if (n === 8 || Date.now() - started > 60_000) return n;
      await new Promise((r) => setTimeout(r, 50));
    }
  })();
  const commitMs = Date.now() - started;
  await Promise.all(tabs.map((tab, i) => expect(tab.getByTestId("flash")).toContainText(`burst${i}`, { timeout: 60_000 })));
  const answeredMs = Date.now() - started;
  await expect.poll(() => db.operation.count({ where: { state: "SUCCESS" } }), { timeout: 60_000 }).toBe(8);
  const doneMs = Date.now() - started;
  console.log(`[pg-nodes] 8 concurrent saves through one node: ${committed}/8 committed in ${commitMs} ms, every tab answered in ${answeredMs} ms, all runs SUCCESS in ${doneMs} ms`);
  expect(committed).toBe(8);
});

test("a node killed with kill -9 in the middle of a burst of saves loses nothing: the host ends as the database says", async () => {
  // a third node of the same build, with short leases, so what it held is recovered soon after it dies
  const C = "http://127.0.0.1:3203";
  const node = spawn("bash", ["scripts/serve.sh"], {
    detached: true,
    stdio: "ignore",
    env: { ...process.env, DATABASE_URL: PG_URL, AUTH_SECRET: SHARED_SECRET, AUTH_TRUST_HOST: "true", HOST: "127.0.0.1", PORT: "3203", ORCHESTRA_WORKER: "off", ORCHESTRA_SSH_KEY: path.join(DIR, "id_ed25519"), ORCHESTRA_LEASE_MS: "3000" },
  });
  const killNode = () => {
    try {
      process.kill(-node.pid!, "SIGKILL");
    } catch {
      /* gone already */
    }
  };
  try {
    await expect.poll(async () => (await fetch(`${C}/api/health`).catch(() => null))?.status ?? 0, { timeout: 60_000 }).toBe(200);
    const admin = await db.user.findUniqueOrThrow({ where: { email: ADMIN.email } });
    const { token } = await createToken(db, { id: admin.id, role: "admin" }, { name: "burst", role: "admin", days: 1 });
    const save = (node: string, i: number) =>
      fetch(`${node}/api/v1/services/websites`, {
        method: "POST",
        headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
        body: JSON.stringify({ name: `kill${i}`, domains: [`kill${i}.test`] }),
      }).then(
        (r) => r.status,
        () => 0, // the connection died with the node
      );
    // 40 saves, 4 at a time, alternating between node A and node C; C is killed after the 12th is sent
    const statuses: number[] = [];
    let sent = 0;
    await Promise.all(
      Array.from({ length: 4 }, async () => {
        while (sent < 40) {
          const i = sent++;
          if (i === 12) killNode();
          statuses[i] = await save(i % 2 ? C : A, i);
        }
      }),
    );
    killNode();
    // the worker recovers what the dead node held (its leases expire), and runs it once
    await expect.poll(() => db.operation.count({ where: { state: { in: ["PENDING", "RUNNING"] } } }), { timeout: 90_000 }).toBe(0);
    const sites = (await db.website.findMany({ where: { name: { startsWith: "kill" } }, select: { name: true } })).map((s) => s.name).sort();
    const files = readdirSync(path.join(DIR, "sites")).filter((f) => f.startsWith("orchestra-kill")).map((f) => f.replace(/^orchestra-|\.conf$/g, "")).sort();
    const failed = await db.operation.count({ where: { state: { notIn: ["SUCCESS", "SUPERSEDED"] } } });
    const answered = statuses.filter((s) => s === 201 || s === 200).length;
    console.log(`[pg-nodes] kill -9 mid-burst: 40 saves (20 through the killed node), ${answered} answered, ${sites.length} committed, ${files.length} site files on the host, ${failed} operations not successful`);
    expect(files).toEqual(sites);
    expect(failed).toBe(0);
    // every save node A answered committed; the dead node's answered ones did too
    for (const [i, status] of statuses.entries()) if (status === 201 || status === 200) expect(sites).toContain(`kill${i}`);
    expect(sites.length).toBeGreaterThanOrEqual(20);
    for (const name of sites) expect(existsSync(path.join(DIR, "sites", `orchestra-${name}.conf`))).toBe(true);
  } finally {
    killNode();
  }
});
