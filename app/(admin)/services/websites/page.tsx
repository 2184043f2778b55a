import Link from "next/link";
import type { Metadata } from "next";
import { db } from "@/lib/db";
import { fetchLatestStates } from "@/lib/data/operations";
import { requireUser } from "@/lib/session";
import { hasRole } from "@/lib/roles";
import { Empty, PageHeader } from "@/app/ui/page-header";
import { StateBadge } from "@/app/ui/state-badge";

export const metadata: Metadata = { title: "Websites" };

export default async function WebsitesPage() {
  const user = await requireUser();
  const sites = await db.website.findMany({ orderBy: { name: "asc" }, include: { domains: { orderBy: { name: "asc" } } }, take: 500 });
  const latest = await fetchLatestStates("Website", sites.map((x) => x.id));
  return (
    <>
      <PageHeader title="Websites">
        {hasRole(user.role, "operator") && <Link className="btn" href="/services/websites/new">Add website</Link>}
      </PageHeader>
      {sites.length === 0 ? <Empty>No websites yet.</Empty> : (
        <table className="table">
          <thead><tr><th>Name</th><th>Domains</th><th>Enabled</th><th>Last operation</th></tr></thead>
          <tbody>
            {sites.map((s) => {
              const state = latest.get(String(s.id));
              return (
                <tr key={s.id}>
                  <td><Link className="link font-mono" href={`/services/websites/${s.id}`}>{s.name}</Link></td>
                  <td className="font-mono text-xs">{s.domains.map((d) => d.name).join(" ") || <span className="text-amber-700">none</span>}</td>
                  <td>{s.enabled ? "yes" : "no"}</td>
                  <td>{state ? <Link href={`/operations?model=Website&object=${s.id}`}><StateBadge state={state} /></Link> : "—"}</td>
                </tr>
              );
            })}
          </tbody>
        </table>
      )}
    </>
  );
}
