"use client";
import { startTransition, useActionState } from "react";
import { Field, FormMessage, SubmitButton, inputProps, useFormAction } from "@/app/ui/form";
import { initialState, type ActionState } from "@/lib/actions/state";
import type { FormAction } from "@/lib/actions/wrapper";

type Route = { id?: number; backend: string; serverId: number | null; match: string; async: boolean; asyncActions: string[]; active: boolean };

export function RouteForm({
  action,
  preview,
  route,
  backends,
  servers,
}: {
  action: FormAction;
  preview: FormAction;
  route?: Route;
  backends: { name: string; title: string; model: string }[];
  servers: { id: number; name: string }[];
}) {
  const { state, onSubmit, pending } = useFormAction(action);
  const [previewState, previewAction, previewing] = useActionState<ActionState, FormData>(preview, initialState);
  const runPreview = (event: React.MouseEvent<HTMLButtonElement>) => {
    event.preventDefault();
    const data = new FormData(event.currentTarget.form!);
    startTransition(() => previewAction(data));
  };
  const asyncActions = state.values?.asyncActions?.split("\n") ?? route?.asyncActions ?? [];
  const checked = (name: string, initial: boolean) => (state.values ? state.values[name] === "on" : initial);
  return (
    <form onSubmit={onSubmit} className="max-w-2xl space-y-4" noValidate>
      {route?.id && <input type="hidden" name="id" value={route.id} />}
      <div className="grid grid-cols-2 gap-4">
        <Field label="Backend" name="backend" state={state}>
          <select className="input" {...inputProps("backend", state, route?.backend ?? "")}>
            <option value="">Choose…</option>
            {backends.map((b) => (
              <option key={b.name} value={b.name}>
                {b.name} — {b.title} ({b.model})
              </option>
            ))}
          </select>
        </Field>
        <Field label="Server" name="serverId" state={state}>
          <select className="input" {...inputProps("serverId", state, route?.serverId ?? "")}>
            <option value="">Choose…</option>
            {servers.map((s) => (
              <option key={s.id} value={s.id}>
                {s.name}
              </option>
            ))}
          </select>
        </Field>
      </div>
      <Field label="Match (CEL)" name="match" state={previewState.fieldErrors?.match ? previewState : state} hint='Over `object`, e.g. object.username.startsWith("a") or object.domains.exists(d, d.name.endsWith(".net")). "true" matches everything.'>
        <textarea className="input font-mono" rows={3} spellCheck={false} {...inputProps("match", state, route?.match ?? "true")} />
      </Field>
      <div className="flex flex-wrap items-center gap-6">
        <label className="flex items-center gap-2">
          <input type="checkbox" name="active" defaultChecked={checked("active", route?.active ?? true)} /> Active
        </label>
        <label className="flex items-center gap-2">
          <input type="checkbox" name="async" defaultChecked={checked("async", route?.async ?? false)} /> Run in the background (async)
        </label>
        <span className="flex items-center gap-3">
          Async only for:
          {["save", "delete"].map((a) => (
            <label key={a} className="flex items-center gap-1">
              <input type="checkbox" name="asyncActions" value={a} defaultChecked={asyncActions.includes(a)} /> {a}
            </label>
          ))}
        </span>
      </div>
      <FormMessage state={state} />
      {previewState.message && !previewState.fieldErrors && (
        <p data-testid="preview" className="rounded border border-sky-200 bg-sky-50 px-3 py-2 text-sky-900">
          {previewState.message}
        </p>
      )}
      <div className="flex gap-2">
        <SubmitButton pending={pending}>{route?.id ? "Save route" : "Add route"}</SubmitButton>
        <button type="button" className="btn-secondary" onClick={runPreview} disabled={previewing}>
          {previewing ? "Checking…" : "Preview matches"}
        </button>
      </div>
    </form>
  );
}
