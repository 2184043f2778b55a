import Link from "next/link";
import type { Metadata } from "next";
import { db } from "@/lib/db";
import { fetchFailureMatrix } from "@/lib/data/dashboard";
import { requireUser } from "@/lib/session";
import { Empty, PageHeader } from "@/app/ui/page-header";

export const metadata: Metadata = { title: "Failures" };

export default async function FailuresPage() {
  await requireUser();
  const { servers, backends, cell } = await fetchFailureMatrix(db, 7);
  return (
    <>
      <PageHeader title="Failures by server and backend (7 days)" />
      {backends.length === 0 ? <Empty>No runs in the last 7 days.</Empty> : (
        <table className="table">
          <thead><tr><th>Server</th>{backends.map((b) => <th key={b} className="font-mono">{b}</th>)}</tr></thead>
          <tbody>
            {servers.map((s) => (
              <tr key={s.id}>
                <td><Link className="link" href={`/servers/${s.id}`}>{s.name}</Link></td>
                {backends.map((b) => {
                  const c = cell(s.id, b);
                  return (
                    <td key={b}>
                      {c.total === 0 ? <span className="text-slate-400">—</span> : (
                        <Link className={c.failed ? "font-semibold text-red-700" : "text-emerald-700"} href={`/logs?server=${s.id}&backend=${b}${c.failed ? "&state=FAILURE" : ""}`}>
                          {c.failed} / {c.total} failed
                        </Link>
                      )}
                    </td>
                  );
                })}
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </>
  );
}
