import Link from "next/link";
import { notFound } from "next/navigation";
import { fetchServerDetail } from "@/lib/data/servers";
import { db } from "@/lib/db";
import { requireUser } from "@/lib/session";
import { hasRole } from "@/lib/roles";
import { idParam, variablesToText } from "@/lib/schemas/common";
import { PageHeader, formatDate } from "@/app/ui/page-header";
import { ActionButton } from "@/app/ui/confirm-button";
import { StateBadge } from "@/app/ui/state-badge";
import { ServerForm } from "../server-form";
import { ServerVariables } from "@/app/ui/server-variables";
import { engine } from "@/lib/orchestra";
import { serverInfo } from "@/lib/orchestration/types";
import { variablesReport } from "@/lib/services/variables";
import { convergence, countStates } from "@/lib/orchestration/convergence";
import { deleteServer, forgetHostKey, installAgent, restoreServer, testConnection, updateServer } from "../actions";
import { headers } from "next/headers";
import { loadEnv } from "@/lib/env";
import { isRegistry } from "@/lib/orchestration/registry";

/** Orchestra's address as agents reach it: the setting, else the address this page was asked on. */
async function agentUrl(): Promise<string> {
  const configured = loadEnv().ORCHESTRA_AGENT_URL;
  if (configured) return configured;
  const h = await headers();
  return `${h.get("x-forwarded-proto") ?? "http"}://${h.get("x-forwarded-host") ?? h.get("host") ?? "localhost"}`;
}

export default async function ServerPage({ params }: { params: Promise<{ id: string }> }) {
  const user = await requireUser();
  const id = idParam.safeParse((await params).id);
  if (!id.success) notFound();
  const server = await fetchServerDetail(db, id.data);
  if (!server) notFound();
  const admin = hasRole(user.role, "admin");
  const converged = await convergence(engine, { serverId: server.id });
  const report = variablesReport(engine.registry, server.routes.filter((r) => r.active).map((r) => r.backend), serverInfo(server).variables);
  const pulls = server.routes.some((r) => r.active && engine.registry.has(r.backend) && isRegistry(engine.registry.get(r.backend)));
  const url = admin ? await agentUrl() : "";
  return (
    <>
      <PageHeader title={`Server ${server.name}`}>
        {hasRole(user.role, "operator") && <ActionButton action={testConnection} fields={{ id: server.id }} label="Test connection" showSuccess />}
        {admin && server.archivedAt && <ActionButton action={restoreServer} fields={{ id: server.id }} label="Restore server" />}
        {admin && !server.archivedAt && (
          <ActionButton
            action={deleteServer}
            fields={{ id: server.id }}
            label="Delete server"
            className="btn-danger"
            confirm={
              server._count.operations + server._count.scriptLogs > 0
                ? `Server ${server.name} has run history: it will be archived (history kept, routes turned off), not deleted. Continue?`
                : `Delete server ${server.name} and its routes?`
            }
          />
        )}
      </PageHeader>
      {server.archivedAt && (
        <p data-testid="archived-banner" className="mb-4 rounded border border-amber-200 bg-amber-50 px-3 py-2 text-amber-800">
          Archived on {formatDate(server.archivedAt)}: hidden from lists, no routes run here; its history is kept.
        </p>
      )}
      <div className="grid gap-6 lg:grid-cols-[2fr_1fr]">
        <section>
          <ServerForm
            action={updateServer}
            disabled={!admin}
            server={{ ...server, variables: variablesToText(server.variables) }}
          />
        </section>
        <aside className="space-y-4">
          <div className="rounded border border-slate-200 bg-white p-3">
            <h2 className="mb-1 font-semibold">Host key</h2>
            <p className="break-all font-mono text-xs" data-testid="host-key">
              {server.hostKeyFingerprint ?? "Not pinned yet: the first connection records the key it is offered."}
            </p>
            {admin && server.hostKeyFingerprint && (
              <div className="mt-2">
                <ActionButton action={forgetHostKey} fields={{ id: server.id }} label="Forget key" confirm="Forget the pinned host key? The next connection will trust whatever key it is offered." />
              </div>
            )}
          </div>
          <div className="rounded border border-slate-200 bg-white p-3">
            <h2 className="mb-1 font-semibold">Routes</h2>
            {server.routes.length === 0 ? <p className="text-slate-500">No routes.</p> : (
              <ul>{server.routes.map((r) => <li key={r.id} className="font-mono text-xs">{r.backend} <span className="text-slate-500">{r.match}</span>{r.active ? "" : " (inactive)"}</li>)}</ul>
            )}
          </div>
          <div className="rounded border border-slate-200 bg-white p-3" data-testid="server-convergence">
            <h2 className="mb-1 font-semibold">Convergence</h2>
            <p className="flex flex-wrap gap-2">
              {Object.entries(countStates(converged.pairs)).filter(([, n]) => n > 0).map(([state, n]) => <span key={state}><StateBadge state={state} /> {n}</span>)}
              {converged.leftovers.length > 0 && <span><StateBadge state="leftover" /> {converged.leftovers.length}</span>}
            </p>
            <Link className="link text-xs" href={`/convergence?server=${server.id}`}>Pairs of this server</Link>
          </div>
          <div className="rounded border border-slate-200 bg-white p-3" data-testid="server-agent">
            <h2 className="mb-1 font-semibold">Agent</h2>
            {server.agent?.installedAt ? (
              <dl className="grid grid-cols-[auto_1fr] gap-x-2 text-xs">
                <dt>Token</dt><dd className="font-mono">{server.agent.prefix}…</dd>
                <dt>Version</dt><dd>{server.agent.agentVersion ?? "unknown"}</dd>
                <dt>Last seen</dt><dd>{server.agent.lastSeenAt ? formatDate(server.agent.lastSeenAt) : "never"}</dd>
                <dt>Applied</dt><dd>{server.agent.appliedAt ? `${formatDate(server.agent.appliedAt)} (${server.agent.appliedEtag?.slice(0, 8)})` : "nothing yet"}</dd>
              </dl>
            ) : (
              <p className="text-slate-500">{pulls ? "Not installed: this server has registry routes, whose configuration its agent pulls." : "Not installed. Servers run it for registry backends (pulled configuration)."}</p>
            )}
            {admin && !server.archivedAt && (
              <div className="mt-2">
                <ActionButton
                  action={installAgent}
                  fields={{ id: server.id, url }}
                  label={server.agent?.installedAt ? "Upgrade agent" : "Install agent"}
                  confirm={`Install the agent on ${server.name} over SSH, pulling from ${url}? A new token replaces the old one.`}
                  showSuccess
                />
              </div>
            )}
          </div>
          <ServerVariables {...report} />
          <div className="rounded border border-slate-200 bg-white p-3">
            <h2 className="mb-1 font-semibold">Recent script logs</h2>
            {server.scriptLogs.length === 0 ? <p className="text-slate-500">No runs yet.</p> : (
              <ul className="space-y-0.5">
                {server.scriptLogs.map((l) => (
                  <li key={l.id}><Link className="link" href={`/logs/${l.id}`}>#{l.id}</Link> <StateBadge state={l.state} /> {l.backend} <span className="text-xs text-slate-500">{formatDate(l.createdAt)}</span></li>
                ))}
              </ul>
            )}
          </div>
        </aside>
      </div>
    </>
  );
}
