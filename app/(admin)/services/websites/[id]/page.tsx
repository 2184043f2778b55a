import Link from "next/link";
import { notFound } from "next/navigation";
import { db } from "@/lib/db";
import { requireUser } from "@/lib/session";
import { hasRole } from "@/lib/roles";
import { idParam } from "@/lib/schemas/common";
import { PageHeader } from "@/app/ui/page-header";
import { ActionButton } from "@/app/ui/confirm-button";
import { WebsiteForm } from "../website-form";
import { deleteWebsite, updateWebsite } from "../actions";

export default async function WebsitePage({ params }: { params: Promise<{ id: string }> }) {
  const me = await requireUser();
  const id = idParam.safeParse((await params).id);
  if (!id.success) notFound();
  const site = await db.website.findUnique({ where: { id: id.data }, include: { domains: { orderBy: { name: "asc" } } } });
  if (!site) notFound();
  const operator = hasRole(me.role, "operator");
  return (
    <>
      <PageHeader title={`Website ${site.name}`}>
        <Link className="btn-secondary" href={`/operations?model=Website&object=${site.id}`}>Operations</Link>
        {operator && <ActionButton action={deleteWebsite} fields={{ id: site.id }} label="Delete" className="btn-danger" confirm={`Delete ${site.name}? nginx stops serving it.`} />}
      </PageHeader>
      <WebsiteForm action={updateWebsite} disabled={!operator} site={{ ...site, domains: site.domains.map((d) => d.name).join("\n") }} />
    </>
  );
}
