import { requireUser } from "@/lib/session";
import { db } from "@/lib/db";
import { backendChoices, fetchServerChoices } from "@/lib/data/routes";
import { PageHeader } from "@/app/ui/page-header";
import { RouteForm } from "../route-form";
import { createRoute, previewRoute } from "../actions";

export default async function NewRoutePage() {
  await requireUser("admin");
  return (
    <>
      <PageHeader title="Add route" />
      <RouteForm action={createRoute} preview={previewRoute} backends={backendChoices()} servers={await fetchServerChoices(db)} />
    </>
  );
}
