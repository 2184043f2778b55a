import { notFound } from "next/navigation";
import { requireUser } from "@/lib/session";
import { serviceBySlug } from "@/lib/services";
import { PageHeader } from "@/app/ui/page-header";
import { ServiceForm } from "@/app/ui/service-form";
import { saveServiceObject } from "../../actions";

export default async function NewServiceObjectPage({ params }: { params: Promise<{ service: string }> }) {
  await requireUser("operator");
  const service = serviceBySlug((await params).service);
  if (!service) notFound();
  return (
    <>
      <PageHeader title={`Add ${service.singular}`} />
      <ServiceForm slug={service.slug} fields={service.fields} action={saveServiceObject} submitLabel={`Add ${service.singular}`} />
    </>
  );
}
