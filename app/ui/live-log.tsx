"use client";
import { useRouter } from "next/navigation";
import { createContext, useContext, useEffect, useLayoutEffect, useRef, useState, type ReactNode } from "react";
import { StateBadge } from "./state-badge";

// The live tail of a running script log: one EventSource on /api/logs/[id]/stream (lib/data/log-stream.ts)
// feeds the state badge and the stdout / stderr blocks of the page. When the log ends, the page is
// re-rendered once from the server (final state, exit code, Retry…); nothing is re-rendered meanwhile.

/** `follow`: the log was running when the page rendered, so its output blocks keep to the bottom. */
type Tail = { stdout: string; stderr: string; state: string; live: boolean; follow: boolean };
const LiveContext = createContext<Tail | null>(null);

function useTail(): Tail {
  const tail = useContext(LiveContext);
  if (!tail) throw new Error("LiveLog is missing around this part of the log page");
  return tail;
}

/** Holds a log's output and state; while it runs, follows the stream. Key it by the log's state. */
export function LiveLog({ logId, state, stdout, stderr, children }: { logId: number; state: string; stdout: string; stderr: string; children: ReactNode }) {
  const running = state === "RECEIVED" || state === "STARTED";
  const [tail, setTail] = useState<Tail>({ stdout, stderr, state, live: running, follow: running });
  const router = useRouter();
  useEffect(() => {
    if (!running) return;
    const source = new EventSource(`/api/logs/${logId}/stream`);
    const output = (kind: "append" | "replace") => (event: MessageEvent<string>) => {
      const { stream, text } = JSON.parse(event.data) as { stream: "stdout" | "stderr"; text: string };
      setTail((t) => ({ ...t, [stream]: kind === "append" ? t[stream] + text : text }));
    };
    const ended = (state?: string) => {
      source.close();
      setTail((t) => ({ ...t, state: state ?? t.state, live: false }));
      router.refresh();
    };
    source.addEventListener("append", output("append"));
    source.addEventListener("replace", output("replace"));
    source.addEventListener("state", (event: MessageEvent<string>) => setTail((t) => ({ ...t, state: (JSON.parse(event.data) as { state: string }).state })));
    source.addEventListener("end", (event: MessageEvent<string>) => ended((JSON.parse(event.data) as { state: string }).state));
    // Refused (signed out, log gone): the server's page says why. A dropped connection reconnects by itself.
    source.onerror = () => {
      if (source.readyState === EventSource.CLOSED) ended();
    };
    return () => source.close();
  }, [logId, running, router]);
  return <LiveContext.Provider value={tail}>{children}</LiveContext.Provider>;
}

export function LiveIndicator() {
  return useTail().live ? <span data-testid="live" className="animate-pulse text-xs text-amber-700">● live</span> : null;
}

export function LiveState() {
  return <StateBadge state={useTail().state} />;
}

// Long lines (a generated config, a base64 blob) wrap, anywhere if they must: a log is read, not
// scrolled sideways. A reader at the bottom stays there as lines arrive; one who scrolled up is left alone.
export function LiveOutput({ stream, title }: { stream: "stdout" | "stderr"; title: string }) {
  const tail = useTail();
  const text = tail[stream];
  const pre = useRef<HTMLPreElement>(null);
  const atBottom = useRef(true);
  useLayoutEffect(() => {
    const el = pre.current;
    if (el && tail.follow && atBottom.current) el.scrollTop = el.scrollHeight;
  }, [text, tail.follow]);
  if (stream === "stderr" && !text) return null;
  return (
    <section className="mb-4">
      <h2 className="mb-1 font-semibold">{title}</h2>
      <pre
        ref={pre}
        data-testid={`log-${stream}`}
        onScroll={(e) => {
          const el = e.currentTarget;
          atBottom.current = el.scrollHeight - el.scrollTop - el.clientHeight < 16;
        }}
        className="max-h-[32rem] overflow-auto rounded bg-slate-900 p-3 font-mono text-xs whitespace-pre-wrap wrap-anywhere text-slate-100"
      >
        {text || <span className="text-slate-500">(empty)</span>}
      </pre>
    </section>
  );
}
