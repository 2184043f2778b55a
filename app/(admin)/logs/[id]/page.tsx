import Link from "next/link";
import { db } from "@/lib/db";
import { notFound } from "next/navigation";
import { fetchLog, fetchSuperseded } from "@/lib/data/logs";
import { requireUser } from "@/lib/session";
import { hasRole } from "@/lib/roles";
import { idParam } from "@/lib/schemas/common";
import { PageHeader, formatDate } from "@/app/ui/page-header";
import { StateBadge } from "@/app/ui/state-badge";
import { ActionButton } from "@/app/ui/confirm-button";
import { LiveIndicator, LiveLog, LiveOutput, LiveState } from "@/app/ui/live-log";
import { duration } from "@/app/ui/filters";
import { cancel, reapply, retry, revoke } from "../actions";

export default async function LogPage({ params }: { params: Promise<{ id: string }> }) {
  const user = await requireUser();
  const id = idParam.safeParse((await params).id);
  if (!id.success) notFound();
  const log = await fetchLog(db, id.data);
  if (!log) notFound();
  const running = log.state === "STARTED" || log.state === "RECEIVED";
  const operator = hasRole(user.role, "operator");
  const revocable = log.operations.some((o) => o.operation.state === "PENDING" || o.operation.state === "FAILURE");
  const superseded = running ? [] : await fetchSuperseded(db, log);
  const allSuperseded = superseded.length > 0 && superseded.length >= log.operations.filter((o) => o.operation.state !== "REVOKED").length;
  const byLogs = [...new Set(superseded.map((s) => s.byLogId).filter((n): n is number => n !== null))];
  return (
    // keyed by log and state: the render after the run ended starts from the server's final text
    <LiveLog key={`${log.id}:${log.state}`} logId={log.id} state={log.state} stdout={log.stdout} stderr={log.stderr}>
      <PageHeader title={`Script log #${log.id}`}>
        <LiveIndicator />
        {operator && running && <ActionButton action={cancel} fields={{ id: log.id }} label="Cancel" confirm="Stop this script now? Its processes on the server are killed; its operations stay failed until retried." />}
        {operator && !running && !allSuperseded && <ActionButton action={retry} fields={{ id: log.id }} label="Retry" className="btn" />}
        {operator && !running && superseded.length > 0 && <ActionButton action={reapply} fields={{ id: log.id }} label="Re-apply current state" className="btn" confirm="Push what the database holds now for this log's objects to this server?" />}
        {operator && revocable && <ActionButton action={revoke} fields={{ id: log.id }} label="Revoke" confirm="Revoke this log's pending or failed operations? They will not run again." />}
      </PageHeader>
      {superseded.length > 0 && (
        <p data-testid="log-superseded" className="mb-4 rounded border border-slate-300 bg-slate-50 p-2 text-sm">
          {allSuperseded ? "Superseded" : `${superseded.length} of its objects superseded`} by{" "}
          {byLogs.length ? byLogs.map((n, i) => <span key={n}>{i > 0 && ", "}<Link className="link" href={`/logs/${n}`}>#{n}</Link></span>) : "newer queued operations"}
          : {allSuperseded ? "every object of this log was changed again since. Retrying it would not bring anything new; re-apply pushes the current state." : "retry skips those objects."}
        </p>
      )}
      <dl className="mb-4 grid grid-cols-2 gap-x-6 gap-y-1 rounded border border-slate-200 bg-white p-3 md:grid-cols-4">
        <dt className="text-slate-500">State</dt><dd data-testid="log-state"><LiveState /></dd>
        <dt className="text-slate-500">Exit code</dt><dd className="font-mono">{log.exitCode ?? "—"}</dd>
        <dt className="text-slate-500">Server</dt><dd><Link className="link" href={`/servers/${log.server.id}`}>{log.server.name}</Link> <span className="font-mono text-xs text-slate-500">{log.server.address}</span></dd>
        <dt className="text-slate-500">Backend</dt><dd className="font-mono">{log.backend} ({log.method})</dd>
        <dt className="text-slate-500">Created</dt><dd>{formatDate(log.createdAt)}{log.createdBy ? ` by ${log.createdBy.email}` : ""}</dd>
        <dt className="text-slate-500">Duration</dt><dd>{duration(log.startedAt, log.finishedAt)}</dd>
        <dt className="text-slate-500">Started</dt><dd>{formatDate(log.startedAt)}</dd>
        <dt className="text-slate-500">Finished</dt><dd>{formatDate(log.finishedAt)}</dd>
        {log.retryOf && <><dt className="text-slate-500">Retry of</dt><dd><Link className="link" href={`/logs/${log.retryOf.id}`}>#{log.retryOf.id}</Link> <StateBadge state={log.retryOf.state} /></dd></>}
        {log.retries.length > 0 && <><dt className="text-slate-500">Retried as</dt><dd>{log.retries.map((r) => <span key={r.id} className="mr-2"><Link className="link" href={`/logs/${r.id}`}>#{r.id}</Link> <StateBadge state={r.state} /></span>)}</dd></>}
      </dl>
      <section className="mb-4">
        <h2 className="mb-1 font-semibold">Operations</h2>
        <ul className="rounded border border-slate-200 bg-white p-2">
          {log.operations.map(({ operation: o }) => (
            <li key={o.id} className="flex items-center gap-2">
              <Link className="link font-mono" href={`/operations/${o.id}`}>#{o.id}</Link> {o.action} {o.model} <strong>{o.objectLabel}</strong> <StateBadge state={o.state} />
            </li>
          ))}
        </ul>
      </section>
      <LiveOutput stream="stderr" title="stderr" />
      <LiveOutput stream="stdout" title="stdout" />
      <section className="mb-4">
        <h2 className="mb-1 font-semibold">Script</h2>
        <pre data-testid="log-script" className="overflow-auto rounded border border-slate-200 bg-white p-0 font-mono text-xs">
          {log.script.split("\n").map((line, i) => (
            <div key={i} className="flex">
              <span className="w-10 shrink-0 select-none border-r border-slate-200 bg-slate-50 pr-2 text-right text-slate-400">{i + 1}</span>
              <code className="min-w-0 pl-2 whitespace-pre-wrap wrap-anywhere">{line}</code>
            </div>
          ))}
        </pre>
      </section>
    </LiveLog>
  );
}
