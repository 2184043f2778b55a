import Link from "next/link";
import { notFound } from "next/navigation";
import { db } from "@/lib/db";
import { fetchOperation } from "@/lib/data/operations";
import { requireUser } from "@/lib/session";
import { idParam } from "@/lib/schemas/common";
import { PageHeader, formatDate } from "@/app/ui/page-header";
import { StateBadge } from "@/app/ui/state-badge";
import { SnapshotDiff } from "@/app/ui/snapshot-diff";
import { ActionButton } from "@/app/ui/confirm-button";
import { hasRole } from "@/lib/roles";
import { revokeOperation } from "../actions";
import { engine } from "@/lib/orchestra";
import type { Snapshot } from "@/lib/orchestration/types";

export default async function OperationPage({ params }: { params: Promise<{ id: string }> }) {
  const user = await requireUser();
  const id = idParam.safeParse((await params).id);
  if (!id.success) notFound();
  const op = await fetchOperation(db, id.data);
  if (!op) notFound();
  return (
    <>
      <PageHeader title={`Operation #${op.id}`}>
        {hasRole(user.role, "operator") && (op.state === "PENDING" || op.state === "FAILURE") && (
          <ActionButton action={revokeOperation} fields={{ id: op.id }} label="Revoke" confirm="Revoke this operation? It will not run again." />
        )}
      </PageHeader>
      <p className="mb-3">
        <StateBadge state={op.state} /> {op.action} {op.model} <strong>{op.objectLabel}</strong> (#{op.objectId}) with <span className="font-mono">{op.backend}</span> on{" "}
        <Link className="link" href={`/servers/${op.server.id}`}>{op.server.name}</Link> · {op.async ? "async" : "sync"} · attempts {op.attempts}{op.state === "PENDING" && op.runAfter > new Date() ? ` · next try ${formatDate(op.runAfter)}` : ""} · unit of work <span className="font-mono text-xs">{op.unitOfWork}</span> · {formatDate(op.createdAt)}
      </p>
      <h2 className="mb-1 font-semibold">Script logs</h2>
      <ul className="mb-4">
        {op.scriptLogs.length === 0 && <li className="text-slate-500">Not run yet.</li>}
        {op.scriptLogs.map((l) => (
          <li key={l.scriptLogId}><Link className="link" href={`/logs/${l.scriptLogId}`}>#{l.scriptLogId}</Link> <StateBadge state={l.scriptLog.state} /> {formatDate(l.scriptLog.createdAt)}</li>
        ))}
      </ul>
      <h2 className="mb-1 font-semibold">Snapshot</h2>
      <SnapshotDiff before={op.before} after={op.after} secret={engine.registry.has(op.backend) ? (engine.registry.get(op.backend).secretFields ?? []) : []} />
    </>
  );
}
