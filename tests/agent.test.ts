// The registry strategy end to end: a real agent process (deploy/agent/orchestra-agent.py), installed
// over a real sshd by "Install agent", pulls the websites' nginx configuration from the agent API (the
// route handlers' code, served in this process) and applies it to a real nginx. Measured from commit to
// the agent's report of the applied change.
import { existsSync, readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { agentConfig } from "../lib/agent/api";
import { installAgent } from "../lib/agent/install";
import { provisionAgentToken } from "../lib/agent/tokens";
import { convergence } from "../lib/orchestration/convergence";
import { bumpAgents, renderRegistry } from "../lib/orchestration/registry";
import { orchestrate, type TxDb } from "../lib/orchestration/unit-of-work";
import { resetDb, testDb } from "./db";
import { startAgentApi, type AgentApi } from "./support/agent-api";
import { fetchSite, statusOf } from "./support/nginx";
import { waitFor } from "./support/wait";
import { startWebHost, type WebHost } from "./support/web-host";

const db = testDb();
const BACKEND = "nginx-sites-registry";
let host: WebHost;
let api: AgentApi;
let serverId: number;
let agentDir: string;

/** The agent's report of the server's current configuration version, sent after `before` reports. */
async function reportOfCurrent(before: number) {
  const { version } = await renderRegistry(host.engine, serverId);
  return waitFor("the agent's report", async () => api.reports.slice(before).find((r) => r.body.version === version), 10_000, 5).catch((error) => {
    throw new Error(`${error.message}; the agent's log ends with:\n${readFileSync(path.join(agentDir, "state/agent.log"), "utf8").slice(-2000)}`);
  });
}

/** Commits a change and waits for the agent's report of the version it produced. */
async function committed(fn: (tx: TxDb) => Promise<unknown>) {
  const started = performance.now();
  const before = api.reports.length;
  await orchestrate(host.engine, fn);
  const report = await waitFor("the agent's report", async () => api.reports.slice(before).find((r) => r.body.results.some((x) => x.backend === BACKEND && x.state !== "NOTHING")), 10_000, 5).catch((error) => {
    throw new Error(`${error.message}; the agent's log ends with:\n${readFileSync(path.join(agentDir, "state/agent.log"), "utf8").slice(-2000)}`);
  });
  return { ms: report.at - started, state: report.body.results.find((x) => x.backend === BACKEND)!.state };
}

/** nginx answers for a host name with the site (a reload takes effect a moment after it returns). */
function served(hostname: string, text: string) {
  return waitFor(`${hostname} served`, async () => (await fetchSite(host.nginx, hostname).catch(() => ({ body: "" }))).body.includes(text), 5000, 20);
}

beforeAll(async () => {
  await resetDb();
  host = await startWebHost(db, { address: "127.0.9.2", sshPort: 25302, nginxPort: 25303 });
  api = await startAgentApi(host.engine, { address: "127.0.9.1", port: 25301 });
  agentDir = path.join(host.ssh.dir, "agent");
  const server = await db.server.create({
    data: {
      name: "pull",
      address: host.ssh.address,
      port: host.ssh.port,
      hostKeyFingerprint: host.ssh.fingerprint,
      variables: { ...host.nginx.variables, AGENT_DIR: `${agentDir}/lib`, AGENT_CONFIG: `${agentDir}/etc/config.json`, AGENT_STATE_DIR: `${agentDir}/state` },
    },
  });
  serverId = server.id;
  await db.route.create({ data: { backend: BACKEND, serverId, match: "true" } });
  await db.website.create({ data: { name: "first", domains: { create: [{ name: "first.test" }] } } });
  const report = await installAgent(host.engine, serverId, { url: api.url, wait: 20, backoffMax: 1 });
  expect(report, report.message).toMatchObject({ ok: true });
}, 60_000);

afterAll(async () => {
  const pidFile = path.join(agentDir ?? "/nonexistent", "state/agent.pid");
  if (existsSync(pidFile)) {
    try {
      process.kill(Number(readFileSync(pidFile, "utf8")), "SIGTERM");
    } catch {
      /* gone */
    }
  }
  await api?.stop();
  await host?.stop();
});

describe("registry backend and agent", () => {
  it("installs the agent with its own token (masked in the log) and applies the configuration it pulls", async () => {
    const log = await db.scriptLog.findFirstOrThrow({ where: { backend: "orchestra-agent", serverId } });
    expect(log.state).toBe("SUCCESS");
    const agent = await db.agent.findUniqueOrThrow({ where: { serverId } });
    const config = JSON.parse(readFileSync(path.join(agentDir, "etc/config.json"), "utf8"));
    expect(config.token).toMatch(/^oag_/);
    expect(log.script).not.toContain(config.token);
    expect(agent.tokenHash).not.toContain(config.token.slice(4));
    // the site that existed before the install is served once the agent has pulled
    await waitFor("the first site", async () => (await fetchSite(host.nginx, "first.test").catch(() => ({ status: 0 }))).status === 200, 10_000);
    expect(readFileSync(path.join(host.nginx.sitesDir, "orchestra-first.conf"), "utf8")).toContain("server_name first.test;");
  });

  it("applies each committed change within a second, and records the agent's reports as runs of the server", async () => {
    const times: number[] = [];
    for (let i = 0; i < 5; i++) {
      const { ms, state } = await committed((tx) => tx.website.create({ data: { name: `quick${i}`, domains: { create: [{ name: `quick${i}.test` }] } } }));
      expect(state).toBe("SUCCESS");
      times.push(ms);
    }
    await served("quick4.test", "quick4");
    times.sort((a, b) => a - b);
    expect(times[2], `commit to applied: ${times.map(Math.round).join(", ")} ms`).toBeLessThan(1000);
    // a delete removes the site's file
    await committed((tx) => tx.website.delete({ where: { name: "quick0" } }));
    expect(existsSync(path.join(host.nginx.sitesDir, "orchestra-quick0.conf"))).toBe(false);
    await waitFor("quick0 gone", async () => (await statusOf(host.nginx, "quick0.test")) === 404, 5000, 20);
    const logs = await db.scriptLog.findMany({ where: { serverId, backend: BACKEND }, orderBy: { id: "asc" } });
    expect(logs.length).toBeGreaterThanOrEqual(6);
    expect(logs.at(-1)).toMatchObject({ state: "SUCCESS", method: "agent" });
    expect(logs.at(-1)!.script).toMatch(/quick0: removed|quick0/);
    expect((await db.agent.findUniqueOrThrow({ where: { serverId } })).appliedEtag).toBeTruthy();
    // convergence: every pulled site is recorded as applied on the server
    const { pairs, leftovers } = await convergence(host.engine, { serverId });
    expect(pairs.filter((p) => p.backend === BACKEND).map((p) => `${p.label} ${p.state}`).sort()).toEqual(["first in sync", ...[1, 2, 3, 4].map((i) => `quick${i} in sync`)]);
    expect(leftovers).toEqual([]);
    // pulled, not pushed: no operation was queued for the registry route, the agent's counter moved
    expect(await db.operation.count({ where: { backend: BACKEND } })).toBe(0);
    expect((await db.agent.findUniqueOrThrow({ where: { serverId } })).configVersion).toBeGreaterThanOrEqual(6);
  });

  it("keeps the site served and retries while Orchestra is down; a change after the restart is applied", async () => {
    await api.stop();
    const logFile = path.join(agentDir, "state/agent.log");
    const before = (readFileSync(logFile, "utf8").match(/unreachable/g) ?? []).length;
    await waitFor("the agent's retries", async () => (readFileSync(logFile, "utf8").match(/unreachable/g) ?? []).length >= before + 2, 10_000);
    expect((await fetchSite(host.nginx, "first.test")).status).toBe(200);
    await api.start();
    const { ms, state } = await committed((tx) => tx.website.create({ data: { name: "after", domains: { create: [{ name: "after.test" }] } } }));
    expect(state).toBe("SUCCESS");
    expect(ms).toBeLessThan(5000);
    await served("after.test", "after");
  });

  it("rolls back a configuration the server's test rejects, and reports it as a failure", async () => {
    const server = await db.server.findUniqueOrThrow({ where: { id: serverId } });
    const variables = server.variables as Record<string, string>;
    const good = readFileSync(path.join(host.nginx.sitesDir, "orchestra-first.conf"), "utf8");
    // a listen flag nginx does not know: rendered fine, refused by `nginx -t` on the server
    await db.server.update({ where: { id: serverId }, data: { variables: { ...variables, NGINX_LISTEN: `${variables.NGINX_LISTEN} bogus` } } });
    const { state } = await committed((tx) => tx.website.update({ where: { name: "first" }, data: { documentRoot: `${host.nginx.webRoot}/moved` } }));
    expect(state).toBe("FAILURE");
    const log = await db.scriptLog.findFirstOrThrow({ where: { serverId, backend: BACKEND }, orderBy: { id: "desc" } });
    expect(log).toMatchObject({ state: "FAILURE", method: "agent" });
    expect(log.stderr).toMatch(/bogus[\s\S]*previous files were restored/);
    expect(readFileSync(path.join(host.nginx.sitesDir, "orchestra-first.conf"), "utf8")).toBe(good);
    expect((await fetchSite(host.nginx, "first.test")).status).toBe(200);
    expect((await convergence(host.engine, { serverId })).pairs.find((p) => p.label === "first")?.state).toBe("pending");
    // fixed: the next change applies (the site's new root with it)
    await db.server.update({ where: { id: serverId }, data: { variables } });
    expect((await committed((tx) => tx.website.create({ data: { name: "fixed", domains: { create: [{ name: "fixed.test" }] } } }))).state).toBe("SUCCESS");
    expect(readFileSync(path.join(host.nginx.sitesDir, "orchestra-first.conf"), "utf8")).toContain(`root ${host.nginx.webRoot}/moved;`);
  });

  it("removes the sites it manages when the server's registry route goes, and nothing else", async () => {
    const before = api.reports.length;
    await db.route.updateMany({ where: { serverId, backend: BACKEND }, data: { active: false } });
    // (the admin's route change does this in its unit of work, with the moves)
    await orchestrate(host.engine, (tx) => bumpAgents(tx, [serverId]));
    const report = await reportOfCurrent(before);
    expect(report.body.results).toMatchObject([{ backend: BACKEND, state: "SUCCESS" }]);
    expect(readdirSync(host.nginx.sitesDir).filter((f) => f.startsWith("orchestra-"))).toEqual([]);
    expect(await db.appliedState.count({ where: { serverId } })).toBe(0);
    await waitFor("first gone", async () => (await statusOf(host.nginx, "first.test")) === 404, 5000, 20); // (a connection dropped by the reload counts as not yet)
  });

  it("serves a token its own server's configuration only", async () => {
    const other = await db.server.create({ data: { name: "other", address: "127.0.9.3", variables: { NGINX_SITES_DIR: "/tmp/other-sites" } } });
    await db.route.create({ data: { backend: BACKEND, serverId: other.id, match: 'object.name == "after"' } });
    const token = await provisionAgentToken(db, other.id);
    const get = (auth: string | null, query = "") =>
      agentConfig(host.engine, new Request(`http://x/api/agent/v1/config${query}`, { headers: auth ? { authorization: auth } : {} }));
    expect((await get(null)).status).toBe(401);
    expect((await get("Bearer oag_nothing")).status).toBe(401);
    const response = await get(`Bearer ${token}`);
    expect(response.status).toBe(200);
    const config = await response.json();
    expect(config.server).toBe("other");
    expect(Object.keys(config.backends[0].files)).toEqual(["orchestra-after.conf"]);
    expect(config.backends[0].directory).toBe("/tmp/other-sites");
    // the same version again: 304, at once without wait, and after the wait with one
    const etag = response.headers.get("etag")!;
    const again = (q: string) => agentConfig(host.engine, new Request(`http://x/api/agent/v1/config${q}`, { headers: { authorization: `Bearer ${token}`, "if-none-match": etag } }));
    expect((await again("")).status).toBe(304);
    const started = Date.now();
    const held = [again("?wait=1"), again("?wait=1")];
    await new Promise((r) => setTimeout(r, 100));
    // a third long-poll of the same agent is not held open: answered at once
    expect((await again("?wait=1")).status).toBe(304);
    expect(Date.now() - started).toBeLessThan(700);
    expect((await Promise.all(held)).map((r) => r.status)).toEqual([304, 304]);
    expect(Date.now() - started).toBeGreaterThanOrEqual(900);
  });
});
