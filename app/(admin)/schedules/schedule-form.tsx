"use client";
import { useEffect, useState } from "react";
import { Field, FormMessage, SubmitButton, inputProps, useFormAction } from "@/app/ui/form";
import type { FormAction } from "@/lib/actions/wrapper";
import { cronError, formatInZone, nextOccurrences, timeZoneError } from "@/lib/orchestration/schedules/cron";

export type ScheduleValues = {
  id?: number;
  name: string;
  kind: string;
  cron: string;
  timeZone: string;
  active: boolean;
  params: { server?: string; backend?: string; maxAgeDays?: number; truncateAfterDays?: number; truncateChars?: number; withinDays?: number };
};

type Choices = {
  kinds: Array<{ name: string; title: string; description: string }>;
  servers: string[];
  backends: Array<{ name: string; sync: boolean; checks: boolean; monitors: boolean }>;
};

/** The next three occurrences as the admin types (croner runs in the browser too), or why there are none. */
function Preview({ cron, timeZone }: { cron: string; timeZone: string }) {
  const [now, setNow] = useState<Date | null>(null);
  useEffect(() => setNow(new Date()), [cron, timeZone]);
  if (!now) return null;
  const problem = timeZoneError(timeZone) ?? cronError(cron, timeZone);
  if (problem) return <p data-testid="cron-preview" className="text-xs text-amber-800">{problem}</p>;
  const next = nextOccurrences(cron, timeZone, 3, now);
  return (
    <p data-testid="cron-preview" className="text-xs text-slate-600">
      Next: {next.map((d) => formatInZone(d, timeZone)).join(" · ")}
    </p>
  );
}

export function ScheduleForm({ action, schedule, choices, zones }: { action: FormAction; schedule?: ScheduleValues; choices: Choices; zones: string[] }) {
  const { state, onSubmit, pending } = useFormAction(action);
  const [kind, setKind] = useState(state.values?.kind ?? schedule?.kind ?? "drift-check");
  const [cron, setCron] = useState(state.values?.cron ?? schedule?.cron ?? "0 3 * * *");
  const [timeZone, setTimeZone] = useState(state.values?.timeZone ?? schedule?.timeZone ?? "UTC");
  const active = state.values ? state.values.active === "on" : (schedule?.active ?? true);
  const p = schedule?.params ?? {};
  const backends = choices.backends.filter((b) => (kind === "sync" ? b.sync : kind === "resource-monitors" ? b.monitors : b.checks));
  const description = choices.kinds.find((k) => k.name === kind)?.description;
  return (
    <form onSubmit={onSubmit} className="max-w-3xl space-y-4" noValidate>
      {schedule?.id && <input type="hidden" name="id" value={schedule.id} />}
      <FormMessage state={state} />
      <div className="grid grid-cols-2 gap-4">
        <Field label="Name" name="name" state={state}>
          <input className="input" {...inputProps("name", state, schedule?.name ?? "")} />
        </Field>
        <Field label="Kind" name="kind" state={state} hint={description}>
          <select className="input" {...inputProps("kind", state, kind)} onChange={(e) => setKind(e.currentTarget.value)}>
            {choices.kinds.map((k) => (
              <option key={k.name} value={k.name}>
                {k.title}
              </option>
            ))}
          </select>
        </Field>
        <div className="space-y-1">
          <Field label="Cron expression" name="cron" state={state} hint="minute hour day month weekday (e.g. */15 * * * *, 0 3 * * 1-5, @daily); six fields add seconds first.">
            <input className="input font-mono" spellCheck={false} {...inputProps("cron", state, cron)} onChange={(e) => setCron(e.currentTarget.value)} />
          </Field>
          <Preview cron={cron} timeZone={timeZone} />
        </div>
        <Field label="Time zone" name="timeZone" state={state} hint="An IANA name: UTC, Europe/Paris, America/New_York…">
          <input className="input" list="time-zones" {...inputProps("timeZone", state, timeZone)} onChange={(e) => setTimeZone(e.currentTarget.value)} />
        </Field>
        <datalist id="time-zones">
          {zones.map((z) => (
            <option key={z} value={z} />
          ))}
        </datalist>
      </div>
      {kind === "retention" ? (
        <fieldset className="grid grid-cols-3 gap-4 rounded border border-slate-200 p-3">
          <legend className="px-1 text-sm font-medium">What is kept</legend>
          <Field label="Delete history older than (days)" name="maxAgeDays" state={state} hint="Logs, operations, read notifications, schedule runs.">
            <input className="input" inputMode="numeric" {...inputProps("maxAgeDays", state, p.maxAgeDays ?? 30)} />
          </Field>
          <Field label="Shorten output older than (days)" name="truncateAfterDays" state={state}>
            <input className="input" inputMode="numeric" {...inputProps("truncateAfterDays", state, p.truncateAfterDays ?? 7)} />
          </Field>
          <Field label="Keep characters of output" name="truncateChars" state={state} hint="Head and tail of script, stdout, stderr.">
            <input className="input" inputMode="numeric" {...inputProps("truncateChars", state, p.truncateChars ?? 65536)} />
          </Field>
        </fieldset>
      ) : kind === "renew-certificates" ? (
        <fieldset className="grid grid-cols-2 gap-4 rounded border border-slate-200 p-3">
          <legend className="px-1 text-sm font-medium">Which certificates</legend>
          <Field label="Renew those expiring within (days)" name="withinDays" state={state} hint="And those whose last request failed.">
            <input className="input" inputMode="numeric" {...inputProps("withinDays", state, p.withinDays ?? 30)} />
          </Field>
          <Field label="Server" name="server" state={state}>
            <select className="input" {...inputProps("server", state, p.server ?? "")}>
              <option value="">every server</option>
              {choices.servers.map((s) => (
                <option key={s} value={s}>
                  {s}
                </option>
              ))}
            </select>
          </Field>
        </fieldset>
      ) : (
        <fieldset className="grid grid-cols-2 gap-4 rounded border border-slate-200 p-3">
          <legend className="px-1 text-sm font-medium">Where</legend>
          <Field label="Server" name="server" state={state}>
            <select className="input" {...inputProps("server", state, p.server ?? "")}>
              <option value="">every server</option>
              {choices.servers.map((s) => (
                <option key={s} value={s}>
                  {s}
                </option>
              ))}
            </select>
          </Field>
          <Field label="Backend" name="backend" state={state}>
            <select className="input" {...inputProps("backend", state, p.backend ?? "")}>
              <option value="">{kind === "sync" ? "every sync-kind backend" : kind === "resource-monitors" ? "every backend with a monitor" : "every backend with a check"}</option>
              {backends.map((b) => (
                <option key={b.name} value={b.name}>
                  {b.name}
                </option>
              ))}
            </select>
          </Field>
        </fieldset>
      )}
      <label className="flex items-center gap-2">
        <input type="checkbox" name="active" defaultChecked={active} /> Active (the workers fire it)
      </label>
      <SubmitButton pending={pending}>{schedule?.id ? "Save schedule" : "Add schedule"}</SubmitButton>
    </form>
  );
}
