// The orchestrate CLI prints a run's output while the script is still running on a real sshd host,
// line by line and with the run's secrets masked — also a secret whose halves arrive in two chunks.
import { spawn } from "node:child_process";
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, beforeEach, describe, expect, inject, it } from "vitest";
import { mariadbNativeHash } from "../lib/services/database-users/passwords";
import { MASK } from "../lib/orchestration/script";
import { resetDb, testDb } from "./db";
import { clientKey, startSshHost, type SshHost } from "./support/ssh-host";

const db = testDb();
const keyDir = path.join(os.tmpdir(), "orchestra-test-keys");
const hash = mariadbNativeHash("live output password");
let host: SshHost;
let work: string;

type Seen = { text: string; at: number; state: string | undefined };

/** Runs the CLI; for each stdout line, when it arrived and the log's state in the database then. */
function cli(...args: string[]): Promise<{ code: number | null; lines: Seen[]; stderr: string; exitedAt: number }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ["--import", "tsx", "bin/orchestrate.ts", ...args], {
      env: { ...process.env, DATABASE_URL: inject("databaseUrl"), ORCHESTRA_SSH_KEY: clientKey(keyDir) },
      stdio: ["ignore", "pipe", "pipe"],
    });
    const lines: Seen[] = [];
    const pending: Promise<unknown>[] = [];
    let buffer = "";
    let stderr = "";
    child.stdout.setEncoding("utf8").on("data", (chunk: string) => {
      buffer += chunk;
      for (let i; (i = buffer.indexOf("\n")) >= 0; buffer = buffer.slice(i + 1)) {
        const seen: Seen = { text: buffer.slice(0, i), at: Date.now(), state: undefined };
        lines.push(seen);
        pending.push(db.scriptLog.findFirst({ orderBy: { id: "desc" }, select: { state: true } }).then((l) => (seen.state = l?.state)));
      }
    });
    child.stderr.setEncoding("utf8").on("data", (chunk: string) => (stderr += chunk));
    child.on("error", reject);
    child.on("close", (code) => {
      const exitedAt = Date.now();
      Promise.all(pending).then(() => resolve({ code, lines, stderr, exitedAt }), reject);
    });
  });
}

beforeAll(async () => {
  host = await startSshHost({ address: "127.0.11.1", port: 23111, clientKeyFile: clientKey(keyDir) });
  work = mkdtempSync(path.join(os.tmpdir(), "cli-live-"));
  // Plays the SQL client: says it started, waits, then echoes the first line of its input (which holds
  // the password hash) in two parts a second apart, so the secret reaches Orchestra split in two chunks.
  const client = path.join(work, "client.sh");
  writeFileSync(
    client,
    [
      "read -r first",
      "echo client-started",
      "sleep 3",
      `printf '%s' "$first" | head -c 30`,
      "sleep 1",
      `printf '%s\\n' "$first" | tail -c +31`,
      "cat > /dev/null",
      "echo client-done",
      "",
    ].join("\n"),
  );
  chmodSync(client, 0o755);
});

afterAll(async () => {
  await host?.stop();
  if (work) rmSync(work, { recursive: true, force: true });
});

beforeEach(async () => {
  await resetDb(db);
  const server = await db.server.create({
    data: { name: "cli-live", address: host.address, port: host.port, hostKeyFingerprint: host.fingerprint, variables: { MARIADB_CLIENT: `sh ${path.join(work, "client.sh")}` } },
  });
  await db.route.create({ data: { backend: "mariadb-users", serverId: server.id } });
  await db.databaseUser.create({ data: { name: "live_reader", engine: "mariadb", passwordHash: hash, hosts: ["%"] } });
});

describe("orchestrate CLI, live output", () => {
  it("prints each line while the script still runs, prefixed with server and backend, the secret masked", async () => {
    // what the log page's stream would send meanwhile: the stored output as it grows
    const stored = new Set<string>();
    let watching = true;
    const watch = (async () => {
      while (watching) {
        const log = await db.scriptLog.findFirst({ orderBy: { id: "desc" }, select: { stdout: true } });
        if (log) stored.add(log.stdout);
        await new Promise((r) => setTimeout(r, 50));
      }
    })();
    const run = await cli("--backend", "mariadb-users").finally(() => (watching = false));
    await watch;
    expect(run.stderr).toBe("");
    expect(run.code).toBe(0);
    const texts = run.lines.map((l) => l.text);
    const first = run.lines.find((l) => l.text === "[cli-live mariadb-users] client-started");
    expect(first, texts.join("\n")).toBeDefined();
    // printed while the log was still running, seconds before the CLI ended
    expect(first!.state).toBe("STARTED");
    expect(run.exitedAt - first!.at).toBeGreaterThan(2500);
    expect(texts).toContain(`[cli-live mariadb-users] SET @orchestra_hash = '${MASK}';`);
    expect(texts.indexOf("[cli-live mariadb-users] client-done")).toBeGreaterThan(texts.indexOf("[cli-live mariadb-users] client-started"));
    expect(texts.at(-1)).toMatch(/^SUCCESS\s+log #\d+ mariadb-users on cli-live: save live_reader/);
    // no part of the hash longer than what the client printed before the split
    expect(texts.join("\n")).not.toContain(hash.slice(7));
    expect(texts.join("\n")).not.toContain(hash.slice(0, 12));
    const log = await db.scriptLog.findFirstOrThrow({ orderBy: { id: "desc" } });
    expect(log.stdout).toContain(`SET @orchestra_hash = '${MASK}';`);
    expect(log.stdout).not.toContain(hash);
    // while the second half of the hash had not arrived, its first half was not stored either
    expect([...stored].some((out) => out.includes("client-started"))).toBe(true);
    for (const out of stored) expect(out).not.toContain(`'${hash.slice(0, 7)}`);
  });

  it("--quiet prints only the result", async () => {
    const run = await cli("--backend", "mariadb-users", "--quiet");
    expect(run.code).toBe(0);
    expect(run.lines.map((l) => l.text)).toEqual([expect.stringMatching(/^SUCCESS\s+log #\d+ mariadb-users on cli-live: save live_reader/)]);
  });
});
