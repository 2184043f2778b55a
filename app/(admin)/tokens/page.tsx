import type { Metadata } from "next";
import { db } from "@/lib/db";
import { requireUser } from "@/lib/session";
import { hasRole, ROLES } from "@/lib/roles";
import { Empty, formatDate, PageHeader } from "@/app/ui/page-header";
import { ActionButton } from "@/app/ui/confirm-button";
import { TokenForm } from "./token-form";
import { makeToken, revokeToken } from "./actions";

export const metadata: Metadata = { title: "API tokens" };

export default async function TokensPage() {
  const user = await requireUser();
  const admin = hasRole(user.role, "admin");
  const tokens = await db.apiToken.findMany({
    where: admin ? {} : { userId: user.id },
    orderBy: { id: "desc" },
    select: { id: true, name: true, prefix: true, role: true, expiresAt: true, lastUsedAt: true, revokedAt: true, createdAt: true, user: { select: { email: true } } },
  });
  const now = new Date();
  return (
    <>
      <PageHeader title="API tokens" />
      <p className="mb-3 max-w-3xl text-slate-600">
        A token lets a script use the REST API (<a className="link" href="/api/v1/openapi.json">/api/v1/openapi.json</a>) as you, with a role no higher than
        yours (and never higher than your role at the time of each request). It is shown once; only its hash is kept.
      </p>
      <TokenForm action={makeToken} roles={ROLES.filter((r) => hasRole(user.role, r))} />
      <h2 className="mt-6 mb-2 font-semibold">{admin ? "Every token" : "Your tokens"}</h2>
      {tokens.length === 0 ? <Empty>No tokens yet.</Empty> : (
        <table className="table" data-testid="tokens">
          <thead><tr><th>Name</th><th>Token</th>{admin && <th>User</th>}<th>Role</th><th>Expires</th><th>Last used</th><th>State</th><th /></tr></thead>
          <tbody>
            {tokens.map((t) => {
              const state = t.revokedAt ? "revoked" : t.expiresAt <= now ? "expired" : "active";
              return (
                <tr key={t.id}>
                  <td>{t.name}</td>
                  <td className="font-mono text-xs">{t.prefix}…</td>
                  {admin && <td>{t.user.email}</td>}
                  <td>{t.role}</td>
                  <td className="text-xs">{formatDate(t.expiresAt)}</td>
                  <td className="text-xs">{formatDate(t.lastUsedAt)}</td>
                  <td>{state}</td>
                  <td>{state === "active" && <ActionButton action={revokeToken} fields={{ id: t.id }} label="Revoke" confirm={`Revoke token "${t.name}"? Scripts using it stop working.`} />}</td>
                </tr>
              );
            })}
          </tbody>
        </table>
      )}
    </>
  );
}
