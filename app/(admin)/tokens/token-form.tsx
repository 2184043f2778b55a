"use client";
import { Field, FormMessage, SubmitButton, inputProps, useFormAction } from "@/app/ui/form";
import type { FormAction } from "@/lib/actions/wrapper";

export function TokenForm({ action, roles }: { action: FormAction; roles: readonly string[] }) {
  const { state, onSubmit, pending } = useFormAction(action);
  return (
    <form onSubmit={onSubmit} className="max-w-2xl space-y-3" noValidate>
      <div data-testid="token-result" className="break-all"><FormMessage state={state} /></div>
      <div className="grid grid-cols-3 gap-4">
        <Field label="Token name" name="name" state={state}><input className="input" {...inputProps("name", state)} /></Field>
        <Field label="Role" name="role" state={state}>
          <select className="input" {...inputProps("role", state, roles[0])}>
            {roles.map((r) => <option key={r} value={r}>{r}</option>)}
          </select>
        </Field>
        <Field label="Valid for (days)" name="days" state={state}><input className="input" inputMode="numeric" {...inputProps("days", state, 90)} /></Field>
      </div>
      <SubmitButton pending={pending}>Make token</SubmitButton>
    </form>
  );
}
