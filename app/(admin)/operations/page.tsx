import Link from "next/link";
import type { Metadata } from "next";
import { db } from "@/lib/db";
import { fetchOperations, parseOperationFilters } from "@/lib/data/operations";
import { fetchFilterChoices } from "@/lib/data/logs";
import { requireUser } from "@/lib/session";
import { OPERATION_STATES } from "@/lib/orchestration/types";
import { Empty, PageHeader, formatDate } from "@/app/ui/page-header";
import { StateBadge } from "@/app/ui/state-badge";
import { Filters, Select } from "@/app/ui/filters";

export const metadata: Metadata = { title: "Operations" };

export default async function OperationsPage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  await requireUser();
  const params = await searchParams;
  const f = parseOperationFilters(params);
  const [{ operations, nextBefore }, choices] = await Promise.all([fetchOperations(db, f), fetchFilterChoices(db)]);
  const next = new URLSearchParams(Object.entries(params).filter(([k, v]) => k !== "before" && typeof v === "string" && v) as [string, string][]);
  if (nextBefore) next.set("before", String(nextBefore));
  return (
    <>
      <PageHeader title="Operations" />
      <Filters reset="/operations">
        <Select name="state" label="State" value={f.state} options={OPERATION_STATES.map((s) => ({ value: s, label: s }))} />
        <Select name="backend" label="Backend" value={f.backend} options={choices.backends.map((b) => ({ value: b, label: b }))} />
        <Select name="action" label="Action" value={f.action} options={[{ value: "save", label: "save" }, { value: "delete", label: "delete" }]} />
        <Select name="server" label="Server" value={f.serverId} options={choices.servers.map((s) => ({ value: s.id, label: s.name }))} />
        <label className="text-xs"><span className="mb-0.5 block text-slate-600">Model</span><input name="model" defaultValue={f.model} className="input w-32" /></label>
        <label className="text-xs"><span className="mb-0.5 block text-slate-600">Object id</span><input name="object" defaultValue={f.objectId} className="input w-24" /></label>
        <label className="text-xs"><span className="mb-0.5 block text-slate-600">From (UTC)</span><input type="date" name="since" defaultValue={f.since} className="input w-36" /></label>
        <label className="text-xs"><span className="mb-0.5 block text-slate-600">To (UTC)</span><input type="date" name="until" defaultValue={f.until} className="input w-36" /></label>
      </Filters>
      {operations.length === 0 ? (
        <Empty>No operations match.</Empty>
      ) : (
        <table className="table">
          <thead>
            <tr><th>#</th><th>State</th><th>Action</th><th>Object</th><th>Backend</th><th>Server</th><th>Logs</th><th>Created</th></tr>
          </thead>
          <tbody>
            {operations.map((o) => (
              <tr key={o.id}>
                <td><Link className="link font-mono" href={`/operations/${o.id}`}>{o.id}</Link></td>
                <td><StateBadge state={o.state} />{o.async && <span className="ml-1 text-xs text-slate-500">async</span>}</td>
                <td>{o.action}</td>
                <td>{o.model} <strong>{o.objectLabel}</strong> <span className="text-xs text-slate-500">#{o.objectId}</span></td>
                <td className="font-mono text-xs">{o.backend}</td>
                <td><Link className="link" href={`/servers/${o.server.id}`}>{o.server.name}</Link></td>
                <td className="space-x-1">{o.scriptLogs.map((l) => <Link key={l.scriptLogId} className="link font-mono text-xs" href={`/logs/${l.scriptLogId}`}>#{l.scriptLogId}</Link>)}</td>
                <td className="text-xs text-slate-600">{formatDate(o.createdAt)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {nextBefore && <div className="mt-3"><Link className="btn-secondary" href={`/operations?${next}`}>Older →</Link></div>}
    </>
  );
}
