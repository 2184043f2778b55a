import { requireUser } from "@/lib/session";
import { PageHeader } from "@/app/ui/page-header";
import { WebsiteForm } from "../website-form";
import { createWebsite } from "../actions";

export default async function NewWebsitePage() {
  await requireUser("operator");
  return (
    <>
      <PageHeader title="Add website" />
      <WebsiteForm action={createWebsite} />
    </>
  );
}
