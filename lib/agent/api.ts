// The agent API, framework-free: each function takes the engine and a web Request and returns a
// Response, so the Next route handlers (app/api/agent/v1/**) and tests serve the same code.
//   GET  /api/agent/v1/config[?wait=S]  the calling server's configuration for its registry backends,
//        with its version as ETag; If-None-Match with the current version → 304, after waiting up to S
//        seconds (long-poll) for a committed change.
//   POST /api/agent/v1/reports          the agent's results, recorded as script logs of its server.
// The server is the token's, never a parameter: a token reads its own server's configuration only.
import type { Engine } from "../orchestration/engine";
import { agentSignal, isRegistry, recordPulled, renderRegistry } from "../orchestration/registry";
import { authenticateAgent, type AgentIdentity } from "./tokens";

/** How often a waiting long-poll looks at its server's counter (a change on another web node). */
export const COUNTER_POLL_MS = 100;
export const MAX_WAIT_S = 60;
const MAX_OUTPUT = 64 * 1024;
const REPORT_STATES = ["SUCCESS", "FAILURE", "ERROR", "NOTHING"] as const;
/** Long-polls one agent may hold open on a node at once; more are answered without waiting. */
const MAX_WAITING = 2;
const waiting = new Map<number, number>();

function json(body: unknown, status = 200, headers: Record<string, string> = {}): Response {
  return new Response(JSON.stringify(body), { status, headers: { "content-type": "application/json; charset=utf-8", "cache-control": "no-store", ...headers } });
}

const refused = () => json({ error: "unauthorized", message: "This agent token is not valid." }, 401, { "www-authenticate": 'Bearer realm="orchestra-agent"' });

async function seen(engine: Engine, agent: AgentIdentity, request: Request) {
  const version = (request.headers.get("user-agent") ?? "").match(/^orchestra-agent\/([\w.-]{1,20})/)?.[1] ?? null;
  await engine.db.agent.update({ where: { id: agent.agentId }, data: { lastSeenAt: new Date(), ...(version ? { agentVersion: version } : {}) } });
}

/** Resolves when the server's counter moves past `version`, the deadline passes or the client leaves. */
async function nextVersion(engine: Engine, agent: AgentIdentity, version: number, deadline: number, signal: AbortSignal): Promise<number | null> {
  const events = agentSignal();
  while (Date.now() < deadline && !signal.aborted) {
    await new Promise<void>((resolve) => {
      const done = () => {
        clearTimeout(timer);
        events.off("changed", onChange);
        signal.removeEventListener("abort", done);
        resolve();
      };
      const onChange = (serverId: number) => serverId === agent.serverId && done();
      const timer = setTimeout(done, Math.min(COUNTER_POLL_MS, Math.max(0, deadline - Date.now())));
      events.on("changed", onChange);
      signal.addEventListener("abort", done);
    });
    const row = await engine.db.agent.findUnique({ where: { id: agent.agentId }, select: { configVersion: true } });
    if (!row) return null;
    if (row.configVersion !== version) return row.configVersion;
  }
  return version;
}

export async function agentConfig(engine: Engine, request: Request): Promise<Response> {
  const agent = await authenticateAgent(engine.db, request.headers.get("authorization"));
  if (!agent) return refused();
  await seen(engine, agent, request);
  const wait = Math.min(MAX_WAIT_S, Math.max(0, Number(new URL(request.url).searchParams.get("wait") ?? 0) || 0));
  const deadline = Date.now() + wait * 1000;
  const known = (request.headers.get("if-none-match") ?? "").replace(/^W\//, "").replace(/"/g, "").trim();
  let counter = agent.configVersion;
  // a stolen or misbehaving token cannot tie up a node with waiting requests
  const held = (waiting.get(agent.agentId) ?? 0) + 1;
  waiting.set(agent.agentId, held);
  const mayWait = held <= MAX_WAITING;
  try {
    for (;;) {
      const config = await renderRegistry(engine, agent.serverId);
      if (config.version !== known) return json(config, 200, { etag: `"${config.version}"` });
      if (!mayWait || Date.now() >= deadline || request.signal.aborted) return new Response(null, { status: 304, headers: { etag: `"${config.version}"`, "cache-control": "no-store" } });
      const next = await nextVersion(engine, agent, counter, deadline, request.signal);
      if (next === null) return refused();
      counter = next;
    }
  } finally {
    const left = (waiting.get(agent.agentId) ?? 1) - 1;
    if (left > 0) waiting.set(agent.agentId, left);
    else waiting.delete(agent.agentId);
  }
}

type ReportResult = { backend: string; state: (typeof REPORT_STATES)[number]; output: string; startedAt: Date | null; finishedAt: Date | null; objects: Array<{ label: string; result: string }> };

function parseResults(body: unknown): { version: string; results: ReportResult[] } | string {
  if (!body || typeof body !== "object") return "The body must be a JSON object.";
  const { version, results } = body as Record<string, unknown>;
  if (typeof version !== "string" || !/^[0-9a-f]{1,64}$/.test(version)) return "version: the configuration's version (hex).";
  if (!Array.isArray(results) || results.length > 50) return "results: a list of at most 50 results.";
  const date = (v: unknown) => (typeof v === "string" && !Number.isNaN(Date.parse(v)) ? new Date(v) : null);
  const out: ReportResult[] = [];
  for (const r of results as Array<Record<string, unknown>>) {
    if (!r || typeof r.backend !== "string" || !(REPORT_STATES as readonly string[]).includes(String(r.state))) return "each result: backend and state (SUCCESS, FAILURE, ERROR or NOTHING).";
    const objects = Array.isArray(r.objects) ? (r.objects as Array<Record<string, unknown>>).slice(0, 10_000).map((o) => ({ label: String(o?.label ?? "").slice(0, 200), result: String(o?.result ?? "").slice(0, 200) })) : [];
    out.push({ backend: r.backend, state: r.state as ReportResult["state"], output: String(r.output ?? "").slice(0, MAX_OUTPUT), startedAt: date(r.startedAt), finishedAt: date(r.finishedAt), objects });
  }
  return { version, results: out };
}

export async function agentReport(engine: Engine, request: Request): Promise<Response> {
  const agent = await authenticateAgent(engine.db, request.headers.get("authorization"));
  if (!agent) return refused();
  const text = await request.text();
  if (text.length > 2_000_000) return json({ error: "too_large", message: "The report is larger than 2 MB." }, 413);
  let parsed: ReturnType<typeof parseResults>;
  try {
    parsed = parseResults(JSON.parse(text));
  } catch {
    parsed = "The body must be JSON.";
  }
  if (typeof parsed === "string") return json({ error: "invalid", message: parsed }, 422);
  const unknown = parsed.results.find((r) => !engine.registry.has(r.backend) || !isRegistry(engine.registry.get(r.backend)));
  if (unknown) return json({ error: "invalid", message: `${unknown.backend} is not a registry backend.` }, 422);
  await seen(engine, agent, request);
  const ids: number[] = [];
  for (const r of parsed.results) {
    const objects = r.objects.map((o) => `#   ${o.label.replace(/[\r\n]/g, " ")}: ${o.result.replace(/[\r\n]/g, " ")}`);
    const log = await engine.db.scriptLog.create({
      data: {
        backend: r.backend,
        serverId: agent.serverId,
        state: r.state,
        method: "agent",
        script: [`# pulled by the server's agent: configuration ${parsed.version}`, ...objects, ""].join("\n"),
        stdout: r.state === "SUCCESS" || r.state === "NOTHING" ? r.output : "",
        stderr: r.state === "SUCCESS" || r.state === "NOTHING" ? "" : r.output,
        exitCode: r.state === "SUCCESS" || r.state === "NOTHING" ? 0 : 1,
        startedAt: r.startedAt ?? new Date(),
        finishedAt: r.finishedAt ?? new Date(),
      },
      select: { id: true },
    });
    ids.push(log.id);
  }
  const applied = parsed.results.filter((r) => r.state === "SUCCESS" || r.state === "NOTHING");
  if (parsed.results.length && applied.length === parsed.results.length) {
    await engine.db.agent.update({ where: { id: agent.agentId }, data: { appliedEtag: parsed.version, appliedAt: new Date() } });
  }
  // convergence: the pulled objects are applied there, as a push run records them
  await recordPulled(engine, agent.serverId, parsed.version, applied.map((r) => r.backend));
  return json({ logs: ids }, 201);
}
