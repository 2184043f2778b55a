// "Install agent": copies the agent (deploy/agent/orchestra-agent.py) to a server over SSH, writes its
// configuration (Orchestra's URL and a new token for that server, readable by root only) and starts it
// with systemd, or — where there is no systemd, as in a container — as a background process whose pid
// is kept in its state directory. Running it again upgrades the agent and replaces the token. Logged
// as a script log of the server with the token masked.
import { readFileSync } from "node:fs";
import path from "node:path";
import { AGENT_VARIABLES } from "./variables";
import type { Engine } from "../orchestration/engine";
import { MASK } from "../orchestration/script";
import { quote } from "../orchestration/shell";
import { serverInfo } from "../orchestration/types";
import { provisionAgentToken } from "./tokens";


export const AGENT_LOG_BACKEND = "orchestra-agent";
const PLAIN_PATH = /^\/[A-Za-z0-9_.@+/-]*$/;

export type InstallOptions = {
  /** Orchestra's address as the server reaches it, e.g. https://orchestra.example.net */
  url: string;
  /** Long-poll length and the longest wait between retries, in seconds. */
  wait?: number;
  backoffMax?: number;
  userId?: number | null;
};

function agentSource(): string {
  return readFileSync(path.join(process.cwd(), "deploy/agent/orchestra-agent.py"), "utf8");
}

function unitFile(python: string, dir: string, config: string): string {
  const unit = readFileSync(path.join(process.cwd(), "deploy/agent/orchestra-agent.service"), "utf8");
  return unit.replace(/^ExecStart=.*$/m, `ExecStart=${python} ${dir}/orchestra-agent.py --config ${config}`);
}

/** The install script, with the configuration (and its token) as given: `masked` is what the log keeps. */
export function installScript(variables: Record<string, string>, config: string, maskedConfig: string) {
  const v = (name: string) => {
    const value = variables[name] ?? AGENT_VARIABLES[name].default;
    if (!PLAIN_PATH.test(value) || value.split("/").includes("..")) throw new Error(`the variable ${name} must be an absolute plain path, not ${JSON.stringify(value)}`);
    return value.replace(/(.)\/+$/, "$1");
  };
  const [dir, conf, state, python] = [v("AGENT_DIR"), v("AGENT_CONFIG"), v("AGENT_STATE_DIR"), v("AGENT_PYTHON")];
  const script = (configText: string) =>
    [
      "#!/usr/bin/env bash",
      "# Orchestra: install or upgrade the agent",
      "set -euo pipefail",
      "umask 022",
      `mkdir -p -- ${quote(dir)} ${quote(path.posix.dirname(conf))} ${quote(state)}`,
      `printf '%s' ${quote(Buffer.from(agentSource()).toString("base64"))} | base64 -d > ${quote(`${dir}/orchestra-agent.py.new`)}`,
      `chmod 755 -- ${quote(`${dir}/orchestra-agent.py.new`)} && mv -f -- ${quote(`${dir}/orchestra-agent.py.new`)} ${quote(`${dir}/orchestra-agent.py`)}`,
      `(umask 077; printf '%s\\n' ${quote(configText)} > ${quote(`${conf}.new`)} && mv -f -- ${quote(`${conf}.new`)} ${quote(conf)})`,
      `${quote(python)} ${quote(`${dir}/orchestra-agent.py`)} --version`,
      "if [ -d /run/systemd/system ] && command -v systemctl >/dev/null; then",
      `  printf '%s' ${quote(unitFile(python, dir, conf))} > /etc/systemd/system/orchestra-agent.service`,
      "  systemctl daemon-reload && systemctl enable orchestra-agent && systemctl restart orchestra-agent",
      '  echo "agent (re)started by systemd: orchestra-agent.service"',
      "else",
      "  # no systemd here: a background process, its pid in the state directory",
      `  pidfile=${quote(`${state}/agent.pid`)}`,
      '  if [ -s "$pidfile" ] && kill -0 "$(cat "$pidfile")" 2>/dev/null; then kill "$(cat "$pidfile")"; for i in $(seq 50); do kill -0 "$(cat "$pidfile")" 2>/dev/null || break; sleep 0.1; done; fi',
      `  setsid ${quote(python)} ${quote(`${dir}/orchestra-agent.py`)} --config ${quote(conf)} </dev/null >>${quote(`${state}/agent.log`)} 2>&1 &`,
      '  echo $! > "$pidfile"',
      '  echo "agent started without systemd (pid $(cat "$pidfile"))"',
      "fi",
      "",
    ].join("\n");
  return { executable: script(config), text: script(maskedConfig) };
}

export type InstallReport = { ok: boolean; logId: number; message: string };

export async function installAgent(engine: Engine, serverId: number, options: InstallOptions): Promise<InstallReport> {
  const url = new URL(options.url);
  if (url.protocol !== "https:" && url.protocol !== "http:") throw new Error("Orchestra's URL must be http(s)://…");
  const row = await engine.db.server.findUniqueOrThrow({ where: { id: serverId } });
  const server = serverInfo(row);
  const token = await provisionAgentToken(engine.db, serverId);
  const settings = { url: url.origin + url.pathname.replace(/\/+$/, ""), state_dir: server.variables.AGENT_STATE_DIR ?? AGENT_VARIABLES.AGENT_STATE_DIR.default, wait: options.wait ?? 25, backoff_max: options.backoffMax ?? 60 };
  const { executable, text } = installScript(server.variables, JSON.stringify({ ...settings, token }), JSON.stringify({ ...settings, token: MASK }));
  const log = await engine.db.scriptLog.create({ data: { backend: AGENT_LOG_BACKEND, serverId, state: "STARTED", method: "ssh", script: text, startedAt: new Date(), createdById: options.userId ?? null }, select: { id: true } });
  let stdout = "";
  let stderr = "";
  const result = await engine.executor.run(server, executable, {
    timeoutMs: 60_000,
    onOutput: (stream, chunk) => {
      if (stream === "stdout") stdout += chunk;
      else stderr += chunk;
    },
  });
  const hide = (s: string) => s.split(token).join(MASK);
  if (result.pinnedFingerprint) await engine.db.server.updateMany({ where: { id: serverId, hostKeyFingerprint: null }, data: { hostKeyFingerprint: result.pinnedFingerprint } });
  await engine.db.scriptLog.update({
    where: { id: log.id },
    data: { state: result.state, exitCode: result.exitCode, stdout: hide(stdout).slice(-65536), stderr: hide(stderr + (result.error ? `\n${result.error}` : "")).slice(-65536), finishedAt: new Date() },
  });
  if (result.state === "SUCCESS") await engine.db.agent.update({ where: { serverId }, data: { installedAt: new Date() } });
  const ok = result.state === "SUCCESS";
  return { ok, logId: log.id, message: ok ? `Agent installed on ${server.name}: ${hide(stdout).trim().split("\n").pop()}` : `Installing the agent on ${server.name} failed: ${hide(result.error ?? stderr).trim().slice(-300) || `exit code ${result.exitCode}`}` };
}
