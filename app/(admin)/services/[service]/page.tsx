import Link from "next/link";
import { notFound } from "next/navigation";
import type { Metadata } from "next";
import { db } from "@/lib/db";
import { fetchLatestStates, fetchServiceList, listHref, parseListQuery } from "@/lib/data/services";
import { requireUser } from "@/lib/session";
import { hasRole } from "@/lib/roles";
import { serviceBySlug } from "@/lib/services";
import { Empty, PageHeader } from "@/app/ui/page-header";
import { Filters, Select } from "@/app/ui/filters";
import { StateBadge } from "@/app/ui/state-badge";
import { BulkForm, type BulkButton } from "@/app/ui/bulk-form";
import { deleteServiceObjects, runOnServers } from "../actions";

type Props = { params: Promise<{ service: string }>; searchParams: Promise<Record<string, string | string[] | undefined>> };

export async function generateMetadata({ params }: Props): Promise<Metadata> {
  return { title: serviceBySlug((await params).service)?.title ?? "Services" };
}

function cell(value: unknown) {
  if (typeof value === "boolean") return value ? "yes" : "no";
  return value === null || value === undefined || value === "" ? "—" : String(value);
}

export default async function ServiceListPage({ params, searchParams }: Props) {
  const user = await requireUser();
  const service = serviceBySlug((await params).service);
  if (!service) notFound();
  const query = parseListQuery(service, await searchParams);
  const { objects, total, next } = await fetchServiceList(db, service, query);
  const latest = await fetchLatestStates(db, service.model, objects.map((o) => o.id as number));
  const operator = hasRole(user.role, "operator");
  const buttons: BulkButton[] = [
    { key: "reapply", label: "Re-apply on servers", action: "run", fields: { command: "" }, confirm: `Run the current state of {n} ${service.title.toLowerCase()} on their servers?` },
    ...service.backends.flatMap((b) =>
      Object.entries(b.commands ?? {}).map(([name, c]) => ({ key: `${b.name}:${name}`, label: c.title, action: "run" as const, fields: { command: `${b.name}:${name}` }, confirm: c.confirm ?? `${c.title} for {n} ${service.title.toLowerCase()}?` })),
    ),
    { key: "delete", label: "Delete", action: "delete", fields: {}, danger: true, confirm: `Delete {n} ${service.title.toLowerCase()} on every server they are routed to?` },
  ];
  const filtered = Boolean(query.q || Object.keys(query.filters).length);
  const table = (
    <table className="table" data-testid="service-list">
      <thead>
        <tr>
          {operator && <th className="w-6"><span className="sr-only">Choose</span></th>}
          {service.list.columns.map((c) => <th key={c.label}>{c.label}</th>)}
          <th>Last operation</th>
        </tr>
      </thead>
      <tbody>
        {objects.map((o) => {
          const state = latest.get(String(o.id));
          const label = service.label(o);
          return (
            <tr key={String(o.id)}>
              {operator && <td><input type="checkbox" name="ids" value={String(o.id)} aria-label={`Choose ${label}`} /></td>}
              {service.list.columns.map((c, i) => (
                <td key={c.label} className={c.mono ? "font-mono text-xs" : undefined}>
                  {i === 0 ? <Link className="link font-mono" href={`/services/${service.slug}/${o.id}`}>{cell(c.value(o))}</Link> : cell(c.value(o))}
                </td>
              ))}
              <td>{state ? <Link href={`/operations?model=${service.model}&object=${o.id}`}><StateBadge state={state} /></Link> : "—"}</td>
            </tr>
          );
        })}
      </tbody>
    </table>
  );
  return (
    <>
      <PageHeader title={service.title}>
        {operator && <Link className="btn" href={`/services/${service.slug}/new`}>Add {service.singular}</Link>}
      </PageHeader>
      <Filters reset={`/services/${service.slug}`}>
        <label className="text-xs">
          <span className="mb-0.5 block text-slate-600">Search</span>
          <input className="input w-64" type="search" name="q" defaultValue={query.q} placeholder={`Search ${service.title.toLowerCase()}`} />
        </label>
        {(service.list.filters ?? []).map((f) => (
          <Select key={f.name} name={`f.${f.name}`} label={f.label} value={query.filters[f.name]} options={f.options.map(({ value, label }) => ({ value, label }))} />
        ))}
        <label className="text-xs">
          <span className="mb-0.5 block text-slate-600">Sort by</span>
          <select name="sort" defaultValue={query.sort} className="input w-36">
            {service.list.sorts.map((s) => <option key={s.field} value={s.field}>{s.label}</option>)}
          </select>
        </label>
        <label className="text-xs">
          <span className="mb-0.5 block text-slate-600">Order</span>
          <select name="dir" defaultValue={query.dir} className="input w-32">
            <option value="asc">ascending</option>
            <option value="desc">descending</option>
          </select>
        </label>
      </Filters>
      <p className="mb-2 text-slate-600" data-testid="list-count">
        {total.toLocaleString("en")} {filtered ? "matching" : total === 1 ? service.singular : service.title.toLowerCase()}
        {total > objects.length && `, ${objects.length} on this page`}
      </p>
      {objects.length === 0 ? (
        <Empty>{filtered ? `No ${service.title.toLowerCase()} match.` : `No ${service.title.toLowerCase()} yet.`}</Empty>
      ) : operator ? (
        <BulkForm slug={service.slug} back={listHref(service, query)} buttons={buttons} run={runOnServers} remove={deleteServiceObjects}>{table}</BulkForm>
      ) : (
        table
      )}
      <nav className="mt-3 flex gap-4" aria-label="Pages">
        {query.after && <Link className="link" href={listHref(service, query, { after: null })}>← First page</Link>}
        {next && <Link className="link" href={listHref(service, query, { after: next })}>Next page →</Link>}
      </nav>
    </>
  );
}
