"use client";
import type { FormAction } from "@/lib/actions/wrapper";
import { FormMessage, SubmitButton, useFormAction } from "./form";

/** A one-button form (delete, retry, forget key…) posting hidden fields to an action. */
export function ActionButton({
  action,
  fields,
  label,
  confirm,
  className = "btn-secondary",
  showSuccess = false,
}: {
  action: FormAction;
  fields: Record<string, string | number>;
  label: string;
  confirm?: string;
  className?: string;
  /** Show the success message in place (for actions that stay on the page). */
  showSuccess?: boolean;
}) {
  const { state, onSubmit, pending } = useFormAction(action, confirm);
  return (
    <form onSubmit={onSubmit} className="inline-block">
      {Object.entries(fields).map(([k, v]) => (
        <input key={k} type="hidden" name={k} value={v} />
      ))}
      <SubmitButton pending={pending} className={className}>{label}</SubmitButton>
      {state.message && (!state.ok || showSuccess) && <FormMessage state={state} />}
    </form>
  );
}
