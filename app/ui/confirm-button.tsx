"use client";
import { useActionState } from "react";
import { initialState, type ActionState } from "@/lib/actions/state";
import type { FormAction } from "@/lib/actions/wrapper";
import { FormMessage, SubmitButton } from "./form";

/** A one-button form (delete, retry, forget key…) posting hidden fields to an action. */
export function ActionButton({
  action,
  fields,
  label,
  confirm,
  className = "btn-secondary",
}: {
  action: FormAction;
  fields: Record<string, string | number>;
  label: string;
  confirm?: string;
  className?: string;
}) {
  const [state, formAction] = useActionState<ActionState, FormData>(action, initialState);
  return (
    <form
      action={formAction}
      className="inline-block"
      onSubmit={(e) => {
        if (confirm && !window.confirm(confirm)) e.preventDefault();
      }}
    >
      {Object.entries(fields).map(([k, v]) => (
        <input key={k} type="hidden" name={k} value={v} />
      ))}
      <SubmitButton className={className}>{label}</SubmitButton>
      {!state.ok && state.message && <FormMessage state={state} />}
    </form>
  );
}
