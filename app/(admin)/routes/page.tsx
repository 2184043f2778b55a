import Link from "next/link";
import type { Metadata } from "next";
import { db } from "@/lib/db";
import { fetchRoutes } from "@/lib/data/routes";
import { requireUser } from "@/lib/session";
import { hasRole } from "@/lib/roles";
import { Empty, PageHeader } from "@/app/ui/page-header";
import { ActionButton } from "@/app/ui/confirm-button";
import { toggleRoute } from "./actions";

export const metadata: Metadata = { title: "Routes" };

export default async function RoutesPage() {
  const user = await requireUser();
  const admin = hasRole(user.role, "admin");
  const routes = await fetchRoutes(db);
  const byBackend = new Map<string, typeof routes>();
  for (const r of routes) byBackend.set(r.backend, [...(byBackend.get(r.backend) ?? []), r]);
  return (
    <>
      <PageHeader title="Routes">
        {admin && <Link className="btn" href="/routes/new">Add route</Link>}
      </PageHeader>
      {routes.length === 0 && <Empty>No routes: nothing runs anywhere until a backend is routed to a server.</Empty>}
      {[...byBackend.entries()].map(([backend, list]) => (
        <section key={backend} className="mb-5">
          <h2 className="mb-1 font-mono font-semibold">{backend}</h2>
          <table className="table">
            <thead>
              <tr><th>Server</th><th>Match</th><th>Execution</th><th>State</th><th /></tr>
            </thead>
            <tbody>
              {list.map((r) => (
                <tr key={r.id} data-testid={`route-${r.id}`}>
                  <td><Link className="link" href={`/servers/${r.server.id}`}>{r.server.name}</Link></td>
                  <td className="font-mono text-xs">{r.match}</td>
                  <td>{r.async ? "async" : r.asyncActions.length ? `async: ${r.asyncActions.join(", ")}` : "sync"}</td>
                  <td>{r.active ? <span className="text-emerald-700">active</span> : <span className="text-slate-500">disabled</span>}</td>
                  <td className="space-x-2 text-right whitespace-nowrap">
                    {admin && <ActionButton action={toggleRoute} fields={{ id: r.id }} label={r.active ? "Disable" : "Enable"} />}
                    {admin && <Link className="btn-secondary" href={`/routes/${r.id}`}>Edit</Link>}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </section>
      ))}
    </>
  );
}
