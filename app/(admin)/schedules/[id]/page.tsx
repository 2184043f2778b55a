import { notFound } from "next/navigation";
import { db } from "@/lib/db";
import { requireUser } from "@/lib/session";
import { hasRole } from "@/lib/roles";
import { fetchSchedule, fetchScheduleRuns, scheduleChoices, timeZoneChoices } from "@/lib/data/schedules";
import { idParam } from "@/lib/schemas/common";
import { formatInZone } from "@/lib/orchestration/schedules/cron";
import { scheduleKinds } from "@/lib/orchestration/schedules/kinds";
import { Empty, PageHeader, formatDate } from "@/app/ui/page-header";
import { ActionButton } from "@/app/ui/confirm-button";
import { StateBadge } from "@/app/ui/state-badge";
import { ScheduleForm } from "../schedule-form";
import { deleteSchedule, runScheduleNowAction, updateSchedule } from "../actions";

export default async function SchedulePage({ params }: { params: Promise<{ id: string }> }) {
  const user = await requireUser();
  const id = idParam.safeParse((await params).id);
  if (!id.success) notFound();
  const schedule = await fetchSchedule(db, id.data);
  if (!schedule) notFound();
  const runs = await fetchScheduleRuns(db, schedule.id);
  const admin = hasRole(user.role, "admin");
  const kind = scheduleKinds().find((k) => k.name === schedule.kind);
  const scope = Object.entries(schedule.params).map(([k, v]) => `${k}: ${v}`).join(", ");
  return (
    <>
      <PageHeader title={`Schedule ${schedule.name}`}>
        {hasRole(user.role, "operator") && <ActionButton action={runScheduleNowAction} fields={{ id: schedule.id, back: "detail" }} label="Run now" />}
        {admin && <ActionButton action={deleteSchedule} fields={{ id: schedule.id }} label="Delete schedule" className="btn-danger" confirm={`Delete the schedule ${schedule.name} and its run history?`} />}
      </PageHeader>
      <div className="mb-5 grid max-w-3xl grid-cols-2 gap-4 rounded border border-slate-200 bg-white p-3">
        <div>
          <p className="font-medium">{kind?.title ?? schedule.kind}</p>
          <p className="text-xs text-slate-600">{kind?.description}</p>
          <p className="mt-1 text-xs text-slate-600">{scope || "everywhere"}</p>
          <p className="mt-1">
            <code>{schedule.cron}</code> in {schedule.timeZone} {schedule.active ? "" : <strong>(inactive)</strong>}
          </p>
        </div>
        <div>
          <p className="font-medium">Next occurrences</p>
          {schedule.upcoming.length ? (
            <ol className="list-decimal pl-5 text-sm" data-testid="next-occurrences">
              {schedule.upcoming.map((d) => (
                <li key={d.toISOString()}>{formatInZone(d, schedule.timeZone)}</li>
              ))}
            </ol>
          ) : (
            <p className="text-sm text-slate-600" data-testid="next-occurrences">{schedule.active ? "none: the expression never fires again" : "none while inactive"}</p>
          )}
          <p className="mt-2 text-sm" data-testid="last-result">
            Last run: {formatDate(schedule.lastRunAt)} {schedule.lastState && <StateBadge state={schedule.lastState} />} <span className="text-slate-600">{schedule.lastMessage}</span>
          </p>
        </div>
      </div>
      {admin && (
        <section className="mb-6">
          <h2 className="mb-2 text-base font-semibold">Edit</h2>
          <ScheduleForm action={updateSchedule} schedule={schedule} choices={await scheduleChoices(db)} zones={timeZoneChoices()} />
        </section>
      )}
      <h2 className="mb-2 text-base font-semibold">Recent runs</h2>
      {runs.length === 0 ? (
        <Empty>It has not run yet.</Empty>
      ) : (
        <table className="table" data-testid="schedule-runs">
          <thead>
            <tr>
              <th>Occurrence</th>
              <th>By</th>
              <th>State</th>
              <th>Result</th>
              <th>Started</th>
              <th>Finished</th>
            </tr>
          </thead>
          <tbody>
            {runs.map((r) => (
              <tr key={r.id}>
                <td>{r.trigger === "manual" ? "run now" : formatInZone(r.occurrence, schedule.timeZone)}</td>
                <td className="text-xs">{r.by}</td>
                <td>
                  <StateBadge state={r.state} />
                </td>
                <td className="max-w-xl text-xs">{r.message}</td>
                <td className="whitespace-nowrap text-xs">{formatDate(r.startedAt)}</td>
                <td className="whitespace-nowrap text-xs">{formatDate(r.finishedAt)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </>
  );
}
