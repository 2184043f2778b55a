"use client";
import { useState } from "react";
import { Field, FormMessage, SubmitButton, inputProps, useFormAction } from "@/app/ui/form";
import type { FormAction } from "@/lib/actions/wrapper";
import { EVENT_TITLES, NOTIFICATION_EVENTS } from "@/lib/orchestration/notifications/events";

export type ChannelValues = { id: number; name: string; kind: string; active: boolean; events: string[]; settings: Record<string, unknown>; hasSecret: boolean };

/** A channel: e-mail (SMTP) or webhook. The secret is write-only: never shown, empty keeps it. */
export function ChannelForm({ action, channel }: { action: FormAction; channel?: ChannelValues }) {
  const { state, onSubmit, pending } = useFormAction(action);
  const [kind, setKind] = useState(state.values?.kind ?? channel?.kind ?? "email");
  const s = channel?.settings ?? {};
  const str = (v: unknown, fallback = "") => (typeof v === "string" || typeof v === "number" ? String(v) : fallback);
  const events = state.values ? (state.values.events ?? "").split("\n") : (channel?.events ?? ["final-failure"]);
  const active = state.values ? state.values.active === "on" : (channel?.active ?? true);
  const keeps = channel?.hasSecret && channel.kind === kind;
  const secretHint = keeps ? "Set. Leave empty to keep it; type a new one to replace it." : kind === "webhook" ? "At least 16 characters; the receiver checks each request's signature with it." : "Leave empty when the server takes mail without a login.";
  return (
    <form onSubmit={onSubmit} className="max-w-3xl space-y-4" noValidate>
      {channel && <input type="hidden" name="id" value={channel.id} />}
      <FormMessage state={state} />
      <div className="grid grid-cols-2 gap-4">
        <Field label="Name" name="name" state={state}>
          <input className="input" {...inputProps("name", state, channel?.name ?? "")} />
        </Field>
        <Field label="Kind" name="kind" state={state}>
          <select className="input" {...inputProps("kind", state, kind)} onChange={(e) => setKind(e.currentTarget.value)}>
            <option value="email">E-mail (SMTP)</option>
            <option value="webhook">Webhook (signed)</option>
          </select>
        </Field>
      </div>
      <fieldset className="rounded border border-slate-200 p-3">
        <legend className="px-1 text-sm font-medium">Send when</legend>
        {NOTIFICATION_EVENTS.map((e) => (
          <label key={e} className="flex items-center gap-2">
            <input type="checkbox" name="events" value={e} defaultChecked={events.includes(e)} /> {EVENT_TITLES[e]}
          </label>
        ))}
        {state.fieldErrors?.events?.map((m) => (
          <p key={m} data-testid="events-error" className="text-xs text-red-700">{m}</p>
        ))}
      </fieldset>
      {kind === "email" ? (
        <div className="grid grid-cols-2 gap-4">
          <Field label="SMTP server" name="host" state={state}>
            <input className="input" {...inputProps("host", state, str(s.host))} />
          </Field>
          <Field label="Port" name="port" state={state}>
            <input className="input" inputMode="numeric" {...inputProps("port", state, str(s.port, "587"))} />
          </Field>
          <Field label="Security" name="security" state={state}>
            <select className="input" {...inputProps("security", state, str(s.security, "starttls"))}>
              <option value="starttls">STARTTLS required (587)</option>
              <option value="tls">TLS from the start (465)</option>
              <option value="none">None (a relay on this network)</option>
            </select>
          </Field>
          <Field label="Username" name="username" state={state} hint="Empty: no login.">
            <input className="input" autoComplete="off" {...inputProps("username", state, str(s.username))} />
          </Field>
          <Field label="SMTP password" name="secret" state={state} hint={secretHint}>
            <input className="input" type="password" id="secret" name="secret" autoComplete="new-password" placeholder={keeps ? "•••••• (unchanged)" : ""} aria-invalid={Boolean(state.fieldErrors?.secret) || undefined} />
          </Field>
          <Field label="From" name="from" state={state}>
            <input className="input" type="email" {...inputProps("from", state, str(s.from))} />
          </Field>
          <div className="col-span-2">
            <Field label="To" name="to" state={state} hint="One or more addresses, separated by commas or spaces.">
              <input className="input" {...inputProps("to", state, Array.isArray(s.to) ? s.to.join(", ") : "")} />
            </Field>
          </div>
        </div>
      ) : (
        <div className="grid grid-cols-2 gap-4">
          <div className="col-span-2">
            <Field label="URL" name="url" state={state} hint="Each notification is POSTed as JSON, signed: X-Orchestra-Signature = sha256=HMAC-SHA256(secret, X-Orchestra-Timestamp + '.' + body).">
              <input className="input font-mono" {...inputProps("url", state, str(s.url))} />
            </Field>
          </div>
          <Field label="Signing secret" name="secret" state={state} hint={secretHint}>
            <input className="input" type="password" id="secret" name="secret" autoComplete="new-password" placeholder={keeps ? "•••••• (unchanged)" : ""} aria-invalid={Boolean(state.fieldErrors?.secret) || undefined} />
          </Field>
        </div>
      )}
      <label className="flex items-center gap-2">
        <input type="checkbox" name="active" defaultChecked={active} /> Active
      </label>
      <SubmitButton pending={pending}>{channel ? "Save channel" : "Add channel"}</SubmitButton>
    </form>
  );
}
