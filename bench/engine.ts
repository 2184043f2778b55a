// The engine's rows of the performance goals, each against a baseline measured in the same run, on
// SQLite and on PostgreSQL (see ./support/databases.ts):
//  - overhead: one small save on a warm connection, beyond the same script executed on an already open
//    ssh2 connection;
//  - fan-out: one unit of work touching 10 servers (an I/O-bound script) against the same on one;
//  - end to end: 200 objects in one unit of work against `ssh host bash -s < same-script` (OpenSSH,
//    first connection included), for system users and for websites;
//  - worker: 1,000 queued operations across 5 hosts, in operations per second.
import { execFileSync, spawnSync } from "node:child_process";
import { cpSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { Client } from "ssh2";
import { Engine } from "../lib/orchestration/engine";
import { SshExecutor } from "../lib/orchestration/executors/ssh";
import { orchestrate, type TxDb } from "../lib/orchestration/unit-of-work";
import { runUnitOfWork } from "../lib/orchestration/dispatcher";
import { Worker } from "../lib/orchestration/worker";
import { createRegistry } from "../lib/services/registry";
import { createDb, type Db } from "../lib/db-client";
import { clientKey, startSshHost, type SshHost } from "../tests/support/ssh-host";
import { benchDatabases, freshDatabase } from "./support/databases";
import { goal } from "./support/goals";

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
const ms = (start: bigint) => Number(process.hrtime.bigint() - start) / 1e6;
const fixed = (n: number, digits = 0) => n.toLocaleString("en", { minimumFractionDigits: digits, maximumFractionDigits: digits });

function needsSshd(name: string): boolean {
  if (process.getuid?.() === 0 && spawnSync("test", ["-x", "/usr/sbin/sshd"]).status === 0) return true;
  console.log(`${name}: skipped (needs root and openssh-server; \`npm test\` installs it)`);
  return false;
}

type Setup = { db: Db; engine: Engine; close(): Promise<void> };

async function engineOn(kind: "SQLite" | "PostgreSQL", dir: string, name: string, key: string): Promise<Setup> {
  const db = createDb(await freshDatabase(kind, dir, name));
  const engine = new Engine({ db, registry: createRegistry(), executor: () => SshExecutor.fromKeyFile(key) });
  return {
    db,
    engine,
    async close() {
      await engine.close();
      await db.$disconnect();
    },
  };
}

async function save(engine: Engine, fn: (tx: TxDb) => Promise<unknown>) {
  const unit = await orchestrate(engine, fn);
  const reports = await runUnitOfWork(engine, unit);
  const bad = reports.filter((r) => r.state !== "SUCCESS");
  if (bad.length || reports.length === 0) throw new Error(`bench run failed: ${JSON.stringify(reports)}`);
  return reports;
}

/** What a fork + exec costs here: the unit of the supervisor's own time. */
function processStartMs(): number {
  const out = execFileSync("bash", ["--norc", "-c", "s=$EPOCHREALTIME; for i in $(seq 100); do /bin/true; done; e=$EPOCHREALTIME; echo $s $e"], { encoding: "utf8" });
  const [start, end] = out.trim().split(" ").map(Number);
  return ((end - start) * 1000) / 100;
}

/** An open ssh2 connection, for the baseline "the same script on an already open connection". */
async function openConnection(host: SshHost, key: string): Promise<Client> {
  const client = new Client();
  await new Promise<void>((resolve, reject) => client.once("ready", () => resolve()).once("error", reject).connect({ host: host.address, port: host.port, username: "root", privateKey: readFileSync(key) }));
  client.setNoDelay(true);
  return client;
}

function execOn(client: Client, script: string): Promise<number | null> {
  return new Promise((resolve, reject) =>
    client.exec("bash --norc -s", (error, stream) => {
      if (error) return reject(error);
      let code: number | null = null;
      stream.on("exit", (c: number | null) => (code = c));
      stream.on("close", () => resolve(code));
      stream.resume();
      stream.stderr.resume();
      stream.end(script);
    }),
  );
}

/** A server and an nginx-websites route per host; its sites go to `<host dir>/<tag>-sites` and `-www`. */
async function websiteServers(db: Db, hosts: readonly SshHost[], tag: string, { reload = "true", async = false } = {}): Promise<void> {
  for (const [i, h] of hosts.entries()) {
    const server = await db.server.create({
      data: { name: `h${i}`, address: h.address, port: h.port, variables: { NGINX_SITES_DIR: path.join(h.dir, `${tag}-sites`), WEBSITES_ROOT: path.join(h.dir, `${tag}-www`), NGINX_TEST: "true", NGINX_RELOAD: reload } },
    });
    await db.route.create({ data: { backend: "nginx-websites", serverId: server.id, async } });
  }
}

type RanLog = { script: string; server: { port: number } };
const ranLog = { script: true, server: { select: { port: true } } } as const;

/**
 * The floor of a run on several hosts: these logs' scripts on ssh2 connections opened beforehand, all
 * at once; `time(retarget)` gives the milliseconds of one such round (each script retargeted first).
 */
async function openConnections(logs: readonly RanLog[], hosts: readonly SshHost[], key: string) {
  const clients = await Promise.all(logs.map((l) => openConnection(hosts.find((h) => h.port === l.server.port)!, key)));
  return {
    async time(retarget: (script: string) => string): Promise<number> {
      const start = process.hrtime.bigint();
      const codes = await Promise.all(logs.map((l, i) => execOn(clients[i], retarget(l.script))));
      if (codes.some((c) => c !== 0)) throw new Error("a baseline script failed");
      return ms(start);
    },
    end: () => clients.forEach((c) => c.end()),
  };
}

/** 1. One small save (a system user's shell) on a warm connection, 21 times; against the same scripts on an open ssh2 connection. */
export async function overheadBench() {
  if (!needsSshd("overhead")) return;
  console.log("overhead: one small save on a warm connection (median of 21), beyond the same script on an open ssh2 connection");
  const dir = mkdtempSync(path.join(os.tmpdir(), "orchestra-bench-"));
  const key = clientKey(dir);
  const host = await startSshHost({ address: "127.0.0.6", port: 22506, clientKeyFile: key, root: dir });
  try {
    for (const kind of benchDatabases()) {
      const { db, engine, close } = await engineOn(kind, dir, "overhead", key);
      try {
        const server = await db.server.create({ data: { name: "bench", address: host.address, port: host.port, variables: { SYSUSER_PREFIX: host.sandbox } } });
        await db.route.create({ data: { backend: "system-users", serverId: server.id } });
        await save(engine, (tx) => tx.systemUser.create({ data: { username: "benchsmall" } })); // connection open, key pinned
        const ours: number[] = [];
        const logIds: number[] = [];
        for (let i = 0; i < 21; i++) {
          const start = process.hrtime.bigint();
          const [report] = await save(engine, (tx) => tx.systemUser.update({ where: { username: "benchsmall" }, data: { shell: i % 2 ? "/bin/bash" : "/bin/sh" } }));
          ours.push(ms(start));
          logIds.push(report.logId);
        }
        const scripts = await db.scriptLog.findMany({ where: { id: { in: logIds } }, select: { script: true }, orderBy: { id: "asc" } });
        const client = await openConnection(host, key);
        const raw: number[] = [];
        try {
          for (const { script } of scripts) {
            const start = process.hrtime.bigint();
            if ((await execOn(client, script)) !== 0) throw new Error("the baseline script failed");
            raw.push(ms(start));
          }
        } finally {
          client.end();
        }
        const overhead = median(ours) - median(raw);
        if (kind === "SQLite") console.log(`  (starting a process on this machine: ${fixed(processStartMs(), 1)} ms; the supervisor starts eight per run, see executors/supervisor.ts)`);
        console.log(`  ${kind}: save ${fixed(median(ours), 1)} ms, the same script on an open connection ${fixed(median(raw), 1)} ms → overhead ${fixed(overhead, 1)} ms`);
        goal(`one small save, overhead beyond the script (${kind})`, `${fixed(overhead, 1)} ms`, overhead <= 30, "≤ 30 ms");
      } finally {
        await close();
      }
    }
  } finally {
    await host.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

/** 2. One unit of work touching 10 servers against the same on one server; the script waits 0.3 s (nginx reload stands in for I/O). */
export async function fanOutBench() {
  if (!needsSshd("fan-out")) return;
  console.log("fan-out: one website saved in a unit of work routed to 10 servers vs to 1 (an I/O-bound script: its reload waits 0.3 s), median of 5");
  const dir = mkdtempSync(path.join(os.tmpdir(), "orchestra-bench-"));
  const key = clientKey(dir);
  const hosts = await Promise.all(Array.from({ length: 10 }, (_, i) => startSshHost({ address: `127.0.0.${30 + i}`, port: 22530 + i, clientKeyFile: key, root: dir })));
  try {
    for (const kind of benchDatabases()) {
      const timeWith = async (count: number) => {
        const { db, engine, close } = await engineOn(kind, dir, `fan-${count}`, key);
        try {
          await websiteServers(db, hosts.slice(0, count), `${kind}-${count}`, { reload: "sleep 0.3" });
          await save(engine, (tx) => tx.website.create({ data: { name: "warm", domains: { create: [{ name: "warm.test" }] } } }));
          const runs: number[] = [];
          let logIds: number[] = [];
          for (let n = 0; n < 5; n++) {
            const start = process.hrtime.bigint();
            const reports = await save(engine, (tx) => tx.website.create({ data: { name: `fan${n}`, domains: { create: [{ name: `fan${n}.test` }] } } }));
            runs.push(ms(start));
            if (reports.length !== count) throw new Error(`fan-out: ${reports.length} runs for ${count} servers`);
            logIds = reports.map((r) => r.logId);
          }
          // The floor: the same scripts, at once, on connections already open (this machine runs all
          // ten hosts on its own cores), into new directories: a script whose files are already there
          // has nothing to reload.
          const open = await openConnections(await db.scriptLog.findMany({ where: { id: { in: logIds } }, select: ranLog }), hosts, key);
          const floor: number[] = [];
          try {
            for (let n = 0; n < 5; n++) floor.push(await open.time((script) => script.replaceAll(`${kind}-${count}-`, `${kind}-${count}-raw${n}-`)));
          } finally {
            open.end();
          }
          return { ours: median(runs), floor: median(floor) };
        } finally {
          await close();
        }
      };
      const one = await timeWith(1);
      const ten = await timeWith(10);
      console.log(`  ${kind}: 1 server ${fixed(one.ours)} ms, 10 servers ${fixed(ten.ours)} ms → ratio ${fixed(ten.ours / one.ours, 2)}×`);
      console.log(`  ${kind}: the same scripts on open connections, 1 server ${fixed(one.floor)} ms, 10 at once ${fixed(ten.floor)} ms → ratio ${fixed(ten.floor / one.floor, 2)}× (this machine's floor)`);
      goal(`one unit of work on 10 servers vs 1 (${kind})`, `${fixed(ten.ours / one.ours, 2)}×`, ten.ours / one.ours <= 1.2, `≤ 1.2× (floor here ${fixed(ten.floor / one.floor, 2)}×)`);
    }
  } finally {
    await Promise.all(hosts.map((h) => h.stop()));
    rmSync(dir, { recursive: true, force: true });
  }
}

function openssh(key: string, host: SshHost, known: string, script: string) {
  execFileSync("ssh", ["-i", key, "-p", String(host.port), "-o", `UserKnownHostsFile=${known}`, "-o", "StrictHostKeyChecking=accept-new", "-o", "BatchMode=yes", "-o", "LogLevel=ERROR", `root@${host.address}`, "bash", "-s"], { input: script });
}

/** 3. 200 objects in one unit of work on one host (a fresh connection), against OpenSSH running the same script. */
export async function endToEndBench() {
  if (!needsSshd("end to end")) return;
  console.log("end to end: 200 objects in one unit of work on one sshd host (first connection included) vs `ssh host bash -s < same-script`");
  const dir = mkdtempSync(path.join(os.tmpdir(), "orchestra-bench-"));
  const key = clientKey(dir);
  const host = await startSshHost({ address: "127.0.0.5", port: 22505, clientKeyFile: key, root: dir });
  const known = path.join(dir, "known_hosts");
  try {
    for (const kind of benchDatabases()) {
      // system users, in a sandbox root of their own per database
      {
        const sandbox = path.join(dir, `users-${kind}`);
        mkdirSync(path.join(sandbox, "etc"), { recursive: true });
        mkdirSync(path.join(sandbox, "home"), { recursive: true });
        for (const f of ["passwd", "group", "shadow", "gshadow"]) cpSync(`/etc/${f}`, path.join(sandbox, "etc", f));
        const { db, engine, close } = await engineOn(kind, dir, "e2e-users", key);
        try {
          const server = await db.server.create({ data: { name: "bench", address: host.address, port: host.port, variables: { SYSUSER_PREFIX: sandbox } } });
          await db.route.create({ data: { backend: "system-users", serverId: server.id } });
          const start = process.hrtime.bigint();
          const [report] = await save(engine, async (tx) => {
            for (let i = 0; i < 200; i++) await tx.systemUser.create({ data: { username: `bench${i}` } });
          });
          const ours = ms(start);
          const { script } = await db.scriptLog.findUniqueOrThrow({ where: { id: report.logId } });
          const fresh = path.join(dir, `users-${kind}-raw`);
          mkdirSync(path.join(fresh, "etc"), { recursive: true });
          mkdirSync(path.join(fresh, "home"), { recursive: true });
          for (const f of ["passwd", "group", "shadow", "gshadow"]) cpSync(`/etc/${f}`, path.join(fresh, "etc", f));
          const retargeted = script.replaceAll(sandbox, fresh);
          if (retargeted === script) throw new Error("could not retarget the script");
          const rawStart = process.hrtime.bigint();
          openssh(key, host, known, retargeted);
          const raw = ms(rawStart);
          const users = readFileSync(path.join(fresh, "etc/passwd"), "utf8").match(/^bench\d+:/gm)?.length;
          if (users !== 200) throw new Error(`raw run created ${users} users`);
          console.log(`  ${kind}, 200 system users: Orchestra ${fixed(ours)} ms, OpenSSH ${fixed(raw)} ms → ratio ${fixed(ours / raw, 2)}×`);
          goal(`200 system users in one unit of work vs ssh bash -s (${kind})`, `${fixed(ours / raw, 2)}×`, ours / raw <= 1.1, "≤ 1.1×");
        } finally {
          await close();
        }
      }
      // websites: 200 configuration files and document roots, one nginx test and reload
      {
        const { db, engine, close } = await engineOn(kind, dir, "e2e-sites", key);
        try {
          await websiteServers(db, [host], `e2e-${kind}`);
          const start = process.hrtime.bigint();
          const [report] = await save(engine, async (tx) => {
            for (let i = 0; i < 200; i++) await tx.website.create({ data: { name: `site${i}`, domains: { create: [{ name: `site${i}.test` }] } } });
          });
          const ours = ms(start);
          const { script } = await db.scriptLog.findUniqueOrThrow({ where: { id: report.logId } });
          const retargeted = script.replaceAll(`e2e-${kind}-`, `e2e-${kind}-raw-`);
          if (retargeted === script) throw new Error("could not retarget the script");
          const rawStart = process.hrtime.bigint();
          openssh(key, host, known, retargeted);
          const raw = ms(rawStart);
          const files = readdirSync(path.join(host.dir, `e2e-${kind}-raw-sites`)).length;
          if (files !== 200) throw new Error(`raw run wrote ${files} site files`);
          console.log(`  ${kind}, 200 websites: Orchestra ${fixed(ours)} ms, OpenSSH ${fixed(raw)} ms → ratio ${fixed(ours / raw, 2)}×`);
          goal(`200 websites in one unit of work vs ssh bash -s (${kind})`, `${fixed(ours / raw, 2)}×`, ours / raw <= 1.1, "≤ 1.1×");
        } finally {
          await close();
        }
      }
    }
  } finally {
    await host.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * 4. Worker throughput: 1,000 operations (200 websites × 5 servers) queued on async routes and run by
 *    one worker, in operations per second; against the synchronous path doing the same work one unit
 *    of work per website.
 */
export async function workerBench() {
  if (!needsSshd("worker")) return;
  console.log("worker: 1,000 operations (200 websites × 5 servers)");
  const dir = mkdtempSync(path.join(os.tmpdir(), "orchestra-bench-"));
  const key = clientKey(dir);
  const hosts = await Promise.all([0, 1, 2, 3, 4].map((i) => startSshHost({ address: `127.0.0.${10 + i}`, port: 22510 + i, clientKeyFile: key, root: dir })));
  try {
    for (const kind of benchDatabases()) {
      const run = async (mode: "sync" | "async") => {
        const { db, engine, close } = await engineOn(kind, dir, `worker-${mode}`, key);
        try {
          await websiteServers(db, hosts, `${kind}-${mode}`, { async: mode === "async" });
          const started = process.hrtime.bigint();
          let queuedAt = started;
          for (let n = 0; n < 200; n++) {
            const unit = await orchestrate(engine, (tx) => tx.website.create({ data: { name: `site${n}`, domains: { create: [{ name: `site${n}.test` }] } } }));
            if (mode === "sync") await runUnitOfWork(engine, unit);
          }
          if (mode === "async") {
            queuedAt = process.hrtime.bigint();
            const worker = new Worker(engine, { pollMs: 50 });
            while ((await db.operation.count({ where: { state: { in: ["PENDING", "RUNNING"] } } })) > 0) await worker.tick();
          }
          const total = ms(started);
          const working = ms(queuedAt);
          const ok = await db.operation.count({ where: { state: "SUCCESS" } });
          if (ok !== 1000) throw new Error(`${mode}: ${ok} of 1000 operations succeeded`);
          let floor = 0;
          if (mode === "async") {
            // The floor: the worker's five scripts, into new directories, at once on open connections.
            const open = await openConnections(await db.scriptLog.findMany({ select: ranLog }), hosts, key);
            try {
              floor = await open.time((script) => script.replaceAll(`${kind}-${mode}-`, `${kind}-${mode}-raw-`));
            } finally {
              open.end();
            }
          }
          return { total, working, floor, scripts: await db.scriptLog.count() };
        } finally {
          await close();
        }
      };
      const sync = await run("sync");
      const queued = await run("async");
      const perSecond = (1000 / queued.working) * 1000;
      console.log(`  ${kind}: synchronous path, one unit of work per website: ${fixed(sync.total)} ms, ${sync.scripts} scripts`);
      console.log(`  ${kind}: queued (${fixed(queued.total - queued.working)} ms), then one worker: ${fixed(queued.working)} ms, ${queued.scripts} scripts → ${fixed(perSecond)} operations/s (${fixed(sync.total / queued.working, 1)}× the synchronous path)`);
      const floorPerSecond = (1000 / queued.floor) * 1000;
      console.log(`  ${kind}: the floor, the same ${queued.scripts} scripts at once on open connections: ${fixed(queued.floor)} ms → ${fixed(floorPerSecond)} operations/s`);
      goal(`worker throughput, 1,000 queued operations on 5 hosts (${kind})`, `${fixed(perSecond)} ops/s`, perSecond >= 1000, `≥ 1,000 ops/s (floor here ${fixed(floorPerSecond)} ops/s)`);
    }
  } finally {
    await Promise.all(hosts.map((h) => h.stop()));
    rmSync(dir, { recursive: true, force: true });
  }
}
