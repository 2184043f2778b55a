"use client";
import { startTransition, useActionState } from "react";
import { initialState, type ActionState } from "@/lib/actions/state";
import type { FormAction } from "@/lib/actions/wrapper";
import { RunList } from "./run-list";

/**
 * Submits a form to a server action without React's automatic form reset, so a failed submit keeps
 * every field as typed (selects and checkboxes included). `confirm` asks before submitting.
 */
export function useFormAction(action: FormAction, confirm?: string) {
  const [state, dispatch, pending] = useActionState<ActionState, FormData>(action, initialState);
  const onSubmit = (event: React.FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    if (confirm && !window.confirm(confirm)) return;
    const submitter = (event.nativeEvent as SubmitEvent).submitter as HTMLElement | null;
    const data = new FormData(event.currentTarget, submitter);
    startTransition(() => dispatch(data));
  };
  return { state, onSubmit, pending };
}

export function Field({
  label,
  name,
  state,
  hint,
  children,
  className,
}: {
  label: string;
  name: string;
  state: ActionState;
  hint?: string;
  children: React.ReactElement;
  className?: string;
}) {
  const errors = state.fieldErrors?.[name];
  return (
    <div className={className ? `space-y-1 ${className}` : "space-y-1"}>
      <label htmlFor={name} className="block font-medium">
        {label}
      </label>
      {children}
      {hint && !errors && <p className="text-xs text-slate-500">{hint}</p>}
      {errors?.map((error) => (
        <p key={error} id={`${name}-error`} data-testid={`${name}-error`} className="text-xs text-red-700">
          {error}
        </p>
      ))}
    </div>
  );
}

/** Props for an input: its name, its id, its value after a failed submit, and its error state. */
export function inputProps(name: string, state: ActionState, initial?: string | number | null) {
  const invalid = Boolean(state.fieldErrors?.[name]);
  return {
    id: name,
    name,
    defaultValue: state.values?.[name] ?? (initial == null ? undefined : String(initial)),
    "aria-invalid": invalid || undefined,
    "aria-describedby": invalid ? `${name}-error` : undefined,
  };
}

export function FormMessage({ state }: { state: ActionState }) {
  if (!state.message) return null;
  return (
    <div
      data-testid="form-message"
      className={`rounded border px-3 py-2 ${state.ok ? "border-emerald-200 bg-emerald-50 text-emerald-800" : "border-red-200 bg-red-50 text-red-800"}`}
    >
      <p>{state.message}</p>
      {state.fieldErrors?._form?.map((e) => <p key={e}>{e}</p>)}
      {((state.runs?.length ?? 0) > 0 || (state.notices?.length ?? 0) > 0) && <RunList runs={state.runs ?? []} notices={state.notices} />}
    </div>
  );
}

export function SubmitButton({ children, pending, className = "btn" }: { children: React.ReactNode; pending: boolean; className?: string }) {
  return (
    <button className={className} disabled={pending}>
      {pending ? "Working…" : children}
    </button>
  );
}
