import Link from "next/link";
import { notFound } from "next/navigation";
import { db } from "@/lib/db";
import { requireUser } from "@/lib/session";
import { hasRole } from "@/lib/roles";
import { idParam } from "@/lib/schemas/common";
import { PageHeader } from "@/app/ui/page-header";
import { ActionButton } from "@/app/ui/confirm-button";
import { SystemUserForm } from "../system-user-form";
import { deleteSystemUser, updateSystemUser } from "../actions";

export default async function SystemUserPage({ params }: { params: Promise<{ id: string }> }) {
  const me = await requireUser();
  const id = idParam.safeParse((await params).id);
  if (!id.success) notFound();
  const user = await db.systemUser.findUnique({ where: { id: id.data }, omit: { passwordHash: true } });
  const hasPassword = (await db.systemUser.count({ where: { id: id.data, passwordHash: { not: null } } })) > 0;
  if (!user) notFound();
  const operator = hasRole(me.role, "operator");
  return (
    <>
      <PageHeader title={`System user ${user.username}`}>
        <Link className="btn-secondary" href={`/operations?model=SystemUser&object=${user.id}`}>Operations</Link>
        {operator && <ActionButton action={deleteSystemUser} fields={{ id: user.id }} label="Delete" className="btn-danger" confirm={`Delete ${user.username} on every server it is routed to?`} />}
      </PageHeader>
      <SystemUserForm action={updateSystemUser} disabled={!operator} user={{ ...user, groups: (user.groups as string[]).join(", "), hasPassword }} />
    </>
  );
}
