import "server-only";
// The live tail of one script log as Server-Sent Events. The run may happen in another process or on
// another node, so the ScriptLog row is the source of truth: it is read at a short interval — first
// its state and output lengths (one small query), the output itself only when those changed — and
// what is new is sent: the appended part of stdout / stderr, or the whole text when it no longer
// starts with what was sent (the bounded output dropped its head, a secret got masked). State, exit
// code and finished time when they change; `end` once the log is final, then the stream closes.
//
// Every event's id is a cursor "<stdout length>.<stderr length>.<hash of both>" of what the client
// holds: a browser reconnecting (EventSource sends Last-Event-ID) resumes from there, or gets the
// whole text when the stored output no longer matches it. Only the (already masked) output and the
// state leave the row — never the script.
import type { Db } from "../db-client";

export type StreamName = "stdout" | "stderr";
export type TailState = { state: string; exitCode: number | null; finishedAt: string | null };

type Row = TailState & Record<StreamName, string>;

export function isFinal(state: string): boolean {
  return state !== "RECEIVED" && state !== "STARTED";
}

/** 32-bit FNV-1a of a text, hex: enough to tell a client's copy from a changed one. */
function fnv(text: string): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193);
  return (h >>> 0).toString(16);
}

export function cursorOf(sent: Record<StreamName, string>): string {
  return `${sent.stdout.length}.${sent.stderr.length}.${fnv(`${sent.stdout}\u0000${sent.stderr}`)}`;
}

/** What a client holds, from its cursor, if the stored output still starts with it. */
export function resumeFrom(cursor: string | null, row: Record<StreamName, string>): Record<StreamName, string> | null {
  const m = /^(\d{1,9})\.(\d{1,9})\.([0-9a-f]{1,8})$/.exec(cursor ?? "");
  if (!m) return null;
  const held = { stdout: row.stdout.slice(0, Number(m[1])), stderr: row.stderr.slice(0, Number(m[2])) };
  if (held.stdout.length !== Number(m[1]) || held.stderr.length !== Number(m[2])) return null;
  return cursorOf(held) === cursor ? held : null;
}

/** What to send for one stream: the appended part, the whole text, or nothing. */
export function change(sent: string | null, now: string): { event: "append" | "replace"; text: string } | null {
  if (sent === now) return null;
  if (sent !== null && now.length > sent.length && now.startsWith(sent)) return { event: "append", text: now.slice(sent.length) };
  return { event: "replace", text: now };
}

// BoundedOutput's marker (output.ts): once it is there, the text can change without changing length.
const TRUNCATED = /\n\[… \d+ characters truncated …\]\n/;

async function readProbe(db: Db, id: number): Promise<string | null> {
  const rows = await db.$queryRaw<Array<{ state: string; out: number | bigint | null; err: number | bigint | null }>>`
    SELECT "state", length("stdout") AS "out", length("stderr") AS "err" FROM "ScriptLog" WHERE "id" = ${id}`;
  const row = rows[0];
  return row ? `${row.state}:${Number(row.out)}:${Number(row.err)}` : null;
}

async function readRow(db: Db, id: number): Promise<Row | null> {
  const row = await db.scriptLog.findUnique({ where: { id }, select: { state: true, exitCode: true, finishedAt: true, stdout: true, stderr: true } });
  return row && { ...row, finishedAt: row.finishedAt?.toISOString() ?? null };
}

export type StreamOptions = {
  /** Last-Event-ID of a reconnecting client. */
  resume?: string | null;
  /** The client went away. */
  signal: AbortSignal;
  pollMs?: number;
  /** The stream closes after this long even while the log runs; the browser reconnects and resumes. */
  maxMs?: number;
  /** A comment line this often keeps proxies from closing a quiet stream. */
  heartbeatMs?: number;
  /** While the output is truncated its length says nothing: the text is read at most this often. */
  truncatedReadMs?: number;
  /**
   * Asked every `recheckMs` while the stream is open: whether the client may still read the log (its
   * session still valid). When not, the stream closes without `end`; the browser's reconnection is
   * then refused as any signed-out request.
   */
  allowed?: () => Promise<boolean>;
  recheckMs?: number;
};

export function logEventStream(db: Db, id: number, options: StreamOptions): ReadableStream<Uint8Array> {
  const { signal, pollMs = 250, maxMs = 5 * 60_000, heartbeatMs = 15_000, truncatedReadMs = 1000, allowed, recheckMs = 2000 } = options;
  const encoder = new TextEncoder();
  let closed = false;
  return new ReadableStream<Uint8Array>({
    async start(controller) {
      const write = (text: string) => {
        if (closed) return;
        try {
          controller.enqueue(encoder.encode(text));
        } catch {
          closed = true;
        }
      };
      const send = (event: string, data: unknown, id?: string) => write(`${id ? `id: ${id}\n` : ""}event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
      const stop = () => (closed = true);
      signal.addEventListener("abort", stop, { once: true });
      const deadline = Date.now() + maxMs;
      let sent: Record<StreamName, string | null> = { stdout: null, stderr: null };
      let state: TailState | null = null;
      let probed: string | null = null;
      let truncated = false;
      let readAt = 0;
      let wroteAt = Date.now();
      let checkedAt = Date.now();
      write("retry: 1000\n\n");
      try {
        for (let first = true; !closed && !signal.aborted; first = false) {
          const probe = await readProbe(db, id);
          if (probe === null) {
            send("end", { state: "GONE", exitCode: null, finishedAt: null });
            break;
          }
          if (probe !== probed || (truncated && Date.now() - readAt >= truncatedReadMs)) {
            const row = await readRow(db, id);
            if (!row) continue;
            probed = probe;
            readAt = Date.now();
            truncated = TRUNCATED.test(row.stdout) || TRUNCATED.test(row.stderr);
            if (first) sent = resumeFrom(options.resume ?? null, row) ?? sent;
            for (const stream of ["stdout", "stderr"] as const) {
              const next = change(sent[stream], row[stream]);
              if (!next) continue;
              sent[stream] = row[stream];
              send(next.event, { stream, text: next.text }, cursorOf({ stdout: sent.stdout ?? "", stderr: sent.stderr ?? "" }));
              wroteAt = Date.now();
            }
            const now: TailState = { state: row.state, exitCode: row.exitCode, finishedAt: row.finishedAt };
            if (!state || state.state !== now.state || state.exitCode !== now.exitCode || state.finishedAt !== now.finishedAt) {
              state = now;
              send("state", now);
              wroteAt = Date.now();
            }
            if (isFinal(now.state)) {
              send("end", now);
              break;
            }
          }
          if (Date.now() >= deadline) break;
          if (allowed && Date.now() - checkedAt >= recheckMs) {
            if (!(await allowed())) break;
            checkedAt = Date.now();
          }
          if (Date.now() - wroteAt >= heartbeatMs) {
            write(": still running\n\n");
            wroteAt = Date.now();
          }
          await pause(pollMs, signal);
        }
      } catch (error) {
        // the database went away for a moment: the browser reconnects and resumes
        console.error(`[log stream] log #${id}: ${(error as Error).message}`);
      } finally {
        signal.removeEventListener("abort", stop);
        closed = true;
        try {
          controller.close();
        } catch {
          // the client cancelled it already
        }
      }
    },
    cancel() {
      closed = true;
    },
  });
}

function pause(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      signal.removeEventListener("abort", done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal.addEventListener("abort", done, { once: true });
  });
}
