// The log page's event stream against the real database: appended output only, the whole text when
// the stored output no longer starts with what was sent, state and `end`, resuming from an event id,
// and the CLI's line splitter that never lets a split secret through.
import { beforeEach, describe, expect, it } from "vitest";
import { logEventStream } from "../lib/data/log-stream";
import { MaskedOutput } from "../lib/orchestration/output";
import { OutputLines } from "../lib/orchestration/output-lines";
import { CUT_HEAD, MASK, maskReadBack } from "../lib/orchestration/script";
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

  it("closes without end as soon as the client may no longer read it", async () => {
    let signedIn = true;
    let asked = 0;
    const allowed = async () => (asked++, signedIn);
    const next = events(logEventStream(db, logId, { signal: new AbortController().signal, pollMs: 20, recheckMs: 50, allowed }));
    const seen: Event[] = [];
    for (let i = 0; i < 3; i++) seen.push((await next())!);
    await new Promise((r) => setTimeout(r, 200));
    expect(asked).toBeGreaterThan(1);
    signedIn = false;
    for (let e = await next(); e; e = await next()) seen.push(e);
    expect(seen.map((e) => e.event)).toEqual(["replace", "replace", "state"]);
  });

  it("ends at once for a log that is gone", async () => {
    const next = events(logEventStream(db, 999_999, { signal: new AbortController().signal, pollMs: 20 }));
    expect(await next()).toMatchObject({ event: "end", data: { state: "GONE" } });
    expect(await next()).toBeNull();
  });
});

describe("masked output", () => {
  /** Feeds chunks to a MaskedOutput as the runner does (lines for the CLI beside it); every intermediate
   *  state the log row or a watcher could see is recorded. */
  function feed(chunks: string[], secrets: string[], limit = 1_000_000) {
    const lines: string[] = [];
    const watched = new OutputLines((l) => lines.push(l));
    const output = new MaskedOutput(limit, secrets, (text) => watched.push(text));
    const stored: string[] = [];
    for (const chunk of chunks) {
      output.push(chunk);
      stored.push(output.toString());
    }
    output.end();
    watched.end();
    stored.push(output.toString());
    return { stored, final: output.toString(), lines };
  }

  /** No state shows a piece of a secret (4 characters or more of it) outside the mask. */
  function leaks(texts: string[], secrets: string[]): string[] {
    const found: string[] = [];
    for (const text of texts) {
      const bare = text.split(MASK).join("\u0000");
      for (const secret of secrets) for (let i = 0; i + 4 <= secret.length; i++) if (bare.includes(secret.slice(i, i + 4))) found.push(`${secret.slice(i, i + 4)} in ${JSON.stringify(text.slice(0, 80))}`);
    }
    return found;
  }

  it("never keeps or shows the beginning of a secret whose rest is still to come, in two chunks or in many", () => {
    const secret = "s3cr3t-value";
    const two = feed(["before\nthe secret is s3cr", "3t-value and more\nrest without newline"], [secret]);
    expect(two.stored[0]).toBe("before\nthe secret is ");
    expect(two.final).toBe(`before\nthe secret is ${MASK} and more\nrest without newline`);
    expect(two.lines).toEqual(["before", `the secret is ${MASK} and more`, "rest without newline"]);
    const many = feed([..."x s3cr3t-value y\n"], [secret]); // one character at a time
    expect(leaks([...many.stored, ...many.lines], [secret])).toEqual([]);
    expect(many.final).toBe(`x ${MASK} y\n`);
  });

  it("masks a secret that begins another one without leaving the longer one's rest", () => {
    const short = "hunter2-base";
    const long = "hunter2-base-9f8e7d6c5b4a";
    for (const secrets of [[short, long], [long, short]]) {
      const out = feed(["a ", "hunter2-base-9f8e", "7d6c5b4a b hunter2-base c\n"], secrets);
      expect(out.final).toBe(`a ${MASK} b ${MASK} c\n`);
      expect(leaks([...out.stored, ...out.lines], [long])).toEqual([]);
    }
  });

  it("masks a secret of several lines, and one with characters special to patterns", () => {
    const key = "-----BEGIN KEY-----\nAAAAB3Nza\n-----END KEY-----";
    const odd = "a.b*c+(d)$[e]";
    const out = feed(["key:\n-----BEGIN KEY-----\nAAA", "AB3Nza\n-----END KEY-----\nodd a.b*c", "+(d)$[e] end\n"], [key, odd]);
    expect(out.final).toBe(`key:\n${MASK}\nodd ${MASK} end\n`);
    expect(out.lines).toEqual(["key:", MASK, `odd ${MASK} end`]);
    expect(leaks([...out.stored, ...out.lines], [odd, "AAAAB3Nza"])).toEqual([]);
  });

  it("keeps the first and last part of a long output without cutting a secret in two", () => {
    const secret = "s3cr3t-value";
    // secrets everywhere, at every offset relative to the cut between the kept head and tail
    const chunks: string[] = [];
    for (let i = 0; i < 3000; i++) chunks.push(`${"x".repeat(i % 13)}${secret.slice(0, 5)}`, `${secret.slice(5)}\n`);
    for (const limit of [100, 101, 257, 1000]) {
      const out = feed(chunks, [secret], limit);
      expect(out.final).toMatch(/\[… \d+ characters truncated …\]/);
      expect(leaks([...out.stored, out.final], [secret])).toEqual([]);
    }
    const all = feed(chunks, [secret]);
    expect(all.final.split(MASK)).toHaveLength(3001);
    expect(leaks(all.lines, [secret])).toEqual([]);
  });

  it("drops the beginning of output read back from the server when it was cut, since it may end a secret", () => {
    const secret = "s3cr3t-value";
    // (its first 11 characters go: as many as the end of a 12-character secret)
    expect(maskReadBack(`${CUT_HEAD}3t-value then s3cr3t-value\n`, [secret])).toBe(`${CUT_HEAD}en ${MASK}\n`);
    expect(maskReadBack("whole s3cr3t-value\n", [secret])).toBe(`whole ${MASK}\n`);
  });
});
