import Link from "next/link";
import { notFound } from "next/navigation";
import { db } from "@/lib/db";
import { fetchObjectOnServers, fetchServiceObject } from "@/lib/data/services";
import { requireUser } from "@/lib/session";
import { hasRole } from "@/lib/roles";
import { idParam } from "@/lib/schemas/common";
import { serviceBySlug } from "@/lib/services";
import { defaultFormValues } from "@/lib/services/kit";
import { formatDate, PageHeader } from "@/app/ui/page-header";
import { ActionButton } from "@/app/ui/confirm-button";
import { ServiceForm } from "@/app/ui/service-form";
import { StateBadge } from "@/app/ui/state-badge";
import { deleteServiceObjects, runOnServers, saveServiceObject } from "../../actions";
import { engine } from "@/lib/orchestra";
import { convergence } from "@/lib/orchestration/convergence";
import { PairsTable } from "@/app/ui/pairs-table";
import { checkNow } from "@/app/(admin)/convergence/actions";
import { fetchWebsiteCertificates } from "@/lib/data/certificates";
import { CertificatesTable } from "@/app/ui/certificates-table";
import { HTTPS_LABELS, type HttpsMode } from "@/lib/services/websites/schema";
import { ResourcesSection } from "./resources";

export default async function ServiceObjectPage({ params }: { params: Promise<{ service: string; id: string }> }) {
  const me = await requireUser();
  const { service: slug, id: rawId } = await params;
  const service = serviceBySlug(slug);
  const id = idParam.safeParse(rawId);
  if (!service || !id.success) notFound();
  const found = await fetchServiceObject(db, service, id.data);
  if (!found) notFound();
  const { object, secretsSet } = found;
  const servers = await fetchObjectOnServers(db, service.model, id.data);
  const converged = await convergence(engine, { model: service.model, objectIds: [String(id.data)] });
  const certificates = service.model === "Website" ? await fetchWebsiteCertificates(db, id.data) : null;
  const operator = hasRole(me.role, "operator");
  const label = service.label(object);
  const values = service.formValues ? service.formValues(object) : defaultFormValues(service, object);
  const fields = { service: service.slug, ids: id.data, back: "object" };
  return (
    <>
      <PageHeader title={`${service.singular[0].toUpperCase()}${service.singular.slice(1)} ${label}`}>
        <Link className="btn-secondary" href={`/operations?model=${service.model}&object=${id.data}`}>Operations</Link>
        {operator && <ActionButton action={runOnServers} fields={{ ...fields, command: "" }} label="Re-apply on servers" />}
        {operator &&
          service.backends.flatMap((b) =>
            Object.entries(b.commands ?? {}).map(([name, c]) => (
              <ActionButton key={`${b.name}:${name}`} action={runOnServers} fields={{ ...fields, command: `${b.name}:${name}` }} label={c.title} confirm={c.confirm ? `${c.title} for ${label}?` : undefined} />
            )),
          )}
        {operator && <ActionButton action={deleteServiceObjects} fields={{ service: service.slug, ids: id.data }} label="Delete" className="btn-danger" confirm={`Delete ${label} on every server it is routed to?`} />}
      </PageHeader>
      <div className="grid gap-6 lg:grid-cols-[minmax(0,2fr)_minmax(0,1fr)]">
        <ServiceForm slug={service.slug} fields={service.fields} action={saveServiceObject} id={id.data} values={values} secretsSet={secretsSet} submitLabel={`Save ${service.singular}`} disabled={!operator} />
        <section aria-labelledby="on-servers">
          <h2 id="on-servers" className="mb-2 font-semibold">On servers</h2>
          {servers.length === 0 ? (
            <p className="text-slate-500">No operation yet: no route has sent it to a server.</p>
          ) : (
            <table className="table" data-testid="on-servers">
              <thead><tr><th>Server</th><th>Backend</th><th>Last operation</th></tr></thead>
              <tbody>
                {servers.map((s) => (
                  <tr key={`${s.server.id}-${s.backend}`}>
                    <td><Link className="link" href={`/servers/${s.server.id}`}>{s.server.name}</Link></td>
                    <td className="font-mono text-xs">{s.backend}</td>
                    <td>
                      <Link href={s.logId ? `/logs/${s.logId}` : `/operations/${s.operationId}`} title={formatDate(s.createdAt)}>
                        <StateBadge state={s.state} />
                      </Link>{" "}
                      <span className="text-xs text-slate-500">{s.action}</span>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
          {certificates && (
            <section aria-labelledby="https" className="mt-4">
              <h2 id="https" className="mb-2 font-semibold">HTTPS</h2>
              <p className="mb-2 text-sm" data-testid="https-state">{HTTPS_LABELS[object.https as HttpsMode] ?? String(object.https)}</p>
              {certificates.length === 0 ? (
                <p className="text-sm text-slate-500">No certificate reported by a server{object.https === "off" ? "" : " yet"}.</p>
              ) : (
                <CertificatesTable rows={certificates} testId="website-certificates" showWebsite={false} />
              )}
            </section>
          )}
          <div className="mt-4 mb-2 flex items-center justify-between">
            <h2 className="font-semibold">Convergence</h2>
            {operator && <ActionButton action={checkNow} fields={{ model: service.model, object: String(id.data), back: `/services/${service.slug}/${id.data}` }} label="Check drift" />}
          </div>
          <PairsTable pairs={converged.pairs} leftovers={converged.leftovers} back={`/services/${service.slug}/${id.data}`} operator={operator} />
          <ResourcesSection service={service} id={id.data} operator={operator} />
        </section>
      </div>
    </>
  );
}
