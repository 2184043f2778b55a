import type { Metadata } from "next";
import { requireUser } from "@/lib/session";
import { hasRole } from "@/lib/roles";
import { db } from "@/lib/db";
import { fetchSystemUserPolicy } from "@/lib/data/settings";
import { HARD_FLOOR } from "@/lib/services/system-users/policy";
import { PageHeader } from "@/app/ui/page-header";
import { PolicyForm } from "./policy-form";
import { saveSystemUserPolicy } from "./actions";

export const metadata: Metadata = { title: "Settings" };

export default async function SettingsPage() {
  const user = await requireUser();
  const policy = await fetchSystemUserPolicy(db);
  const admin = hasRole(user.role, "admin");
  return (
    <>
      <PageHeader title="Settings" />
      <section className="space-y-3">
        <h2 className="text-lg font-semibold">System users policy</h2>
        <p className="max-w-2xl text-slate-600">
          What operators may give a system user. {admin ? "As an admin you may save a user outside it; nobody can cross the fixed limits below." : "Only admins change it."}
        </p>
        <PolicyForm action={saveSystemUserPolicy} policy={policy} disabled={!admin} />
        <div className="max-w-2xl rounded border border-slate-200 bg-white p-3 text-sm" data-testid="hard-floor">
          <p className="font-medium">Fixed for everyone, checked again when a script is rendered</p>
          <ul className="list-disc pl-5 text-slate-600">
            <li>uid 0 (root)</li>
            <li>groups: {HARD_FLOOR.groups.join(", ")}</li>
            <li>homes in {HARD_FLOOR.systemDirectories.join(", ")}, or not inside a directory</li>
            <li>the system&apos;s own accounts ({HARD_FLOOR.usernames.slice(0, 6).join(", ")}…)</li>
          </ul>
        </div>
      </section>
    </>
  );
}
