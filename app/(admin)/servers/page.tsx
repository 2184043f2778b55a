import Link from "next/link";
import type { Metadata } from "next";
import { db } from "@/lib/db";
import { fetchServers } from "@/lib/data/servers";
import { requireUser } from "@/lib/session";
import { hasRole } from "@/lib/roles";
import { Empty, PageHeader, formatDate } from "@/app/ui/page-header";
import { StateBadge } from "@/app/ui/state-badge";

export const metadata: Metadata = { title: "Servers" };

export default async function ServersPage({ searchParams }: { searchParams: Promise<{ archived?: string }> }) {
  const user = await requireUser();
  const archived = (await searchParams).archived === "1";
  const servers = await fetchServers(db, { archived });
  return (
    <>
      <PageHeader title="Servers">
        <Link className="link self-center" href={archived ? "/servers" : "/servers?archived=1"}>
          {archived ? "Hide archived" : "Show archived"}
        </Link>
        {hasRole(user.role, "admin") && (
          <Link className="btn" href="/servers/new">
            Add server
          </Link>
        )}
      </PageHeader>
      {servers.length === 0 ? (
        <Empty>No servers yet.</Empty>
      ) : (
        <table className="table">
          <thead>
            <tr>
              <th>Name</th>
              <th>Address</th>
              <th>OS</th>
              <th>Host key</th>
              <th>Last run</th>
              <th>Failures (24 h)</th>
            </tr>
          </thead>
          <tbody>
            {servers.map((s) => (
              <tr key={s.id}>
                <td>
                  <Link className="link font-medium" href={`/servers/${s.id}`}>
                    {s.name}
                  </Link>
                  {s.archivedAt && <span className="ml-2 rounded bg-slate-100 px-1.5 py-0.5 text-xs text-slate-600">archived</span>}
                </td>
                <td className="font-mono">
                  {s.sshUser}@{s.address}:{s.port}
                </td>
                <td>{s.os}</td>
                <td className="font-mono text-xs">{s.hostKeyFingerprint ? "pinned" : <span className="text-amber-700">not yet pinned</span>}</td>
                <td>{s.lastRun ? <><StateBadge state={s.lastRun.state} /> <span className="text-xs text-slate-500">{formatDate(s.lastRun.createdAt)}</span></> : "—"}</td>
                <td className={s.failures24h ? "font-semibold text-red-700" : ""}>{s.failures24h}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </>
  );
}
