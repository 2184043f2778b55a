// npm run bench — performance goals as ratios against baselines measured in the same run.
//  1. collect + route + render: 10,000 operations over 50 CEL routes (in memory), in operations/s,
//     against the baseline of serializing the same snapshots to JSON (what storing them costs anyway).
//  2. the engine on real sshd hosts, on SQLite and PostgreSQL (./engine.ts): the overhead of one small
//     save, fan-out to 10 servers, 200 objects in one unit of work against OpenSSH, worker throughput.
//  4. script-log pages at 100,000 logs; 5. a drift check of 5,000 pairs;
//  6. commit → applied, registry (agent) against push, on the same change: see ./registry.ts.
//  7. the log pages at 1,000,000 logs before and after a retention cleanup.
//  8. admin list pages as full HTTP responses at 100,000 logs and 10,000 objects, SQLite and PostgreSQL: ./pages.ts.
//  `npm run bench -- registry drift` runs only the named ones.
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { Collector } from "../lib/orchestration/collector";
import { routeOperations, type RouteRow } from "../lib/orchestration/router";
import { renderScript } from "../lib/orchestration/script";
import { Engine } from "../lib/orchestration/engine";
import { SshExecutor } from "../lib/orchestration/executors/ssh";
import { orchestrate } from "../lib/orchestration/unit-of-work";
import { runUnitOfWork } from "../lib/orchestration/dispatcher";
import { Worker } from "../lib/orchestration/worker";
import { checkDrift } from "../lib/orchestration/drift";
import { convergence } from "../lib/orchestration/convergence";
import { applyRetention } from "../lib/orchestration/retention";
import { createRegistry } from "../lib/services/registry";
import Database from "better-sqlite3";
import { createDb, type Db } from "../lib/db-client";
import { fetchLogs, type LogFilters } from "../lib/data/log-list";
import { migrate } from "../lib/migrate";
import type { ServerInfo } from "../lib/orchestration/types";
import { clientKey, startSshHost } from "../tests/support/ssh-host";
import { registryBench } from "./registry";
import { endToEndBench, fanOutBench, overheadBench, workerBench } from "./engine";
import { goal, printGoals } from "./support/goals";
import { pagesBench } from "./pages";

function timed<T>(fn: () => T): [T, number] {
  const start = process.hrtime.bigint();
  const value = fn();
  return [value, Number(process.hrtime.bigint() - start) / 1e6];
}

async function timedAsync<T>(fn: () => Promise<T>): Promise<[T, number]> {
  const start = process.hrtime.bigint();
  const value = await fn();
  return [value, Number(process.hrtime.bigint() - start) / 1e6];
}

function best(runs: number, fn: () => number): number {
  return Math.min(...Array.from({ length: runs }, fn));
}

function pipelineBench() {
  const registry = createRegistry();
  const N = 10_000;
  const changes = Array.from({ length: N }, (_, i) => ({
    model: "SystemUser",
    kind: "create" as const,
    objectId: String(i + 1),
    before: null,
    after: { id: i + 1, username: `user${i}`, uid: 10_000 + i, shell: "/bin/bash", home: "", groups: ["www", `team${i % 7}`], active: i % 11 !== 0, description: "" },
  }));
  const servers: ServerInfo[] = Array.from({ length: 50 }, (_, i) => ({ id: i + 1, name: `web${i}`, address: `127.0.1.${i}`, port: 22, sshUser: "root", hostKeyFingerprint: null, variables: {} }));
  // 50 routes that split users between servers by uid and group
  const routes: RouteRow[] = servers.map((s, i) => ({
    id: i + 1,
    backend: "system-users",
    serverId: s.id,
    match: i % 2 ? `object.uid % 50 == ${i}` : `object.uid % 50 == ${i} && "www" in object.groups`,
    async: false,
    asyncActions: [],
    active: true,
  }));

  // Collecting is synchronous per write; operations() only awaits for related models (none here).
  const ours = best(3, () =>
    timed(() => {
      const c = new Collector(registry);
      for (const change of changes) c.add(change);
      return c.size;
    })[1],
  );
  const collector = new Collector(registry);
  for (const c of changes) collector.add(c);
  return collector.operations(async () => null).then((ops) => {
    const backend = registry.get("system-users");
    const routeAndRender = best(3, () =>
      timed(() => {
        const { routed } = routeOperations(ops, routes);
        const groups = new Map<number, typeof ops>();
        for (const r of routed) groups.set(r.route.serverId, [...(groups.get(r.route.serverId) ?? []), r.operation]);
        let bytes = 0;
        for (const [serverId, group] of groups) bytes += renderScript(backend, servers[serverId - 1], group).text.length;
        return bytes;
      })[1],
    );
    const baseline = best(3, () => timed(() => changes.map((c) => JSON.stringify(c.after)).join("").length)[1]);
    const total = ours + routeAndRender;
    console.log(`pipeline: ${N} operations, 50 routes`);
    console.log(`  collect ${ours.toFixed(1)} ms + route & render ${routeAndRender.toFixed(1)} ms = ${total.toFixed(1)} ms → ${Math.round((N / total) * 1000).toLocaleString("en")} operations/s`);
    console.log(`  baseline JSON.stringify of the snapshots: ${baseline.toFixed(1)} ms → ratio ${(total / baseline).toFixed(1)}×`);
    const perSecond = (N / total) * 1000;
    goal("collect + route + render, 10,000 operations over 50 CEL routes", `${Math.round(perSecond).toLocaleString("en")} ops/s`, perSecond >= 50_000, "≥ 50,000 ops/s");
  });
}

/**
 * 4. script-log pages with 100,000 logs: the first page, a page deep in the list and a filtered page,
 *    against the same first page on a table of 100 logs.
 */
async function logsBench() {
  const dir = mkdtempSync(path.join(os.tmpdir(), "orchestra-bench-"));
  const fill = async (name: string, count: number) => {
    const url = `file:${dir}/${name}.db`;
    await migrate(url);
    const sqlite = new Database(url.replace(/^file:/, ""));
    for (let i = 1; i <= 3; i++) sqlite.prepare(`INSERT INTO "Server" (name, address, updatedAt) VALUES (?, ?, ?)`).run(`s${i}`, `127.0.0.${i}`, new Date().toISOString());
    const states = ["SUCCESS", "SUCCESS", "SUCCESS", "SUCCESS", "FAILURE", "NOTHING", "TIMEOUT"];
    const insert = sqlite.prepare(`INSERT INTO "ScriptLog" (backend, serverId, state, script, stdout, exitCode, createdAt) VALUES (?, ?, ?, ?, ?, ?, ?)`);
    sqlite.transaction(() => {
      for (let i = 0; i < count; i++) insert.run(i % 2 ? "system-users" : "nginx-websites", (i % 3) + 1, states[i % states.length], "#!/usr/bin/env bash\ntrue\n", "ok\n", 0, Date.now() - (count - i) * 1000);
    })();
    sqlite.close();
    return createDb(url);
  };
  const small = await fill("small", 100);
  const big = await fill("big", 100_000);
  const time = async (db: Db, filters: LogFilters) => {
    await fetchLogs(db, filters); // warm
    const runs: number[] = [];
    for (let i = 0; i < 20; i++) runs.push((await timedAsync(() => fetchLogs(db, filters)))[1]);
    return runs.sort((a, b) => a - b)[10];
  };
  try {
    await time(small, {}); // a first round warms the query path up
    await time(big, {});
    const baseline = await time(small, {});
    const first = await time(big, {});
    const deep = await time(big, { before: 1_000 });
    const filtered = await time(big, { state: "FAILURE", serverId: 2 });
    const filteredDeep = await time(big, { state: "FAILURE", serverId: 2, before: 5_000 });
    console.log("script-log pages (median of 20), 100,000 logs vs 100 logs");
    console.log(`  baseline first page of 100 logs: ${baseline.toFixed(2)} ms`);
    console.log(`  first page ${first.toFixed(2)} ms (${(first / baseline).toFixed(1)}×) · page at id 1,000 ${deep.toFixed(2)} ms (${(deep / baseline).toFixed(1)}×)`);
    console.log(`  FAILURE on one server: first ${filtered.toFixed(2)} ms (${(filtered / baseline).toFixed(1)}×) · deep ${filteredDeep.toFixed(2)} ms (${(filteredDeep / baseline).toFixed(1)}×)`);
  } finally {
    await small.$disconnect();
    await big.$disconnect();
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * 5. drift check: 1,000 websites on each of 5 servers (5,000 pairs), all applied, then one drift check
 *    of everything (render the check scripts, run them, compare, record), against running the same five
 *    check scripts with OpenSSH (`ssh host bash -s`, the five in parallel) in the same run. Also the
 *    convergence view's computation of the 5,000 pairs.
 */
async function driftBench() {
  if (process.getuid?.() !== 0) return;
  const dir = mkdtempSync(path.join(os.tmpdir(), "orchestra-bench-"));
  const key = clientKey(dir);
  const hosts = await Promise.all([0, 1, 2, 3, 4].map((i) => startSshHost({ address: `127.0.0.${20 + i}`, port: 22520 + i, clientKeyFile: key, root: dir })));
  const url = `file:${dir}/drift.db`;
  await migrate(url);
  const db = createDb(url);
  const engine = new Engine({ db, registry: createRegistry(), executor: () => SshExecutor.fromKeyFile(key) });
  try {
    for (const [i, h] of hosts.entries()) {
      const server = await db.server.create({
        data: { name: `d${i}`, address: h.address, port: h.port, variables: { NGINX_SITES_DIR: path.join(dir, `sites-${i}`), WEBSITES_ROOT: path.join(dir, `www-${i}`), NGINX_TEST: "true", NGINX_RELOAD: "true" } },
      });
      await db.route.create({ data: { backend: "nginx-websites", serverId: server.id } });
    }
    const unit = await orchestrate(engine, async (tx) => {
      for (let n = 0; n < 1000; n++) await tx.website.create({ data: { name: `site${n}`, domains: { create: [{ name: `site${n}.test` }] } } });
    });
    await runUnitOfWork(engine, unit); // 200 operations per script: the rest of each lane is the worker's
    const worker = new Worker(engine, { pollMs: 50 });
    while ((await db.operation.count({ where: { state: { in: ["PENDING", "RUNNING"] } } })) > 0) await worker.tick();
    const ok = await db.operation.count({ where: { state: "SUCCESS" } });
    if (ok !== 5000) throw new Error(`drift bench: ${ok} of 5,000 operations succeeded`);
    const [view, viewMs] = await timedAsync(() => convergence(engine));
    if (view.pairs.length !== 5000) throw new Error(`drift bench: ${view.pairs.length} pairs`);
    const [result, ours] = await timedAsync(() => checkDrift(engine));
    if (result.checked !== 5000 || result.drifted.length !== 0) throw new Error(`drift bench: checked ${result.checked}, drifted ${result.drifted.length}: ${JSON.stringify(result.drifted.slice(0, 3))} ${JSON.stringify([...new Set(result.drifted.map((d) => d.server))])}`);
    const scripts = await db.scriptLog.findMany({ where: { method: "check" }, select: { script: true, server: { select: { address: true, port: true } } } });
    const known = path.join(dir, "known_hosts");
    const ssh = (script: string, address: string, port: number) =>
      new Promise<void>((resolve, reject) => {
        const child = spawn("ssh", ["-i", key, "-p", String(port), "-o", `UserKnownHostsFile=${known}`, "-o", "StrictHostKeyChecking=accept-new", "-o", "BatchMode=yes", "-o", "LogLevel=ERROR", `root@${address}`, "bash", "-s"], { stdio: ["pipe", "ignore", "inherit"] });
        child.on("exit", (code) => (code === 0 ? resolve() : reject(new Error(`ssh exited ${code}`))));
        child.stdin.end(script);
      });
    const [, raw] = await timedAsync(() => Promise.all(scripts.map((s) => ssh(s.script, s.server.address, s.server.port))));
    console.log("drift check: 1,000 websites on each of 5 servers (5,000 pairs), nothing drifted");
    console.log(`  convergence view of the 5,000 pairs: ${viewMs.toFixed(0)} ms`);
    console.log(`  Orchestra drift check (render, run, compare, record): ${ours.toFixed(0)} ms`);
    console.log(`  baseline: the same 5 check scripts through OpenSSH, in parallel: ${raw.toFixed(0)} ms → ratio ${(ours / raw).toFixed(2)}×`);
  } finally {
    await engine.close();
    await db.$disconnect();
    await Promise.all(hosts.map((h) => h.stop()));
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * 7. retention at scale: the script-log pages on 1,000,000 logs spread over 60 days, then a cleanup of
 *    everything older than 30 days (batches of 500 rows per transaction), then the same pages again;
 *    against the first page of a table of 100 logs.
 */
async function retentionBench() {
  const dir = mkdtempSync(path.join(os.tmpdir(), "orchestra-bench-"));
  const N = 1_000_000;
  const fill = async (name: string, count: number) => {
    const url = `file:${dir}/${name}.db`;
    await migrate(url);
    const sqlite = new Database(url.replace(/^file:/, ""));
    for (let i = 1; i <= 3; i++) sqlite.prepare(`INSERT INTO "Server" (name, address, updatedAt) VALUES (?, ?, ?)`).run(`s${i}`, `127.0.0.${i}`, new Date().toISOString());
    const states = ["SUCCESS", "SUCCESS", "SUCCESS", "SUCCESS", "FAILURE", "NOTHING", "TIMEOUT"];
    const insert = sqlite.prepare(`INSERT INTO "ScriptLog" (backend, serverId, state, script, stdout, exitCode, createdAt) VALUES (?, ?, ?, ?, ?, ?, ?)`);
    const span = 60 * 86_400_000;
    const start = Date.now() - span;
    sqlite.transaction(() => {
      for (let i = 0; i < count; i++) insert.run(i % 2 ? "system-users" : "nginx-websites", (i % 3) + 1, states[i % states.length], "#!/usr/bin/env bash\ntrue\n", "ok\n", 0, start + Math.floor((i / count) * span));
    })();
    sqlite.close();
    return createDb(url);
  };
  const median = async (db: Db, filters: LogFilters) => {
    await fetchLogs(db, filters);
    const runs: number[] = [];
    for (let i = 0; i < 11; i++) runs.push((await timedAsync(() => fetchLogs(db, filters)))[1]);
    return runs.sort((a, b) => a - b)[5];
  };
  const small = await fill("small", 100);
  const [big, fillMs] = await timedAsync(() => fill("big", N));
  const engine = new Engine({ db: big, registry: createRegistry(), executor: () => { throw new Error("the retention bench runs no script"); } });
  try {
    const pages = async () => ({ first: await median(big, {}), filtered: await median(big, { state: "FAILURE", serverId: 2 }), deep: await median(big, { before: 400_000 }) });
    const baseline = await median(small, {});
    const before = await pages();
    const [report, cleanupMs] = await timedAsync(() => applyRetention(engine, { maxAgeDays: 30, truncateAfterDays: 365 }));
    const after = await pages();
    const remaining = await big.scriptLog.count();
    const show = (p: { first: number; filtered: number; deep: number }) => `first page ${p.first.toFixed(2)} ms (${(p.first / baseline).toFixed(1)}×), FAILURE on one server ${p.filtered.toFixed(2)} ms (${(p.filtered / baseline).toFixed(1)}×), page at id 400,000 ${p.deep.toFixed(2)} ms (${(p.deep / baseline).toFixed(1)}×)`;
    console.log(`retention: 1,000,000 script logs over 60 days (filled in ${(fillMs / 1000).toFixed(1)} s), cleanup of those older than 30 days`);
    console.log(`  baseline first page of 100 logs: ${baseline.toFixed(2)} ms`);
    console.log(`  before: ${show(before)}`);
    console.log(`  cleanup: ${report.logsDeleted.toLocaleString("en")} logs deleted in ${(cleanupMs / 1000).toFixed(1)} s (${Math.round(report.logsDeleted / (cleanupMs / 1000)).toLocaleString("en")} rows/s, batches of 500), ${remaining.toLocaleString("en")} left`);
    console.log(`  after:  ${show(after)}`);
  } finally {
    await engine.close();
    await small.$disconnect();
    await big.$disconnect();
    rmSync(dir, { recursive: true, force: true });
  }
}

const BENCHES: Record<string, () => Promise<void> | void> = {
  pipeline: pipelineBench,
  logs: logsBench,
  overhead: overheadBench,
  "fan-out": fanOutBench,
  "end-to-end": endToEndBench,
  worker: workerBench,
  drift: driftBench,
  registry: registryBench,
  retention: retentionBench,
  pages: pagesBench,
};

/** `npm run bench` runs them all; `npm run bench -- drift worker` only those. */
async function main() {
  const only = process.argv.slice(2);
  const unknown = only.filter((n) => !(n in BENCHES));
  if (unknown.length) throw new Error(`no bench ${unknown.join(", ")}: choose from ${Object.keys(BENCHES).join(", ")}`);
  for (const [name, bench] of Object.entries(BENCHES)) if (only.length === 0 || only.includes(name)) await bench();
  printGoals();
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
