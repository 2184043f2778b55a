"use client";
import type { FormAction } from "@/lib/actions/wrapper";
import { FormMessage, inputProps, SubmitButton, useFormAction } from "./form";

/** An object's limit of one resource: a number in the resource's unit, or empty for the default. */
export function ResourceLimitForm({ action, service, id, resource, unit, limit, placeholder, disabled }: { action: FormAction; service: string; id: number; resource: string; unit: string; limit: number | null; placeholder: string; disabled: boolean }) {
  const { state, onSubmit, pending } = useFormAction(action);
  const errors = state.fieldErrors?.limit;
  return (
    <form onSubmit={onSubmit} className="flex flex-wrap items-center gap-2" data-testid={`limit-${resource}`}>
      <input type="hidden" name="service" value={service} />
      <input type="hidden" name="id" value={id} />
      <input type="hidden" name="resource" value={resource} />
      <label htmlFor={`limit-${resource}`} className="text-xs text-slate-600">Limit ({unit})</label>
      <input {...inputProps("limit", state, limit)} id={`limit-${resource}`} inputMode="decimal" className="input" style={{ width: "7rem", display: "inline-block" }} placeholder={placeholder} disabled={disabled} />
      {!disabled && <SubmitButton pending={pending} className="btn-secondary">Set limit</SubmitButton>}
      {errors?.map((e) => <p key={e} className="w-full text-xs text-red-700" data-testid="limit-error">{e}</p>)}
      {state.message && !errors && <div className="w-full"><FormMessage state={state} /></div>}
    </form>
  );
}
