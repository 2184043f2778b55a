import Link from "next/link";
import type { Metadata } from "next";
import { db } from "@/lib/db";
import { fetchAuditChoices, fetchAuditLog, parseAuditFilters } from "@/lib/data/audit";
import { requireUser } from "@/lib/session";
import { Empty, PageHeader, formatDate } from "@/app/ui/page-header";
import { Filters, Select } from "@/app/ui/filters";

export const metadata: Metadata = { title: "Audit log" };

// Admins only: it names every account and what each one changed.
export default async function AuditPage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  await requireUser("admin");
  const filters = parseAuditFilters(await searchParams);
  const [{ entries, nextBefore }, choices] = await Promise.all([fetchAuditLog(db, filters), fetchAuditChoices(db)]);
  const query = (extra: Record<string, string | number | undefined>) =>
    "?" + new URLSearchParams(Object.entries({ entity: filters.entity, user: filters.user, id: filters.entityId, ...extra }).filter(([, v]) => v !== undefined && v !== "").map(([k, v]) => [k, String(v)])).toString();
  return (
    <>
      <PageHeader title="Audit log" />
      <Filters reset="/audit">
        <Select name="entity" label="Entity" value={filters.entity} options={choices.entities.map((e) => ({ value: e, label: e }))} />
        <Select name="user" label="User" value={filters.user} options={choices.users.map((u) => ({ value: u, label: u }))} />
        {filters.entityId && <input type="hidden" name="id" value={filters.entityId} />}
      </Filters>
      {entries.length === 0 ? (
        <Empty>No changes recorded{filters.entity || filters.user || filters.entityId ? " match these filters" : " yet"}.</Empty>
      ) : (
        <table className="table" data-testid="audit-table">
          <thead>
            <tr><th>When</th><th>Who</th><th>Action</th><th>Entity</th><th>What</th><th>Changes</th></tr>
          </thead>
          <tbody>
            {entries.map((e) => (
              <tr key={e.id} data-testid="audit-entry">
                <td className="whitespace-nowrap text-xs text-slate-600">{formatDate(e.createdAt)}</td>
                <td>{e.userEmail || "—"}</td>
                <td><span className="rounded bg-slate-100 px-1.5 py-0.5 text-xs">{e.action}</span></td>
                <td>
                  <Link className="link" href={`/audit${query({ entity: e.entity, id: e.entityId, before: undefined })}`}>{e.entity} #{e.entityId}</Link>
                </td>
                <td>{e.summary}</td>
                <td>
                  <details>
                    <summary className="cursor-pointer text-xs text-slate-600">{e.changes.length} field{e.changes.length === 1 ? "" : "s"}</summary>
                    <table className="mt-1 text-xs">
                      <tbody>
                        {e.changes.map((c) => (
                          <tr key={c.field}>
                            <td className="pr-2 font-mono">{c.field}</td>
                            <td className="max-w-xs break-all pr-2 text-red-700">{c.before}</td>
                            <td className="max-w-xs break-all text-emerald-700">{c.after}</td>
                          </tr>
                        ))}
                      </tbody>
                    </table>
                  </details>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <div className="mt-3 flex gap-3">
        {filters.before && <Link className="btn-secondary" href={`/audit${query({})}`}>Newest</Link>}
        {nextBefore && <Link className="btn-secondary" href={`/audit${query({ before: nextBefore })}`}>Older →</Link>}
      </div>
    </>
  );
}
