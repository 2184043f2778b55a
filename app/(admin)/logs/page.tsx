import Link from "next/link";
import type { Metadata } from "next";
import { db } from "@/lib/db";
import { fetchFilterChoices, fetchLogs, parseLogFilters } from "@/lib/data/logs";
import { requireUser } from "@/lib/session";
import { LOG_STATES } from "@/lib/orchestration/types";
import { Empty, PageHeader, formatDate } from "@/app/ui/page-header";
import { StateBadge } from "@/app/ui/state-badge";
import { Filters, Select, duration } from "@/app/ui/filters";
import { RefreshOnChange } from "@/app/ui/refresh-on-change";
import { fetchLogVersion } from "@/lib/data/log-version";

export const metadata: Metadata = { title: "Script logs" };

export default async function LogsPage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  await requireUser();
  const filters = parseLogFilters(await searchParams);
  const [{ logs, nextBefore }, choices, version] = await Promise.all([fetchLogs(db, filters), fetchFilterChoices(db), fetchLogVersion(db)]);
  const running = logs.some((l) => l.state === "STARTED" || l.state === "RECEIVED");
  const query = (extra: Record<string, string | number | undefined>) =>
    "?" + new URLSearchParams(Object.entries({ state: filters.state, server: filters.serverId, backend: filters.backend, ...extra }).filter(([, v]) => v !== undefined && v !== "").map(([k, v]) => [k, String(v)])).toString();
  return (
    <>
      <PageHeader title="Script logs"><RefreshOnChange version={version} active={running} /></PageHeader>
      <Filters reset="/logs">
        <Select name="state" label="State" value={filters.state} options={LOG_STATES.map((s) => ({ value: s, label: s }))} />
        <Select name="server" label="Server" value={filters.serverId} options={choices.servers.map((s) => ({ value: s.id, label: s.name }))} />
        <Select name="backend" label="Backend" value={filters.backend} options={choices.backends.map((b) => ({ value: b, label: b }))} />
      </Filters>
      {logs.length === 0 ? (
        <Empty>No script logs{filters.state || filters.serverId || filters.backend ? " match these filters" : " yet"}.</Empty>
      ) : (
        <table className="table">
          <thead>
            <tr><th>#</th><th>State</th><th>Server</th><th>Backend</th><th>Operations</th><th>Exit</th><th>Duration</th><th>Created</th></tr>
          </thead>
          <tbody>
            {logs.map((l) => (
              <tr key={l.id}>
                <td><Link className="link font-mono" href={`/logs/${l.id}`}>{l.id}</Link></td>
                <td><StateBadge state={l.state} /></td>
                <td><Link className="link" href={`/servers/${l.server.id}`}>{l.server.name}</Link></td>
                <td className="font-mono text-xs">{l.backend}</td>
                <td>{l._count.operations}</td>
                <td className="font-mono">{l.exitCode ?? "—"}</td>
                <td>{duration(l.startedAt, l.finishedAt)}</td>
                <td className="text-xs text-slate-600">{formatDate(l.createdAt)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <div className="mt-3 flex gap-3">
        {filters.before && <Link className="btn-secondary" href={`/logs${query({})}`}>Newest</Link>}
        {nextBefore && <Link className="btn-secondary" href={`/logs${query({ before: nextBefore })}`}>Older →</Link>}
      </div>
    </>
  );
}
