import { requireUser } from "@/lib/session";
import { db } from "@/lib/db";
import { scheduleChoices, timeZoneChoices } from "@/lib/data/schedules";
import { PageHeader } from "@/app/ui/page-header";
import { ScheduleForm } from "../schedule-form";
import { createSchedule } from "../actions";

export default async function NewSchedulePage() {
  await requireUser("admin");
  return (
    <>
      <PageHeader title="Add schedule" />
      <ScheduleForm action={createSchedule} choices={await scheduleChoices(db)} zones={timeZoneChoices()} />
    </>
  );
}
