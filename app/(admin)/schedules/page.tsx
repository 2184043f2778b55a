import type { Metadata } from "next";
import { db } from "@/lib/db";
import Link from "next/link";
import { requireUser } from "@/lib/session";
import { hasRole } from "@/lib/roles";
import { fetchSchedules, upcoming } from "@/lib/data/schedules";
import { formatInZone } from "@/lib/orchestration/schedules/cron";
import { scheduleKinds } from "@/lib/orchestration/schedules/kinds";
import { Empty, PageHeader, formatDate } from "@/app/ui/page-header";
import { ActionButton } from "@/app/ui/confirm-button";
import { StateBadge } from "@/app/ui/state-badge";
import { AutomationTabs } from "./tabs";
import { runScheduleNowAction } from "./actions";

export const metadata: Metadata = { title: "Schedules" };

const kindTitle = (name: string) => scheduleKinds().find((k) => k.name === name)?.title ?? name;

export default async function SchedulesPage() {
  const user = await requireUser();
  const schedules = await fetchSchedules(db);
  const admin = hasRole(user.role, "admin");
  const operator = hasRole(user.role, "operator");
  return (
    <>
      <PageHeader title="Schedules">
        {admin && (
          <Link className="btn" href="/schedules/new">
            Add schedule
          </Link>
        )}
      </PageHeader>
      <AutomationTabs current="schedules" admin={admin} />
      <p className="mb-3 max-w-3xl text-slate-600">
        Periodic work the workers fire — one worker per occurrence; occurrences missed while no worker ran fire once. {admin ? "" : operator ? "Operators may run a schedule now; admins change them." : "Admins change them."}
      </p>
      {schedules.length === 0 ? (
        <Empty>No schedules yet.{admin && <> <Link className="link" href="/schedules/new">Add one</Link>, e.g. a nightly drift check or a weekly retention.</>}</Empty>
      ) : (
        <table className="table" data-testid="schedules">
          <thead>
            <tr>
              <th>Name</th>
              <th>Kind</th>
              <th>When</th>
              <th>Next run</th>
              <th>Last run</th>
              <th>Result</th>
              <th />
            </tr>
          </thead>
          <tbody>
            {schedules.map((s) => {
              const next = s.active ? (s.nextRunAt ?? upcoming(s, 1)[0]) : null;
              return (
                <tr key={s.id} data-schedule={s.name}>
                  <td>
                    <Link className="link" href={`/schedules/${s.id}`}>
                      {s.name}
                    </Link>
                  </td>
                  <td>{kindTitle(s.kind)}</td>
                  <td>
                    <code>{s.cron}</code> <span className="text-xs text-slate-500">{s.timeZone}</span>
                  </td>
                  <td data-testid="next-run">{s.active ? (next ? formatInZone(next, s.timeZone) : "never") : <span className="text-slate-500">inactive</span>}</td>
                  <td>{formatDate(s.lastRunAt)}</td>
                  <td className="max-w-md" data-testid="last-result">
                    {s.lastState && <StateBadge state={s.lastState} />} <span className="text-xs text-slate-600">{s.lastMessage.length > 160 ? `${s.lastMessage.slice(0, 160)}…` : s.lastMessage}</span>
                  </td>
                  <td className="whitespace-nowrap text-right">{operator && <ActionButton action={runScheduleNowAction} fields={{ id: s.id, back: "list" }} label="Run now" />}</td>
                </tr>
              );
            })}
          </tbody>
        </table>
      )}
    </>
  );
}
