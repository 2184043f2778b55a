import { notFound } from "next/navigation";
import { requireUser } from "@/lib/session";
import { db } from "@/lib/db";
import { backendChoices, fetchRoute, fetchServerChoices } from "@/lib/data/routes";
import { idParam } from "@/lib/schemas/common";
import { PageHeader } from "@/app/ui/page-header";
import { ActionButton } from "@/app/ui/confirm-button";
import { RouteForm } from "../route-form";
import { deleteRoute, previewRoute, updateRoute } from "../actions";

export default async function EditRoutePage({ params }: { params: Promise<{ id: string }> }) {
  await requireUser("admin");
  const id = idParam.safeParse((await params).id);
  if (!id.success) notFound();
  const route = await fetchRoute(db, id.data);
  if (!route) notFound();
  return (
    <>
      <PageHeader title={`Route #${route.id}`}>
        <ActionButton action={deleteRoute} fields={{ id: route.id }} label="Delete route" className="btn-danger" confirm="Delete this route?" />
      </PageHeader>
      <RouteForm
        action={updateRoute}
        preview={previewRoute}
        route={route}
        backends={backendChoices()}
        servers={await fetchServerChoices(db)}
      />
    </>
  );
}
