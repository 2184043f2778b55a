"use client";
import { Field, FormMessage, SubmitButton, inputProps, useFormAction } from "@/app/ui/form";
import type { FormAction } from "@/lib/actions/wrapper";

type Values = { id?: number; username: string; uid: number | null; shell: string; home: string; groups: string; active: boolean; description: string; hasPassword: boolean };

export function SystemUserForm({ action, user, disabled }: { action: FormAction; user?: Values; disabled?: boolean }) {
  const { state, onSubmit, pending } = useFormAction(action);
  const active = state.values ? state.values.active === "on" : (user?.active ?? true);
  return (
    <form onSubmit={onSubmit} className="max-w-2xl space-y-4" noValidate>
      <FormMessage state={state} />
      {user?.id && <input type="hidden" name="id" value={user.id} />}
      <fieldset disabled={disabled} className="grid grid-cols-2 gap-4">
        <Field label="Username" name="username" state={state}><input className="input font-mono" {...inputProps("username", state, user?.username)} /></Field>
        <Field label="UID" name="uid" state={state} hint="Empty: the server picks one."><input className="input" inputMode="numeric" {...inputProps("uid", state, user?.uid)} /></Field>
        <Field label="Shell" name="shell" state={state}><input className="input font-mono" {...inputProps("shell", state, user?.shell ?? "/bin/bash")} /></Field>
        <Field label="Home" name="home" state={state} hint="Empty: /home/<username>."><input className="input font-mono" {...inputProps("home", state, user?.home)} /></Field>
        <Field label="Groups" name="groups" state={state} hint="Comma or space separated; created when missing."><input className="input font-mono" {...inputProps("groups", state, user?.groups)} /></Field>
        <Field label="Description" name="description" state={state} hint="For people only: changing it runs nothing."><input className="input" {...inputProps("description", state, user?.description)} /></Field>
        <Field label="Password" name="password" state={state} hint={user?.hasPassword ? "Set. Leave empty to keep it." : "Empty: no password (key-only or locked)."}>
          <input className="input" type="password" autoComplete="new-password" id="password" name="password" aria-invalid={Boolean(state.fieldErrors?.password) || undefined} />
        </Field>
        <label className="flex items-center gap-2"><input type="checkbox" name="active" defaultChecked={active} /> Active (an inactive account is expired)</label>
      </fieldset>
      {!disabled && <SubmitButton pending={pending}>{user?.id ? "Save system user" : "Add system user"}</SubmitButton>}
    </form>
  );
}
