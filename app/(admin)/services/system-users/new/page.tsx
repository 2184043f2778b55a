import { requireUser } from "@/lib/session";
import { PageHeader } from "@/app/ui/page-header";
import { SystemUserForm } from "../system-user-form";
import { createSystemUser } from "../actions";

export default async function NewSystemUserPage() {
  await requireUser("operator");
  return (
    <>
      <PageHeader title="Add system user" />
      <SystemUserForm action={createSystemUser} />
    </>
  );
}
