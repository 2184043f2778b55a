import Link from "next/link";
import type { Leftover, Pair } from "@/lib/orchestration/convergence";
import { formatDate } from "./page-header";
import { StateBadge } from "./state-badge";
import { ChooseForm } from "./choose-form";
import { convergeChosen } from "@/app/(admin)/convergence/actions";
import { serviceByModel } from "@/lib/services";

const ref = (p: { serverId: number; backend: string; model: string; objectId: string }) => `${p.serverId}:${p.backend}:${p.model}:${p.objectId}`;

function objectLink(model: string, objectId: string, label: string) {
  const service = serviceByModel(model);
  return service ? <Link className="link font-mono" href={`/services/${service.slug}/${objectId}`}>{label}</Link> : <span className="font-mono">{label}</span>;
}

/** (server, object) pairs with their convergence state; operators choose pairs to re-apply, leftovers to remove. */
export function PairsTable({ pairs, leftovers, back, operator, limit = 500 }: { pairs: Pair[]; leftovers: Leftover[]; back: string; operator: boolean; limit?: number }) {
  const shown = pairs.slice(0, limit);
  const table = (
    <table className="table" data-testid="pairs">
      <thead><tr>{operator && <th className="w-6"><span className="sr-only">Choose</span></th>}<th>Object</th><th>Server</th><th>Backend</th><th>State</th><th>Why</th><th>Applied</th></tr></thead>
      <tbody>
        {shown.map((p) => (
          <tr key={ref(p)} data-pair={`${p.server}/${p.label}`}>
            {operator && <td><input type="checkbox" name="pairs" value={ref(p)} data-choose aria-label={`Choose ${p.label} on ${p.server}`} /></td>}
            <td>{objectLink(p.model, p.objectId, p.label)}</td>
            <td><Link className="link" href={`/servers/${p.serverId}`}>{p.server}</Link></td>
            <td className="font-mono text-xs">{p.backend}</td>
            <td><StateBadge state={p.state} /></td>
            <td className="text-xs">{p.operationId && p.state !== "in sync" ? <Link className="link" href={`/operations/${p.operationId}`}>{p.detail}</Link> : p.detail}</td>
            <td className="text-xs text-slate-500">{formatDate(p.appliedAt)}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
  const leftoverTable = (
    <table className="table" data-testid="leftovers">
      <thead><tr>{operator && <th className="w-6"><span className="sr-only">Choose</span></th>}<th>Object</th><th>Server</th><th>Backend</th><th>Applied</th></tr></thead>
      <tbody>
        {leftovers.map((l) => (
          <tr key={ref(l)}>
            {operator && <td><input type="checkbox" name="leftovers" value={ref(l)} data-choose aria-label={`Choose leftover ${l.label} on ${l.server}`} /></td>}
            <td>{objectLink(l.model, l.objectId, l.label)}</td>
            <td><Link className="link" href={`/servers/${l.serverId}`}>{l.server}</Link></td>
            <td className="font-mono text-xs">{l.backend}</td>
            <td className="text-xs text-slate-500">{formatDate(l.appliedAt)}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
  return (
    <>
      {pairs.length === 0 ? <p className="text-slate-500">No route selects anything here.</p> : operator ? (
        <ChooseForm action={convergeChosen} fields={{ back }} label="Re-apply chosen" testId="pairs-form">{table}</ChooseForm>
      ) : table}
      {pairs.length > shown.length && <p className="mt-1 text-xs text-slate-500">{pairs.length - shown.length} more not shown: narrow the view with the filters.</p>}
      {leftovers.length > 0 && (
        <section className="mt-4">
          <h2 className="mb-1 font-semibold">Leftovers</h2>
          <p className="mb-2 text-slate-600">Applied on a server that no route sends them to any more (a route changed, or the object was deleted while the server was out of reach).</p>
          {operator ? <ChooseForm action={convergeChosen} fields={{ back }} label="Remove chosen from their servers" confirm="Remove the chosen leftovers from their servers?" testId="leftovers-form">{leftoverTable}</ChooseForm> : leftoverTable}
        </section>
      )}
    </>
  );
}
