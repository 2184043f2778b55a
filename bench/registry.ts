// 5. commit → applied: the same change (a domain added to a site) pushed (nginx-websites: the request
//    runs the script over SSH, test and reload) against pulled (nginx-sites-registry: the agent's
//    long-poll wakes, it fetches, writes, tests and reloads, then reports). Median over 50 changes each,
//    on one real sshd host with two real nginx instances; "applied" for the registry path is the
//    arrival of the agent's report, which it sends after the reload.
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { installAgent } from "../lib/agent/install";
import { createDb } from "../lib/db-client";
import { migrate } from "../lib/migrate";
import { runUnitOfWork } from "../lib/orchestration/dispatcher";
import { Engine } from "../lib/orchestration/engine";
import { SshExecutor } from "../lib/orchestration/executors/ssh";
import { orchestrate } from "../lib/orchestration/unit-of-work";
import { createRegistry } from "../lib/services/registry";
import { startAgentApi } from "../tests/support/agent-api";
import { startNginx } from "../tests/support/nginx";
import { clientKey, startSshHost } from "../tests/support/ssh-host";

const CHANGES = 50;

function stats(ms: number[]) {
  const sorted = [...ms].sort((a, b) => a - b);
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
  return { median: at(0.5), p90: at(0.9), max: sorted.at(-1)! };
}

async function until<T>(fn: () => T | undefined, timeoutMs: number): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = fn();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error("registry bench: the agent did not report in time");
    await new Promise((r) => setTimeout(r, 2));
  }
}

export async function registryBench() {
  if (process.getuid?.() !== 0) {
    console.log("commit → applied: skipped (needs root, openssh-server and nginx; `npm test` installs them)");
    return;
  }
  const dir = mkdtempSync(path.join(os.tmpdir(), "orchestra-bench-"));
  const key = clientKey(dir);
  const host = await startSshHost({ address: "127.0.9.11", port: 25341, clientKeyFile: key, root: dir });
  const pushNginx = startNginx({ address: "127.0.9.11", port: 25342, root: dir });
  const pullNginx = startNginx({ address: "127.0.9.11", port: 25343, root: dir });
  const url = `file:${dir}/registry.db`;
  await migrate(url);
  const db = createDb(url);
  const engine = new Engine({ db, registry: createRegistry(), executor: () => SshExecutor.fromKeyFile(key) });
  const api = await startAgentApi(engine, { address: "127.0.9.11", port: 25344 });
  const agentDir = path.join(dir, "agent");
  try {
    const common = { address: host.address, port: host.port, hostKeyFingerprint: host.fingerprint };
    const push = await db.server.create({ data: { name: "push", ...common, variables: pushNginx.variables } });
    const pull = await db.server.create({
      data: { name: "pull", ...common, variables: { ...pullNginx.variables, AGENT_DIR: `${agentDir}/lib`, AGENT_CONFIG: `${agentDir}/etc/config.json`, AGENT_STATE_DIR: `${agentDir}/state` } },
    });
    await db.route.create({ data: { backend: "nginx-websites", serverId: push.id, match: 'object.name == "pushed"' } });
    await db.route.create({ data: { backend: "nginx-sites-registry", serverId: pull.id, match: 'object.name == "pulled"' } });
    for (const name of ["pushed", "pulled"]) {
      const unit = await orchestrate(engine, (tx) => tx.website.create({ data: { name, domains: { create: [{ name: `${name}.test` }] } } }));
      await runUnitOfWork(engine, unit);
    }
    const installed = await installAgent(engine, pull.id, { url: api.url, wait: 25, backoffMax: 1 });
    if (!installed.ok) throw new Error(installed.message);
    await until(() => (api.reports.length ? true : undefined), 10_000);

    const change = (name: string, i: number) => orchestrate(engine, (tx) => tx.website.update({ where: { name }, data: { domains: { create: [{ name: `${name}-${i}.test` }] } } }));
    const pushed: number[] = [];
    const pulled: number[] = [];
    for (let i = 0; i < CHANGES; i++) {
      let started = performance.now();
      const reports = await runUnitOfWork(engine, await change("pushed", i));
      if (reports.length !== 1 || reports[0].state !== "SUCCESS") throw new Error(`push run failed: ${JSON.stringify(reports)}`);
      pushed.push(performance.now() - started);

      const seen = api.reports.length;
      started = performance.now();
      await change("pulled", i);
      const report = await until(() => api.reports.slice(seen).find((r) => r.body.results.some((x) => x.state === "SUCCESS")), 10_000);
      pulled.push(report.at - started);
    }
    if (!readFileSync(path.join(pullNginx.sitesDir, "orchestra-pulled.conf"), "utf8").includes(`pulled-${CHANGES - 1}.test`)) throw new Error("the agent did not apply the last change");
    const p = stats(pushed);
    const r = stats(pulled);
    console.log(`commit → applied: the same change (a domain added to a site) ${CHANGES} times, test and reload of a real nginx`);
    console.log(`  push (nginx-websites, SSH in the request):        median ${p.median.toFixed(0)} ms, p90 ${p.p90.toFixed(0)} ms, max ${p.max.toFixed(0)} ms`);
    console.log(`  registry (nginx-sites-registry, agent long-poll): median ${r.median.toFixed(0)} ms, p90 ${r.p90.toFixed(0)} ms, max ${r.max.toFixed(0)} ms → ${(r.median / p.median).toFixed(2)}× push; target: median under 1000 ms`);
  } finally {
    try {
      process.kill(Number(readFileSync(path.join(agentDir, "state/agent.pid"), "utf8")), "SIGTERM");
    } catch {
      /* not started */
    }
    await api.stop();
    await engine.close();
    await db.$disconnect();
    await pushNginx.stop();
    await pullNginx.stop();
    await host.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}
