import Link from "next/link";
import { db } from "@/lib/db";
import { requireUser } from "@/lib/session";
import { hasRole } from "@/lib/roles";
import { fetchLatestFailures, fetchNotifications, fetchQueues, fetchRunning, fetchRunsPerServer } from "@/lib/data/dashboard";
import { Empty, PageHeader, formatDate } from "@/app/ui/page-header";
import { RunsChart } from "@/app/ui/runs-chart";
import { StateBadge } from "@/app/ui/state-badge";
import { ActionButton } from "@/app/ui/confirm-button";
import { RefreshOnChange } from "@/app/ui/refresh-on-change";
import { fetchLogVersion } from "@/lib/data/log-version";
import { retry } from "./logs/actions";
import { dismissNotification } from "./notifications-actions";

export default async function Dashboard() {
  const user = await requireUser();
  const [perServer, running, failures, pending, queues, notifications, version] = await Promise.all([
    fetchRunsPerServer(db, 7),
    fetchRunning(db),
    fetchLatestFailures(db, 10),
    db.operation.count({ where: { state: "PENDING" } }),
    fetchQueues(db),
    fetchNotifications(db),
    fetchLogVersion(db),
  ]);
  const max = Math.max(1, ...perServer.flatMap((s) => s.days.map((d) => d.ok + d.failed)));
  const operator = hasRole(user.role, "operator");
  return (
    <>
      <PageHeader title="Dashboard"><RefreshOnChange version={version} active={running.length > 0 || pending > 0} /></PageHeader>
      {notifications.length > 0 && (
        <ul className="mb-4 space-y-1" data-testid="notifications">
          {notifications.map((n) => (
            <li key={n.id} className="flex items-center justify-between gap-2 rounded border border-red-200 bg-red-50 px-3 py-1.5 text-red-900">
              <span>
                <strong>{n.title}</strong> {n.body} {n.scriptLogId && <Link className="link" href={`/logs/${n.scriptLogId}`}>open log</Link>}
                <span className="ml-2 text-xs text-red-700">{formatDate(n.createdAt)}</span>
              </span>
              {operator && <ActionButton action={dismissNotification} fields={{ id: n.id }} label="Dismiss" />}
            </li>
          ))}
        </ul>
      )}
      <div className="grid gap-6 xl:grid-cols-[3fr_2fr]">
        <section>
          <h2 className="mb-2 font-semibold">Runs per server, last 7 days</h2>
          {perServer.length === 0 ? <Empty>No servers yet. <Link className="link" href="/servers/new">Add one</Link>.</Empty> : (
            <ul className="space-y-2 rounded border border-slate-200 bg-white p-3" data-testid="runs-chart">
              {perServer.map((s) => (
                <li key={s.id} className="flex items-center gap-4">
                  <Link className="link w-32 truncate font-medium" href={`/servers/${s.id}`}>{s.name}</Link>
                  <RunsChart days={s.days} max={max} />
                  <span className="text-xs text-slate-500">{s.days.reduce((n, d) => n + d.ok, 0)} ok · <span className={s.days.some((d) => d.failed) ? "text-red-700" : ""}>{s.days.reduce((n, d) => n + d.failed, 0)} failed</span></span>
                </li>
              ))}
            </ul>
          )}
        </section>
        <section className="space-y-4">
          <div>
            <h2 className="mb-2 font-semibold">Running now <span className="text-xs font-normal text-slate-500">({pending} operation{pending === 1 ? "" : "s"} pending)</span></h2>
            {queues.length > 0 && (
              <table className="table mb-2" data-testid="queues">
                <thead><tr><th>Server</th><th>Queued</th><th>Retrying</th><th>Running</th></tr></thead>
                <tbody>
                  {queues.map((q) => (
                    <tr key={q.id}>
                      <td><Link className="link" href={`/operations?server=${q.id}&state=PENDING`}>{q.name}</Link></td>
                      <td>{q.queued}</td>
                      <td className={q.retrying ? "text-orange-700" : ""}>{q.retrying}</td>
                      <td className={q.running ? "text-amber-700" : ""}>{q.running}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            )}
            {running.length === 0 ? <p className="text-slate-500">Nothing is running.</p> : (
              <ul className="rounded border border-slate-200 bg-white p-2">
                {running.map((l) => (
                  <li key={l.id}><Link className="link" href={`/logs/${l.id}`}>#{l.id}</Link> <StateBadge state={l.state} /> {l.backend} on {l.server.name}</li>
                ))}
              </ul>
            )}
          </div>
          <div>
            <h2 className="mb-2 font-semibold">Latest failures <Link className="link text-xs font-normal" href="/logs/failures">by server and backend →</Link></h2>
            {failures.length === 0 ? <p className="text-slate-500">No failures waiting. </p> : (
              <ul className="divide-y divide-slate-100 rounded border border-slate-200 bg-white" data-testid="latest-failures">
                {failures.map((f) => (
                  <li key={f.id} className="flex items-start justify-between gap-2 p-2">
                    <div className="min-w-0">
                      <Link className="link" href={`/logs/${f.id}`}>#{f.id}</Link> <StateBadge state={f.state} /> {f.backend} on <strong>{f.server.name}</strong>
                      <div className="truncate font-mono text-xs text-slate-500">{f.stderr.trim().split("\n").pop() || `exit ${f.exitCode ?? "—"}`}</div>
                      <div className="text-xs text-slate-400">{formatDate(f.createdAt)}</div>
                    </div>
                    {operator && <ActionButton action={retry} fields={{ id: f.id }} label="Retry" />}
                  </li>
                ))}
              </ul>
            )}
          </div>
        </section>
      </div>
    </>
  );
}
