// SQLite shared by several processes (web server, worker, CLI): a transaction that reads and then
// writes must not fail because another process wrote in between (SQLITE_BUSY_SNAPSHOT, which the busy
// timeout cannot help). Transactions take the write lock when they begin, and wait for it.
import { spawn } from "node:child_process";
import { describe, expect, inject, it } from "vitest";
import { isPostgres } from "../lib/database-url";
import { testDb } from "./db";

const url = inject("databaseUrl");

/** Another process writing one row every few milliseconds for `ms`. */
function writer(ms: number) {
  const code = `
    const { createDb } = require("./lib/db-client");
    const db = createDb(${JSON.stringify(url)});
    (async () => {
      const until = Date.now() + ${ms};
      let n = 0;
      while (Date.now() < until) { await db.notification.create({ data: { title: "writer " + n++ } }); await new Promise((r) => setTimeout(r, 3)); }
      console.log("wrote " + n);
      await db.$disconnect();
    })().catch((e) => { console.error(e.message); process.exit(1); });`;
  const child = spawn(process.execPath, ["--import", "tsx", "-e", code], { stdio: ["ignore", "pipe", "pipe"] });
  let out = "";
  child.stdout.on("data", (d) => (out += d));
  child.stderr.on("data", (d) => (out += d));
  return new Promise<{ code: number | null; out: string }>((resolve) => child.once("exit", (code) => resolve({ code, out })));
}

describe.runIf(!isPostgres(url))("SQLite with several writing processes", () => {
  it("read-then-write transactions never fail while another process writes", async () => {
    const db = testDb();
    await db.notification.deleteMany();
    const other = writer(6000);
    await new Promise((r) => setTimeout(r, 1500)); // the writer is up and writing
    let ok = 0;
    const failures: string[] = [];
    const until = Date.now() + 4000;
    while (Date.now() < until) {
      try {
        await db.$transaction(async (tx) => {
          await tx.notification.count(); // a read first: the transaction has a snapshot
          await new Promise((r) => setTimeout(r, 5)); // the other process writes meanwhile
          await tx.notification.create({ data: { title: "reader" } });
        });
        ok++;
      } catch (error) {
        failures.push((error as Error).message.split("\n").pop() ?? "");
      }
    }
    const result = await other;
    console.log(`[drill] ${ok} read-then-write transactions, ${failures.length} failed; other process: ${result.out.trim()}`);
    expect(result.code).toBe(0);
    expect(failures).toEqual([]);
    expect(ok).toBeGreaterThan(20);
    expect(await db.notification.count({ where: { title: "reader" } })).toBe(ok);
  }, 30_000);
});
