// The log page's event stream against the real database: appended output only, the whole text when
// the stored output no longer starts with what was sent, state and `end`, resuming from an event id,
// and the CLI's line splitter that never lets a split secret through.
import { beforeEach, describe, expect, it } from "vitest";
import { logEventStream } from "../lib/data/log-stream";
import { MaskedLines } from "../lib/orchestration/output-lines";
import { MASK, maskSecretsSoFar } from "../lib/orchestration/script";
import { resetDb, testDb } from "./db";

const db = testDb();

type Event = { event: string; id?: string; data: Record<string, unknown> };

/** Reads a stream's events as they come; `next()` waits for the next one (null when it closed). */
function events(stream: ReadableStream<Uint8Array>) {
  const reader = stream.getReader();
  const decoder = new TextDecoder();
  let buffer = "";
  return async function next(): Promise<Event | null> {
    for (;;) {
      const end = buffer.indexOf("\n\n");
      if (end >= 0) {
        const block = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        const fields = Object.fromEntries(block.split("\n").filter((l) => !l.startsWith(":")).map((l) => [l.slice(0, l.indexOf(":")), l.slice(l.indexOf(":") + 2)]));
        if (!fields.event) continue; // retry: / comments
        return { event: fields.event, id: fields.id, data: JSON.parse(fields.data) };
      }
      const { value, done } = await reader.read();
      if (done) return null;
      buffer += decoder.decode(value, { stream: true });
    }
  };
}

let logId: number;
beforeEach(async () => {
  await resetDb(db);
  const server = await db.server.create({ data: { name: "tail-host", address: "127.0.0.1" } });
  logId = (await db.scriptLog.create({ data: { backend: "system-users", serverId: server.id, state: "STARTED", script: "echo the script", stdout: "one\n" } })).id;
});

describe("log event stream", () => {
  it("sends the text, then what was appended, the whole text when it changed, the final state and end", async () => {
    const abort = new AbortController();
    const next = events(logEventStream(db, logId, { signal: abort.signal, pollMs: 20 }));
    expect(await next()).toMatchObject({ event: "replace", data: { stream: "stdout", text: "one\n" } });
    expect(await next()).toMatchObject({ event: "replace", data: { stream: "stderr", text: "" } });
    expect(await next()).toMatchObject({ event: "state", data: { state: "STARTED", exitCode: null, finishedAt: null } });

    await db.scriptLog.update({ where: { id: logId }, data: { stdout: "one\ntwo\n" } });
    expect(await next()).toMatchObject({ event: "append", data: { stream: "stdout", text: "two\n" } });
    await db.scriptLog.update({ where: { id: logId }, data: { stderr: "oops\n" } });
    expect(await next()).toMatchObject({ event: "append", data: { stream: "stderr", text: "oops\n" } });
    // the bounded output dropped its head: same beginning no more
    const bounded = "one\n[… 9 characters truncated …]\nthree\n";
    await db.scriptLog.update({ where: { id: logId }, data: { stdout: bounded } });
    expect(await next()).toMatchObject({ event: "replace", data: { stream: "stdout", text: bounded } });

    const finishedAt = new Date();
    await db.scriptLog.update({ where: { id: logId }, data: { state: "FAILURE", exitCode: 3, finishedAt } });
    expect(await next()).toMatchObject({ event: "state", data: { state: "FAILURE", exitCode: 3, finishedAt: finishedAt.toISOString() } });
    expect(await next()).toMatchObject({ event: "end", data: { state: "FAILURE" } });
    expect(await next()).toBeNull();
  });

  it("resumes from the id of the last event it sent, and starts over when that no longer matches", async () => {
    const first = new AbortController();
    const next = events(logEventStream(db, logId, { signal: first.signal, pollMs: 20 }));
    const replaced = [await next(), await next()];
    const cursor = replaced[1]!.id!;
    first.abort();
    expect(await next()).toMatchObject({ event: "state" }); // already queued before the abort
    expect(await next()).toBeNull();

    await db.scriptLog.update({ where: { id: logId }, data: { stdout: "one\ntwo\n" } });
    const again = events(logEventStream(db, logId, { signal: new AbortController().signal, pollMs: 20, resume: cursor }));
    expect(await again()).toMatchObject({ event: "append", data: { stream: "stdout", text: "two\n" } });
    expect(await again()).toMatchObject({ event: "state", data: { state: "STARTED" } });

    // a cursor that does not fit what is stored gets the whole text
    const stale = events(logEventStream(db, logId, { signal: new AbortController().signal, pollMs: 20, resume: "4.0.deadbeef" }));
    expect(await stale()).toMatchObject({ event: "replace", data: { stream: "stdout", text: "one\ntwo\n" } });
    await db.scriptLog.update({ where: { id: logId }, data: { state: "SUCCESS", exitCode: 0, finishedAt: new Date() } });
  });

  it("closes after its lifetime while the log still runs, and never sends the script", async () => {
    const next = events(logEventStream(db, logId, { signal: new AbortController().signal, pollMs: 20, maxMs: 200 }));
    const seen: Event[] = [];
    for (let e = await next(); e; e = await next()) seen.push(e);
    expect(seen.map((e) => e.event)).toEqual(["replace", "replace", "state"]);
    expect(JSON.stringify(seen)).not.toContain("the script");
  });

  it("ends at once for a log that is gone", async () => {
    const next = events(logEventStream(db, 999_999, { signal: new AbortController().signal, pollMs: 20 }));
    expect(await next()).toMatchObject({ event: "end", data: { state: "GONE" } });
    expect(await next()).toBeNull();
  });
});

describe("masked output lines", () => {
  it("hands on complete lines only, so a secret split across chunks is masked", () => {
    const secret = "s3cr3t-value";
    const lines: string[] = [];
    const split = new MaskedLines([secret], (l) => lines.push(l));
    split.push("before\nthe secret is s3cr");
    expect(lines).toEqual(["before"]);
    split.push("3t-value and more\nrest without newline");
    split.end();
    expect(lines).toEqual(["before", `the secret is ${MASK} and more`, "rest without newline"]);
  });

  it("stores a running script's output without the beginning of a secret whose rest is still to come", () => {
    const secret = "s3cr3t-value";
    expect(maskSecretsSoFar("token: s3cr", [secret])).toBe("token: ");
    expect(maskSecretsSoFar("token: s3cr3t-value", [secret])).toBe(`token: ${MASK}`);
    expect(maskSecretsSoFar("token: s3cr3t-value\nnext s", [secret])).toBe(`token: ${MASK}\nnext `);
    expect(maskSecretsSoFar("plain text\n", [secret])).toBe("plain text\n");
  });

  it("cuts a very long line, but never inside a secret", () => {
    const secret = "s3cr3t-value";
    const lines: string[] = [];
    const split = new MaskedLines([secret], (l) => lines.push(l));
    for (let i = 0; i < 3000; i++) {
      split.push(`xxxxx${secret.slice(0, 6)}`);
      split.push(secret.slice(6));
    }
    split.end();
    const all = lines.join("");
    expect(all).not.toContain("s3cr");
    expect(all.split(MASK)).toHaveLength(3001);
    expect(lines.length).toBeGreaterThan(1);
  });
});
