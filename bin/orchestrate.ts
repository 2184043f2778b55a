// Runs backends for chosen objects from the command line.
//   npm run orchestrate -- --dry-run                         print every script that would run, per server
//   npm run orchestrate -- --model SystemUser --ids 3,4      run the backends of these objects now
//   npm run orchestrate -- --backend system-users --server web1
//   npm run orchestrate -- --retry 42                        run script log #42 again
//   (a run prints each line of its output as it arrives, "[server backend] line", secrets masked;
//    --quiet prints only the result of each run)
//   npm run orchestrate -- --service system-users --ids 3 --command expire-password
//                                                            run a backend command on these objects
//   npm run orchestrate -- --commands                        list the commands of every backend
//   npm run orchestrate -- --check [--server S] [--backend B] [--service SLUG --ids 1,2]
//                                                            drift check (exit 2 when something drifted)
//   npm run orchestrate -- --monitor [--server S] [--backend B] [--service SLUG --ids 1,2]
//                                                            measure resources (limits crossed act and are printed)
//   npm run orchestrate -- --schedules                       list the schedules: next and last run, result
//   npm run orchestrate -- --run-schedule NAME               run a schedule now (exit 1 if it fails)
//   npm run orchestrate -- --agent-config SERVER             print what the server's agent pulls (registry backends)
//   npm run orchestrate -- --install-agent SERVER --url URL  install or upgrade the agent over SSH (new token)
// Exit code: 0 when every run succeeded (or had nothing to do), 1 when one did not, 2 on bad usage or
// (with --check) when a pair drifted.
import { parseArgs } from "node:util";
import { createEngine } from "../lib/engine";
import { SERVICES, serviceBySlug } from "../lib/services";
import { checkDrift } from "../lib/orchestration/drift";
import { formatValue, measureResources } from "../lib/orchestration/monitors";
import { dryRun, retryLog, runSelection } from "../lib/orchestration/manual";
import { runScheduleNow } from "../lib/orchestration/schedules/fire";
import type { RunReport } from "../lib/orchestration/runner";
import type { OutputLine } from "../lib/orchestration/output-lines";
import { renderRegistry } from "../lib/orchestration/registry";
import { installAgent } from "../lib/agent/install";

function usage(message: string): never {
  console.error(`orchestrate: ${message}\nusage: npm run orchestrate -- [--dry-run] [--backend NAME] [--server NAME] [--model MODEL | --service SLUG] [--ids 1,2] [--command NAME] [--quiet] | --retry LOG_ID [--quiet] | --commands | --check | --monitor | --schedules | --run-schedule NAME | --agent-config SERVER | --install-agent SERVER --url URL`);
  process.exit(2);
}

async function main(): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      options: {
        "dry-run": { type: "boolean", default: false },
        backend: { type: "string" },
        server: { type: "string" },
        model: { type: "string" },
        ids: { type: "string" },
        retry: { type: "string" },
        service: { type: "string" },
        command: { type: "string" },
        commands: { type: "boolean", default: false },
        check: { type: "boolean", default: false },
        monitor: { type: "boolean", default: false },
        schedules: { type: "boolean", default: false },
        "run-schedule": { type: "string" },
        "agent-config": { type: "string" },
        "install-agent": { type: "string" },
        url: { type: "string" },
        quiet: { type: "boolean", default: false },
      },
    });
  } catch (error) {
    usage((error as Error).message);
  }
  const { values } = parsed;
  const engine = createEngine();
  const onLine = values.quiet ? undefined : printLine;
  try {
    if (values.backend) engine.registry.get(values.backend);
    if (values.commands) {
      for (const b of engine.registry.all()) {
        for (const [name, c] of Object.entries(b.commands ?? {})) console.log(`${b.name.padEnd(16)} ${name.padEnd(18)} ${c.title}${c.description ? `: ${c.description}` : ""}`);
      }
      return 0;
    }
    if (values.schedules) {
      const schedules = await engine.db.schedule.findMany({ orderBy: { name: "asc" } });
      for (const s of schedules) {
        const next = s.active ? (s.nextRunAt?.toISOString() ?? "never") : "inactive";
        console.log(`${s.name.padEnd(24)} ${s.kind.padEnd(12)} ${`${s.cron} ${s.timeZone}`.padEnd(28)} next ${next.padEnd(24)} last ${s.lastRunAt?.toISOString() ?? "never"} ${s.lastState ?? ""} ${s.lastMessage}`.trimEnd());
      }
      if (!schedules.length) console.log("no schedules");
      return 0;
    }
    if (values["run-schedule"]) {
      const schedule = await engine.db.schedule.findUnique({ where: { name: values["run-schedule"] } });
      if (!schedule) usage(`unknown schedule ${values["run-schedule"]}`);
      const outcome = await runScheduleNow(engine, schedule.id);
      console.log(`${outcome.state.padEnd(8)} ${schedule.name}: ${outcome.message}`);
      return outcome.state === "SUCCESS" ? 0 : 1;
    }
    const agentServer = values["agent-config"] ?? values["install-agent"];
    if (agentServer) {
      const server = await engine.db.server.findUnique({ where: { name: agentServer } });
      if (!server) usage(`unknown server ${agentServer}`);
      if (values["agent-config"]) {
        console.log(JSON.stringify(await renderRegistry(engine, server.id), null, 2));
        return 0;
      }
      if (!values.url) usage("--install-agent needs --url (Orchestra's address as the server reaches it)");
      const report = await installAgent(engine, server.id, { url: values.url });
      console.log(`${report.ok ? "SUCCESS" : "FAILURE"} log #${report.logId}: ${report.message}`);
      return report.ok ? 0 : 1;
    }
    const service = values.service ? serviceBySlug(values.service) : null;
    if (values.service && !service) usage(`unknown service ${values.service} (known: ${SERVICES.map((s) => s.slug).join(", ")})`);
    const ids = values.ids?.split(",").map((s) => s.trim()).filter(Boolean);
    // A command changes servers without a change in the database: never on every object by accident.
    if (values.command && !ids?.length) usage("--command needs --ids");
    const selection = { backend: values.backend, server: values.server, model: service?.model ?? values.model, ids, command: values.command };

    if (values.check) {
      const server = values.server ? await engine.db.server.findUnique({ where: { name: values.server } }) : null;
      if (values.server && !server) usage(`unknown server ${values.server}`);
      const result = await checkDrift(engine, { serverId: server?.id, backend: values.backend, model: selection.model, objectIds: ids });
      for (const l of result.logs) console.log(`${l.state.padEnd(8)} log #${l.logId} check of ${l.backend} on ${l.server}`);
      for (const d of result.drifted) console.log(`DRIFTED  ${d.label} on ${d.server} (${d.backend}): ${d.difference}`);
      console.log(`${result.checked} pair(s) checked, ${result.drifted.length} drifted${result.skipped ? `, ${result.skipped} not checked (pending, failed or never applied: see the convergence view)` : ""}`);
      if (result.drifted.length) return 2;
      return result.logs.every((l) => l.state === "SUCCESS") ? 0 : 1;
    }
    if (values.monitor) {
      const server = values.server ? await engine.db.server.findUnique({ where: { name: values.server } }) : null;
      if (values.server && !server) usage(`unknown server ${values.server}`);
      const result = await measureResources(engine, { serverId: server?.id, backend: values.backend, model: selection.model, objectIds: ids });
      for (const l of result.logs) console.log(`${l.state.padEnd(8)} log #${l.logId} monitor of ${l.backend} on ${l.server}`);
      for (const c of result.crossings) console.log(`${c.direction.toUpperCase().padEnd(9)} ${c.label} ${c.resource} ${formatValue(c.value)} ${c.unit}${c.limit !== null ? ` (limit ${formatValue(c.limit)})` : ""}${c.action ? `: ${c.action}` : ""}`);
      const actions = result.crossings.flatMap((c) => c.runs);
      if (actions.length) print(actions);
      console.log(`${result.measured} measurement(s)`);
      return result.logs.every((l) => l.state === "SUCCESS") && result.crossings.every((c) => c.runs.every((r) => r.state === "SUCCESS" || r.state === "NOTHING")) ? 0 : 1;
    }
    if (values.retry) {
      const { report, superseded, queued } = await retryLog(engine, Number(values.retry), null, { onLine });
      for (const s of superseded) console.log(`superseded ${s.objectLabel}: changed again by operation #${s.byOperationId}${s.byLogId ? ` (log #${s.byLogId})` : ""}`);
      if (queued) console.log("queued: an earlier change of the same object on this server runs first");
      print(report ? [report] : []);
      return !report || report.state === "SUCCESS" || report.state === "NOTHING" ? 0 : 1;
    }
    if (values["dry-run"]) {
      const { scripts, unrouted } = await dryRun(engine, selection);
      for (const s of scripts) {
        console.log(`### server ${s.server} · backend ${s.backend}${s.hasContent ? "" : " · nothing to do"}`);
        console.log(s.text);
      }
      if (unrouted.length) console.log(`# no route matches: ${unrouted.map((o) => `${o.backend} ${o.objectLabel}`).join(", ")}`);
      if (!scripts.length) console.log("# nothing would run");
      return 0;
    }
    const { reports, unrouted } = await runSelection(engine, selection, null, { onLine });
    print(reports);
    if (unrouted.length) console.log(`no route matches: ${unrouted.map((o) => `${o.backend} ${o.objectLabel}`).join(", ")}`);
    return reports.every((r) => r.state === "SUCCESS" || r.state === "NOTHING") ? 0 : 1;
  } finally {
    await engine.close();
    await engine.db.$disconnect();
  }
}

/** A line of a running script (already masked by the runner); stderr lines go to stderr. */
function printLine(line: OutputLine) {
  (line.stream === "stdout" ? process.stdout : process.stderr).write(`[${line.server} ${line.backend}] ${line.text}\n`);
}

function print(reports: RunReport[]) {
  for (const r of reports) console.log(`${r.state.padEnd(8)} log #${r.logId} ${r.backend} on ${r.server}: ${r.operations.join(", ")}`);
  if (!reports.length) console.log("nothing ran");
}

main()
  .then((code) => process.exit(code))
  .catch((error) => {
    console.error(`orchestrate: ${error instanceof Error ? error.message : error}`);
    process.exit(1);
  });
