// Convergence on a real sshd host with real nginx: each (object, server) pair's state follows what was
// applied there; a hand edit on the host is found by the drift check (with the difference) and repaired
// by a re-apply; a route that stops selecting an object leaves a leftover, which can be removed.
import { cpSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { Engine } from "../lib/orchestration/engine";
import type { SshExecutor } from "../lib/orchestration/executors/ssh";
import { convergePairs, convergence } from "../lib/orchestration/convergence";
import { checkDrift } from "../lib/orchestration/drift";
import { describeMoves, moveOperations, routeMoves } from "../lib/orchestration/moves";
import { enqueueRouted, type TxDb } from "../lib/orchestration/unit-of-work";
import { resetDb, testDb } from "./db";
import { startWebHost, type WebHost } from "./support/web-host";
import type { SshHost } from "./support/ssh-host";
import type { NginxHost } from "./support/nginx";

const db = testDb();
let ssh: SshHost;
let nginx: NginxHost;
let engine: Engine;
let executor: SshExecutor;
let host: WebHost;
let serverId: number;

const change = (fn: (tx: TxDb) => Promise<unknown>) => host.change(fn);
const passwdFile = () => path.join(ssh.sandbox, "etc/passwd");
const stateOf = async (label: string, backend = "system-users") => (await convergence(engine, {})).pairs.find((p) => p.label === label && p.backend === backend)?.state;

beforeAll(async () => {
  host = await startWebHost(db, { address: "127.0.0.2", sshPort: 22240, nginxPort: 18095 });
  ({ ssh, nginx, engine, executor } = host);
});

afterAll(async () => {
  await host?.stop();
});

beforeEach(async () => {
  await resetDb();
  const server = await db.server.create({ data: { name: "conv", address: ssh.address, port: ssh.port, variables: { ...nginx.variables, SYSUSER_PREFIX: ssh.sandbox } } });
  serverId = server.id;
  await db.route.create({ data: { backend: "system-users", serverId, match: 'object.username.startsWith("cv")' } });
  await db.route.create({ data: { backend: "nginx-websites", serverId } });
});

describe("convergence of (object, server) pairs", () => {
  it("a hand-edited shell is drifted with its difference, re-apply repairs it, and the pair is in sync again", async () => {
    expect((await change((tx) => tx.systemUser.create({ data: { username: "cvalice", groups: ["cvweb"] } }))).map((r) => r.state)).toEqual(["SUCCESS"]);
    expect(await stateOf("cvalice")).toBe("in sync");
    const first = await checkDrift(engine);
    expect(first.drifted).toEqual([]);
    expect(first.checked).toBe(1);

    // someone changes the shell on the host by hand
    writeFileSync(passwdFile(), readFileSync(passwdFile(), "utf8").replace(/^(cvalice:.*:)\/bin\/bash$/m, "$1/bin/sh"));
    const found = await checkDrift(engine);
    expect(found.drifted.map((d) => [d.label, d.difference])).toEqual([["cvalice", 'shell: "/bin/sh" on the server, "/bin/bash" wanted']]);
    expect(await stateOf("cvalice")).toBe("drifted");
    const log = await db.scriptLog.findUniqueOrThrow({ where: { id: found.logs[0].logId } });
    expect(log.method).toBe("check");
    expect(log.stdout).toContain("shell=/bin/sh");

    const pair = (await convergence(engine)).pairs.find((p) => p.label === "cvalice")!;
    const { reports } = await convergePairs(engine, { pairs: [pair] });
    expect(reports.map((r) => r.state)).toEqual(["SUCCESS"]);
    expect(readFileSync(passwdFile(), "utf8")).toMatch(/^cvalice:.*:\/bin\/bash$/m);
    expect(await stateOf("cvalice")).toBe("in sync");
    expect((await checkDrift(engine)).drifted).toEqual([]);
  });

  it("a site file edited by hand is drifted; a row changed behind Orchestra's back is pending until re-applied", async () => {
    await change((tx) => tx.website.create({ data: { name: "cvsite", domains: { create: [{ name: "cvsite.test" }] } } }));
    expect(await stateOf("cvsite", "nginx-websites")).toBe("in sync");
    const file = path.join(nginx.sitesDir, "orchestra-cvsite.conf");
    writeFileSync(file, readFileSync(file, "utf8").replace("index index.html;", "index index.php;"));
    const found = await checkDrift(engine, { backend: "nginx-websites" });
    expect(found.drifted.map((d) => d.label)).toEqual(["cvsite"]);
    expect(found.drifted[0].difference).toMatch(/^file: /);

    // not through a unit of work: nothing is queued, the desired state moved on
    await db.website.update({ where: { name: "cvsite" }, data: { documentRoot: "/srv/www/other" } });
    const pending = (await convergence(engine)).pairs.find((p) => p.label === "cvsite")!;
    expect(pending.state).toBe("pending");
    expect(pending.detail).toMatch(/not queued/);
    // a pending pair is expected to differ on the server: a drift check leaves it out and says so
    const skipped = await checkDrift(engine, { backend: "nginx-websites" });
    expect([skipped.checked, skipped.skipped, skipped.drifted]).toEqual([0, 1, []]);
    await convergePairs(engine, { pairs: [pending] });
    expect(readFileSync(file, "utf8")).toContain("root /srv/www/other;");
    expect(await stateOf("cvsite", "nginx-websites")).toBe("in sync");
  });

  it("a route that stops selecting an object leaves a leftover; removing it deletes it on the server", async () => {
    await change((tx) => tx.systemUser.create({ data: { username: "cvbob" } }));
    expect(readFileSync(passwdFile(), "utf8")).toMatch(/^cvbob:/m);
    await db.route.updateMany({ where: { backend: "system-users" }, data: { match: 'object.username.startsWith("zz")' } });
    const { pairs, leftovers } = await convergence(engine);
    expect(pairs.filter((p) => p.backend === "system-users")).toEqual([]);
    expect(leftovers.map((l) => [l.label, l.server])).toEqual([["cvbob", "conv"]]);
    const { reports } = await convergePairs(engine, { leftovers });
    expect(reports.map((r) => r.state)).toEqual(["SUCCESS"]);
    expect(readFileSync(passwdFile(), "utf8")).not.toMatch(/^cvbob:/m);
    expect((await convergence(engine)).leftovers).toEqual([]);
    expect(await db.systemUser.count({ where: { username: "cvbob" } })).toBe(1); // the object itself stays
  });

  it("a pair never applied since tracking began is unknown; a failed save is failed", async () => {
    await db.systemUser.create({ data: { username: "cvold" } });
    expect(await stateOf("cvold")).toBe("unknown");
    await db.server.update({ where: { id: serverId }, data: { variables: { ...nginx.variables, SYSUSER_PREFIX: "/nonexistent" } } });
    const [run] = await change((tx) => tx.systemUser.update({ where: { username: "cvold" }, data: { shell: "/bin/sh" } }));
    expect(run.state).toBe("FAILURE");
    expect(await stateOf("cvold")).toBe("failed");
  });

  it("a route whose match changes moves the objects: deleted where they leave, saved where they arrive, in one unit of work", async () => {
    // a second server: the same sshd, another root
    const otherRoot = mkdtempSync(path.join(os.tmpdir(), "orchestra-moves-"));
    cpSync(path.join(ssh.sandbox, "etc"), path.join(otherRoot, "etc"), { recursive: true });
    const other = await db.server.create({ data: { name: "conv2", address: ssh.address, port: ssh.port, variables: { SYSUSER_PREFIX: otherRoot } } });
    await db.route.create({ data: { backend: "system-users", serverId: other.id, match: 'object.username.startsWith("cvz")' } });
    await change(async (tx) => {
      await tx.systemUser.create({ data: { username: "cvmove" } });
      await tx.systemUser.create({ data: { username: "cvstay" } });
    });
    const otherPasswd = () => readFileSync(path.join(otherRoot, "etc/passwd"), "utf8");
    expect(readFileSync(passwdFile(), "utf8")).toMatch(/^cvmove:/m);
    expect(otherPasswd()).not.toMatch(/^cvmove:/m);

    // conv keeps cvstay only; conv2 now takes cvmove too
    let preview = "";
    const reports = await change(async (tx) => {
      const a = (await tx.route.findFirst({ where: { backend: "system-users", serverId } }))!;
      const b = (await tx.route.findFirst({ where: { backend: "system-users", serverId: other.id } }))!;
      const a2 = await tx.route.update({ where: { id: a.id }, data: { match: 'object.username == "cvstay"' } });
      const b2 = await tx.route.update({ where: { id: b.id }, data: { match: 'object.username.startsWith("cvz") || object.username == "cvmove"' } });
      const moves = [...(await routeMoves(engine, tx, a, a2)), ...(await routeMoves(engine, tx, b, b2))];
      preview = describeMoves(moves);
      enqueueRouted(engine, moveOperations(moves));
    });
    expect(preview).toBe("On save: removed from conv: cvmove · applied on conv2: cvmove.");
    expect(reports.map((r) => `${r.server} ${r.state} ${r.operations.join(",")}`).sort()).toEqual(["conv SUCCESS delete cvmove", "conv2 SUCCESS save cvmove"]);
    expect(readFileSync(passwdFile(), "utf8")).not.toMatch(/^cvmove:/m);
    expect(readFileSync(passwdFile(), "utf8")).toMatch(/^cvstay:/m);
    expect(otherPasswd()).toMatch(/^cvmove:/m);
    const { pairs, leftovers } = await convergence(engine, { backend: "system-users" });
    expect(pairs.map((p) => `${p.server}/${p.label} ${p.state}`).sort()).toEqual(["conv/cvstay in sync", "conv2/cvmove in sync"]);
    expect(leftovers).toEqual([]);
  });
});
