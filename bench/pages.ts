// 8. admin list pages at scale, as full HTTP responses of the production build (`next start`), signed
//    in with a real session: 100,000 script logs (with their operations) on 3 servers and 10,000 system
//    users and 10,000 websites, against the same pages on 100 of each, in the same run; on SQLite and on
//    a private PostgreSQL cluster (default durability). Goal: every page ≤ 200 ms.
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import Database from "better-sqlite3";
import pg from "pg";
import { goal } from "./support/goals";
import { createDb } from "../lib/db-client";
import { migrate } from "../lib/migrate";
import { hashPassword } from "../lib/sign-in";
import { postgresUnavailable, startPostgres } from "./support/postgres";

const BIG = { logs: 100_000, objects: 10_000 };
const SMALL = { logs: 100, objects: 100 };
type Size = typeof BIG;

const GOAL_MS = 200;
const WARMUP = 3;
const RUNS = 15;
const ADMIN = { email: "bench@example.net", password: "bench-password-0123" };
const AUTH_SECRET = "bench-secret-not-for-production-0123456789";

// ---- the data: one row generator for both databases -------------------------------------------------

const LOG_STATES = ["SUCCESS", "SUCCESS", "SUCCESS", "SUCCESS", "FAILURE", "NOTHING", "TIMEOUT"];
const SERVERS = ["web-1", "web-2", "web-3"];
const BACKENDS = ["nginx-websites", "system-users"];
/** Failed operations this recent are still FAILURE; older ones were made moot by a later save. */
const OUTSTANDING_FAILURES = 300;

type Value = string | number | boolean | Date | null;
type Table = { name: string; columns: string[]; rows: (count: number) => Iterable<Value[]> };

const logState = (i: number) => LOG_STATES[i % LOG_STATES.length];
const logServer = (i: number) => (i % 3) + 1;
const logBackend = (i: number) => BACKENDS[i % 2];
const logObject = (i: number, objects: number) => (Math.floor(i / 2) % objects) + 1;

function tables(size: Size, now: number): Table[] {
  const at = (ms: number) => new Date(ms);
  return [
    {
      name: "Server",
      columns: ["name", "address", "updatedAt"],
      rows: () => SERVERS.map((name, i) => [name, `127.0.0.${i + 1}`, at(now)]),
    },
    {
      name: "Route",
      columns: ["backend", "serverId", "updatedAt"],
      rows: () => SERVERS.flatMap((_, s) => BACKENDS.map((b) => [b, s + 1, at(now)])),
    },
    {
      name: "SystemUser",
      columns: ["username", "uid", "shell", "home", "groups", "active", "description", "createdAt", "updatedAt"],
      rows: function* (n) {
        for (let i = 1; i <= n; i++) yield [`user${i}`, 10_000 + i, "/bin/bash", `/home/user${i}`, JSON.stringify(i % 3 ? ["www"] : ["www", "sftp"]), i % 11 !== 0, "", at(now - (n - i) * 600_000), at(now - (n - i) * 600_000)];
      },
    },
    {
      name: "Website",
      columns: ["name", "documentRoot", "enabled", "description", "createdAt", "updatedAt"],
      rows: function* (n) {
        for (let i = 1; i <= n; i++) yield [`site${i}`, "", i % 13 !== 0, "", at(now - (n - i) * 600_000), at(now - (n - i) * 600_000)];
      },
    },
    {
      name: "WebsiteDomain",
      columns: ["websiteId", "name", "createdAt"],
      rows: function* (n) {
        for (let i = 1; i <= n; i++) yield [i, `site${i}.example.net`, at(now - (n - i) * 600_000)];
      },
    },
    {
      // one run a minute, so the dashboard's last 7 days hold ~10,000 of the 100,000
      name: "ScriptLog",
      columns: ["backend", "serverId", "state", "method", "script", "stdout", "stderr", "exitCode", "startedAt", "finishedAt", "createdAt"],
      rows: function* (n) {
        for (let i = 1; i <= n; i++) {
          const state = logState(i);
          const created = now - (n - i) * 60_000;
          const object = logObject(i, size.objects);
          const script = logBackend(i) === "system-users" ? `#!/usr/bin/env bash\nset -euo pipefail\nid -u user${object} >/dev/null 2>&1 || useradd -m -s /bin/bash user${object}\n` : `#!/usr/bin/env bash\nset -euo pipefail\ncat > /etc/nginx/sites-enabled/site${object} <<'EOF'\nserver { server_name site${object}.example.net; }\nEOF\nnginx -t && nginx -s reload\n`;
          const failed = state === "FAILURE" || state === "TIMEOUT";
          yield [logBackend(i), logServer(i), state, "ssh", script, failed ? "" : "ok\n", failed ? "nginx: [emerg] unexpected end of file\n" : "", state === "TIMEOUT" ? null : failed ? 1 : 0, at(created + 10), at(created + 850), at(created)];
        }
      },
    },
    {
      // one operation per log (a save of one object), ids in step with the logs'
      name: "Operation",
      columns: ["unitOfWork", "backend", "action", "model", "objectId", "objectLabel", "after", "identity", "serverId", "state", "attempts", "runAfter", "createdAt", "updatedAt"],
      rows: function* (n) {
        for (let i = 1; i <= n; i++) {
          const users = logBackend(i) === "system-users";
          const object = logObject(i, size.objects);
          const label = users ? `user${object}` : `site${object}`;
          const state = logState(i);
          const failed = state === "FAILURE" || state === "TIMEOUT";
          const created = now - (n - i) * 60_000;
          const after = users ? { id: object, username: label, uid: 10_000 + object, shell: "/bin/bash", groups: ["www"], active: true } : { id: object, name: label, domains: [{ name: `${label}.example.net` }], enabled: true };
          yield [`uow-${i}`, logBackend(i), "save", users ? "SystemUser" : "Website", String(object), label, JSON.stringify(after), label, logServer(i), failed ? (i > n - OUTSTANDING_FAILURES ? "FAILURE" : "SUPERSEDED") : "SUCCESS", 1, at(created), at(created), at(created + 850)];
        }
      },
    },
    {
      name: "ScriptLogOperation",
      columns: ["scriptLogId", "operationId"],
      rows: function* (n) {
        for (let i = 1; i <= n; i++) yield [i, i];
      },
    },
  ];
}

const countOf = (table: string, size: Size) => (table === "Server" || table === "Route" ? 0 : ["SystemUser", "Website", "WebsiteDomain"].includes(table) ? size.objects : size.logs);

/** Fills a migrated SQLite file in one transaction, dates as the app writes them (ISO, +00:00). */
function fillSqlite(url: string, size: Size, now: number) {
  const sqlite = new Database(url.replace(/^file:/, ""));
  const value = (v: Value) => (v instanceof Date ? v.toISOString().replace("Z", "+00:00") : typeof v === "boolean" ? (v ? 1 : 0) : v);
  sqlite.transaction(() => {
    for (const t of tables(size, now)) {
      const insert = sqlite.prepare(`INSERT INTO "${t.name}" (${t.columns.map((c) => `"${c}"`).join(", ")}) VALUES (${t.columns.map(() => "?").join(", ")})`);
      for (const row of t.rows(countOf(t.name, size))) insert.run(...row.map(value));
    }
  })();
  sqlite.close();
}

/** Fills a migrated PostgreSQL database with multi-row INSERTs, dates as Prisma stores them (UTC). */
async function fillPostgres(url: string, size: Size, now: number) {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  const value = (v: Value) => (v instanceof Date ? v.toISOString().replace("Z", "") : v);
  try {
    await client.query("BEGIN");
    for (const t of tables(size, now)) {
      const perInsert = Math.floor(30_000 / t.columns.length);
      let batch: Value[][] = [];
      const flush = async () => {
        if (!batch.length) return;
        const params = batch.flat().map(value);
        const tuples = batch.map((_, r) => `(${t.columns.map((__, c) => `$${r * t.columns.length + c + 1}`).join(", ")})`);
        await client.query(`INSERT INTO "${t.name}" (${t.columns.map((c) => `"${c}"`).join(", ")}) VALUES ${tuples.join(", ")}`, params);
        batch = [];
      };
      for (const row of t.rows(countOf(t.name, size))) {
        batch.push(row);
        if (batch.length === perInsert) await flush();
      }
      await flush();
    }
    await client.query("COMMIT");
    // what autovacuum does shortly after a load like this one
    await client.query("ANALYZE");
  } finally {
    await client.end();
  }
}

// ---- the server and a signed-in client -------------------------------------------------------------

function ensureBuild() {
  if (existsSync(".next/BUILD_ID")) return;
  console.log("pages: no production build (.next/BUILD_ID): running `next build` first");
  const build = spawnSync("node_modules/.bin/next", ["build"], { stdio: "inherit", env: { ...process.env, NEXT_TELEMETRY_DISABLED: "1" } });
  if (build.status !== 0) throw new Error(`pages: next build failed (exit ${build.status})`);
}

type Server = { base: string; cookie: string; stop(): Promise<void> };

async function startServer(databaseUrl: string, port: number): Promise<Server> {
  const child: ChildProcess = spawn("node_modules/.bin/next", ["start", "-H", "127.0.0.1", "-p", String(port)], {
    env: { ...process.env, DATABASE_URL: databaseUrl, AUTH_SECRET, AUTH_TRUST_HOST: "true", NEXT_TELEMETRY_DISABLED: "1", ORCHESTRA_WORKER: "off", ORCHESTRA_SSH_KEY: "/dev/null" },
    stdio: ["ignore", "ignore", "pipe"],
    detached: true,
  });
  let stderr = "";
  child.stderr!.on("data", (d) => (stderr += d));
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  const base = `http://127.0.0.1:${port}`;
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      process.kill(-child.pid!, "SIGTERM");
      await Promise.race([exited, new Promise((r) => setTimeout(r, 10_000))]);
      if (child.exitCode === null && child.signalCode === null) process.kill(-child.pid!, "SIGKILL");
    }
  };
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`pages: next start on ${port} exited ${child.exitCode}: ${stderr}`);
    if (await fetch(`${base}/login`).then((r) => r.ok, () => false)) break;
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`pages: next start on ${port} did not answer within 60 s: ${stderr}`);
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  try {
    return { base, cookie: await signIn(base), stop };
  } catch (error) {
    await stop();
    throw error;
  }
}

const unescapeHtml = (s: string) => s.replace(/&quot;/g, '"').replace(/&#x27;/g, "'").replace(/&#39;/g, "'").replace(/&lt;/g, "<").replace(/&gt;/g, ">").replace(/&amp;/g, "&");

/**
 * Signs in through the login form as a browser without JavaScript does: the form's hidden fields (the
 * server action's reference) plus e-mail and password, POSTed to /login; the answer's session cookie.
 */
async function signIn(base: string): Promise<string> {
  const html = await (await fetch(`${base}/login`)).text();
  const form = /<form[^>]*>([\s\S]*?)<\/form>/.exec(html)?.[1];
  if (!form) throw new Error("pages: no form on /login");
  const body = new FormData();
  for (const [input] of form.matchAll(/<input[^>]*>/g)) {
    const attrs = Object.fromEntries([...input.matchAll(/([\w$:.-]+)="([^"]*)"/g)].map((m) => [m[1], unescapeHtml(m[2])]));
    if (attrs.type === "hidden" && attrs.name) body.append(attrs.name, attrs.value ?? "");
  }
  body.set("email", ADMIN.email);
  body.set("password", ADMIN.password);
  const response = await fetch(`${base}/login`, { method: "POST", body, redirect: "manual", headers: { Origin: base } });
  const cookie = response.headers.getSetCookie().map((c) => c.split(";")[0]).find((c) => c.startsWith("authjs.session-token="));
  if (!cookie) throw new Error(`pages: signing in answered ${response.status} without a session cookie`);
  return cookie;
}

// ---- the pages ------------------------------------------------------------------------------------

type Page = { label: string; path: (size: Size) => string; expect: (html: string, size: Size) => string | null };

const logLinks = (html: string) => [...html.matchAll(/href="\/logs\/(\d+)"/g)].map((m) => Number(m[1]));
const ids = (n: number, keep: (i: number) => boolean) => Array.from({ length: n }, (_, k) => n - k).filter(keep);
const failuresOn2 = (size: Size) => ids(size.logs, (i) => logState(i) === "FAILURE" && logServer(i) === 2);
const usernameMatches = (size: Size, q: string) => Array.from({ length: size.objects }, (_, k) => `user${k + 1}`).filter((u) => u.includes(q)).length;

/** The newest `count` ids of `expected` are the page's log links, in order. */
function sameLogs(html: string, expected: number[]): string | null {
  const got = logLinks(html).slice(0, 50);
  const want = expected.slice(0, 50);
  return got.length === want.length && got.every((id, k) => id === want[k]) ? null : `log links ${got.slice(0, 3).join(",")}… (${got.length}), expected ${want.slice(0, 3).join(",")}… (${want.length})`;
}

const contains = (html: string, text: string) => (html.includes(text) ? null : `no ${JSON.stringify(text)}`);

const PAGES: Page[] = [
  { label: "/logs (first page)", path: () => "/logs", expect: (html, s) => sameLogs(html, ids(s.logs, () => true)) },
  { label: "/logs FAILURE on web-2", path: () => "/logs?state=FAILURE&server=2", expect: (html, s) => sameLogs(html, failuresOn2(s)) },
  { label: "/logs deep (before = half)", path: (s) => `/logs?before=${s.logs / 2}`, expect: (html, s) => sameLogs(html, ids(s.logs / 2 - 1, () => true)) },
  { label: "/operations", path: () => "/operations", expect: (html, s) => contains(html, `href="/operations/${s.logs}"`) ?? contains(html, `href="/operations/${s.logs - 49}"`) },
  { label: "/services/system-users", path: () => "/services/system-users", expect: (html, s) => contains(html, `${s.objects.toLocaleString("en")} system users`) ?? contains(html, ">user1<") },
  { label: "/services/system-users?q=user42", path: () => "/services/system-users?q=user42", expect: (html, s) => contains(html, `${usernameMatches(s, "user42").toLocaleString("en")} matching`) ?? contains(html, ">user42<") },
  { label: "/services/websites", path: () => "/services/websites", expect: (html, s) => contains(html, `${s.objects.toLocaleString("en")} websites`) ?? contains(html, "site1.example.net") },
  { label: "/ (dashboard)", path: () => "/", expect: (html) => contains(html, 'data-testid="runs-chart"') ?? contains(html, 'data-testid="latest-failures"') ?? contains(html, ">web-2<") },
];

/** One full response: status 200 (no redirect), the whole body read, its expected content there. */
async function request(server: Server, page: Page, size: Size): Promise<number> {
  const start = process.hrtime.bigint();
  const response = await fetch(server.base + page.path(size), { headers: { Cookie: server.cookie }, redirect: "manual" });
  const html = await response.text();
  const ms = Number(process.hrtime.bigint() - start) / 1e6;
  if (response.status !== 200) throw new Error(`pages: ${page.label} answered ${response.status} ${response.headers.get("location") ?? ""}`);
  // React separates adjacent text nodes with <!-- --> in server-rendered HTML
  const wrong = page.expect(html.replace(/<!-- -->/g, ""), size);
  if (wrong) throw new Error(`pages: ${page.label} (${size.logs} logs): ${wrong}`);
  return ms;
}

async function measure(server: Server, page: Page, size: Size) {
  for (let i = 0; i < WARMUP; i++) await request(server, page, size);
  const runs: number[] = [];
  for (let i = 0; i < RUNS; i++) runs.push(await request(server, page, size));
  runs.sort((a, b) => a - b);
  return { median: runs[Math.floor(RUNS / 2)], p90: runs[Math.ceil(RUNS * 0.9) - 1] };
}

// ---- one database ---------------------------------------------------------------------------------

async function benchDatabase(title: string, urls: { small: string; big: string }, fill: (url: string, size: Size, now: number) => Promise<void> | void, ports: [number, number]) {
  const now = Date.now();
  const prepare = async (url: string, size: Size) => {
    await migrate(url);
    const start = process.hrtime.bigint();
    await fill(url, size, now);
    const ms = Number(process.hrtime.bigint() - start) / 1e6;
    const db = createDb(url);
    try {
      await db.user.create({ data: { email: ADMIN.email, name: "bench", role: "admin", passwordHash: await hashPassword(ADMIN.password) } });
      const last = await db.scriptLog.findFirst({ orderBy: { id: "desc" }, select: { id: true } });
      if (last?.id !== size.logs) throw new Error(`pages: the logs' ids do not run 1..${size.logs} (last ${last?.id})`);
    } finally {
      await db.$disconnect();
    }
    return ms;
  };
  await prepare(urls.small, SMALL);
  const fillMs = await prepare(urls.big, BIG);
  const small = await startServer(urls.small, ports[0]);
  let big: Server | undefined;
  try {
    big = await startServer(urls.big, ports[1]);
    // a first round over every page on both servers, so the first page measured is not the one that
    // pays for the server's first renders
    for (const page of PAGES) {
      await request(small, page, SMALL);
      await request(big, page, BIG);
    }
    console.log(`${title}: admin pages as full HTTP responses of \`next start\`, signed in; median (p90) of ${RUNS} after ${WARMUP} warm-ups`);
    console.log(`  big: 100,000 script logs with their operations on 3 servers, 10,000 system users, 10,000 websites (filled in ${(fillMs / 1000).toFixed(1)} s); baseline: the same page with 100 of each`);
    console.log(`  ${"page".padEnd(34)} ${"100 rows".padStart(16)} ${"big".padStart(18)} ${"ratio".padStart(7)}  ≤ ${GOAL_MS} ms`);
    let slowest = { label: "", median: 0 };
    for (const page of PAGES) {
      const s = await measure(small, page, SMALL);
      const b = await measure(big, page, BIG);
      if (b.median > slowest.median) slowest = { label: page.label, median: b.median };
      const cell = (m: { median: number; p90: number }) => `${m.median.toFixed(1)} (${m.p90.toFixed(1)}) ms`;
      console.log(`  ${page.label.padEnd(34)} ${cell(s).padStart(16)} ${cell(b).padStart(18)} ${`${(b.median / s.median).toFixed(2)}×`.padStart(7)}  ${b.median <= GOAL_MS ? "yes" : "NO"}`);
    }
    goal(`slowest admin list page at 100,000 logs, ${slowest.label} (${title.replace("pages on ", "")})`, `${slowest.median.toFixed(0)} ms`, slowest.median <= GOAL_MS, `≤ ${GOAL_MS} ms`);
  } finally {
    await big?.stop();
    await small.stop();
  }
}

export async function pagesBench(): Promise<void> {
  ensureBuild();
  const dir = mkdtempSync(path.join(os.tmpdir(), "orchestra-bench-"));
  try {
    await benchDatabase("pages on SQLite", { small: `file:${dir}/small.db`, big: `file:${dir}/big.db` }, fillSqlite, [3400, 3401]);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  const why = postgresUnavailable();
  if (why) {
    console.log(`pages on PostgreSQL: skipped (${why})`);
    return;
  }
  const cluster = await startPostgres(55450);
  try {
    const urls = { small: await cluster.createDb("pages_small"), big: await cluster.createDb("pages_big") };
    await benchDatabase("pages on PostgreSQL", urls, fillPostgres, [3402, 3403]);
  } finally {
    cluster.stop();
  }
}
