"use client";
import { Field, FormMessage, SubmitButton, inputProps, useFormAction } from "@/app/ui/form";
import type { FormAction } from "@/lib/actions/wrapper";

type Policy = { forbiddenGroups: string[]; uidMin: number; uidMax: number; homeRoots: string[]; forbiddenShells: string[] };

export function PolicyForm({ action, policy, disabled }: { action: FormAction; policy: Policy; disabled: boolean }) {
  const { state, onSubmit, pending } = useFormAction(action);
  return (
    <form onSubmit={onSubmit} className="max-w-2xl space-y-4" noValidate>
      <FormMessage state={state} />
      <fieldset disabled={disabled} className="grid grid-cols-2 gap-4">
        <Field label="Forbidden groups" name="forbiddenGroups" state={state} hint="Comma or space separated.">
          <textarea className="input font-mono" rows={3} {...inputProps("forbiddenGroups", state, policy.forbiddenGroups.join(", "))} />
        </Field>
        <Field label="Allowed home directories" name="homeRoots" state={state} hint="A home must be inside one of these.">
          <textarea className="input font-mono" rows={3} {...inputProps("homeRoots", state, policy.homeRoots.join(", "))} />
        </Field>
        <Field label="Lowest uid" name="uidMin" state={state}>
          <input className="input" inputMode="numeric" {...inputProps("uidMin", state, policy.uidMin)} />
        </Field>
        <Field label="Highest uid" name="uidMax" state={state}>
          <input className="input" inputMode="numeric" {...inputProps("uidMax", state, policy.uidMax)} />
        </Field>
        <Field label="Forbidden shells" name="forbiddenShells" state={state} hint="Optional, e.g. /bin/sh.">
          <input className="input font-mono" {...inputProps("forbiddenShells", state, policy.forbiddenShells.join(", "))} />
        </Field>
      </fieldset>
      {!disabled && <SubmitButton pending={pending}>Save policy</SubmitButton>}
    </form>
  );
}
