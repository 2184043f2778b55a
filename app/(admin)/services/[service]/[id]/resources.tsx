import { db } from "@/lib/db";
import { fetchObjectResources } from "@/lib/data/resources";
import { formatValue } from "@/lib/orchestration/monitors";
import type { Service } from "@/lib/services/kit";
import { formatDate } from "@/app/ui/page-header";
import { ActionButton } from "@/app/ui/confirm-button";
import { ResourceChart } from "@/app/ui/resource-chart";
import { ResourceLimitForm } from "@/app/ui/resource-limit-form";
import { measureNow, setResourceLimit } from "../../resource-actions";

/** The object's monitored resources: value, limit and state, a chart of the last 30 days, Measure now. */
export async function ResourcesSection({ service, id, operator }: { service: Service; id: number; operator: boolean }) {
  const resources = await fetchObjectResources(db, service.model, service.resources ?? [], id);
  if (resources.length === 0) return null;
  return (
    <section aria-labelledby="resources" data-testid="resources">
      <div className="mt-4 mb-2 flex items-center justify-between">
        <h2 id="resources" className="font-semibold">Resources</h2>
        {operator && <ActionButton action={measureNow} fields={{ service: service.slug, id }} label="Measure now" />}
      </div>
      {resources.map((r) => (
        <div key={r.spec.name} className="mb-4 rounded border border-slate-200 bg-white p-3" data-testid={`resource-${r.spec.name}`}>
          <div className="flex flex-wrap items-baseline justify-between gap-2">
            <h3 className="font-medium" title={r.spec.description}>{r.spec.title}</h3>
            <span data-testid="resource-value">
              {r.value === null ? <span className="text-slate-500">not measured</span> : <span className="font-mono">{formatValue(r.value)} {r.spec.unit}</span>}
              {r.exceededAt ? (
                <span className="ml-2 rounded bg-red-100 px-1.5 py-0.5 text-xs font-medium text-red-800" title={`since ${formatDate(r.exceededAt)}`}>exceeded</span>
              ) : r.limit !== null && r.value !== null ? (
                <span className="ml-2 rounded bg-emerald-100 px-1.5 py-0.5 text-xs font-medium text-emerald-800">within limit</span>
              ) : null}
            </span>
          </div>
          <p className="mb-2 text-xs text-slate-500">
            {r.spec.description}
            {r.measuredAt && ` Measured ${formatDate(r.measuredAt)}.`}
            {r.spec.exceeded && ` Over the limit: ${r.spec.exceeded.title.toLowerCase()}${r.spec.recovery ? `; back under: ${r.spec.recovery.title.toLowerCase()}` : ""}.`}
          </p>
          <ResourceChart series={r.series} limit={r.limit} unit={r.spec.unit} title={r.spec.title} />
          <div className="mt-2">
            <ResourceLimitForm
              action={setResourceLimit}
              service={service.slug}
              id={id}
              resource={r.spec.name}
              unit={r.spec.unit}
              limit={r.ownLimit}
              placeholder={r.spec.defaultLimit != null ? `default ${r.spec.defaultLimit}` : "none"}
              disabled={!operator}
            />
          </div>
        </div>
      ))}
    </section>
  );
}
