"use client";
import { Field, FormMessage, SubmitButton, inputProps, useFormAction } from "@/app/ui/form";
import type { FormAction } from "@/lib/actions/wrapper";

export function UserForm({ action }: { action: FormAction }) {
  const { state, onSubmit, pending } = useFormAction(action);
  return (
    <form onSubmit={onSubmit} className="grid max-w-2xl grid-cols-2 gap-4" noValidate>
      <div className="col-span-2"><FormMessage state={state} /></div>
      <Field label="E-mail" name="email" state={state}><input className="input" type="email" {...inputProps("email", state)} /></Field>
      <Field label="Name" name="name" state={state}><input className="input" {...inputProps("name", state)} /></Field>
      <Field label="Role" name="role" state={state}>
        <select className="input" {...inputProps("role", state, "operator")}>
          <option value="viewer">viewer — reads everything</option>
          <option value="operator">operator — changes service objects</option>
          <option value="admin">admin — also servers, routes, users</option>
        </select>
      </Field>
      <Field label="Password" name="password" state={state} hint="At least 10 characters.">
        <input className="input" type="password" autoComplete="new-password" id="password" name="password" aria-invalid={Boolean(state.fieldErrors?.password) || undefined} />
      </Field>
      <div><SubmitButton pending={pending}>Add user</SubmitButton></div>
    </form>
  );
}

export function RoleSelect({ action, id, role, roles }: { action: FormAction; id: number; role: string; roles: string[] }) {
  const { state, onSubmit, pending } = useFormAction(action);
  return (
    <form onSubmit={onSubmit} className="flex items-center gap-2">
      <input type="hidden" name="id" value={id} />
      <select name="role" defaultValue={role} className="input w-32" aria-label="Role" onChange={(e) => e.currentTarget.form?.requestSubmit()}>
        {roles.map((r) => <option key={r} value={r}>{r}</option>)}
      </select>
      {!state.ok && state.message && <span className="text-xs text-red-700">{state.message}</span>}
    </form>
  );
}

/** Sets a user's password (and so ends the user's sessions); the error shows next to the field. */
export function PasswordForm({ action, id, email }: { action: FormAction; id: number; email: string }) {
  const { state, onSubmit, pending } = useFormAction(action);
  const error = state.fieldErrors?.password?.[0] ?? (!state.ok ? state.message : "");
  const fieldId = `password-${id}`;
  return (
    <form onSubmit={onSubmit} className="flex items-start gap-2">
      <input type="hidden" name="id" value={id} />
      <div>
        <input
          className="input w-40"
          type="password"
          name="password"
          id={fieldId}
          autoComplete="new-password"
          placeholder="New password"
          aria-label={`New password for ${email}`}
          aria-invalid={Boolean(state.fieldErrors?.password) || undefined}
        />
        {error && <p data-testid="password-error" className="text-xs text-red-700">{error}</p>}
      </div>
      <SubmitButton pending={pending} className="btn-secondary">Set</SubmitButton>
    </form>
  );
}
