import Link from "next/link";
import type { Metadata } from "next";
import { db } from "@/lib/db";
import { fetchLatestStates } from "@/lib/data/operations";
import { requireUser } from "@/lib/session";
import { hasRole } from "@/lib/roles";
import { Empty, PageHeader } from "@/app/ui/page-header";
import { StateBadge } from "@/app/ui/state-badge";

export const metadata: Metadata = { title: "System users" };

export default async function SystemUsersPage() {
  const user = await requireUser();
  const users = await db.systemUser.findMany({ orderBy: { username: "asc" }, take: 500, omit: { passwordHash: true } });
  // Latest operation state per object, from the outbox.
  const latest = await fetchLatestStates("SystemUser", users.map((x) => x.id));
  return (
    <>
      <PageHeader title="System users">
        {hasRole(user.role, "operator") && <Link className="btn" href="/services/system-users/new">Add system user</Link>}
      </PageHeader>
      {users.length === 0 ? <Empty>No system users yet.</Empty> : (
        <table className="table">
          <thead><tr><th>Username</th><th>UID</th><th>Shell</th><th>Groups</th><th>Active</th><th>Last operation</th></tr></thead>
          <tbody>
            {users.map((u) => {
              const state = latest.get(String(u.id));
              return (
                <tr key={u.id}>
                  <td><Link className="link font-mono" href={`/services/system-users/${u.id}`}>{u.username}</Link></td>
                  <td>{u.uid ?? "auto"}</td>
                  <td className="font-mono text-xs">{u.shell}</td>
                  <td className="font-mono text-xs">{(u.groups as string[]).join(", ")}</td>
                  <td>{u.active ? "yes" : "no"}</td>
                  <td>{state ? <Link href={`/operations?model=SystemUser&object=${u.id}`}><StateBadge state={state} /></Link> : "—"}</td>
                </tr>
              );
            })}
          </tbody>
        </table>
      )}
    </>
  );
}
