"use client";
// The form of any service object, from the fields its declaration derives from its input schema.
import { Field, FormMessage, SubmitButton, inputProps, useFormAction } from "@/app/ui/form";
import type { FormAction } from "@/lib/actions/wrapper";
import type { FieldSpec } from "@/lib/services/kit";

export type FormValues = Record<string, string | number | boolean | null>;

export function ServiceForm({
  slug,
  fields,
  action,
  id,
  values = {},
  secretsSet = {},
  submitLabel,
  disabled,
}: {
  slug: string;
  fields: FieldSpec[];
  action: FormAction;
  id?: number;
  values?: FormValues;
  /** Secret fields that hold a value (the value itself never reaches the browser). */
  secretsSet?: Record<string, boolean>;
  submitLabel: string;
  disabled?: boolean;
}) {
  const { state, onSubmit, pending } = useFormAction(action);
  const initial = (f: FieldSpec) => (id ? values[f.name] : (values[f.name] ?? f.initial));
  return (
    <form onSubmit={onSubmit} className="max-w-2xl space-y-4" noValidate>
      <FormMessage state={state} />
      <input type="hidden" name="service" value={slug} />
      {id && <input type="hidden" name="id" value={id} />}
      <fieldset disabled={disabled} className="grid grid-cols-2 gap-4">
        {fields.filter((f) => f.kind !== "checkbox").map((f) => {
          const hint = f.kind === "password" && Object.values(secretsSet).some(Boolean) && f.setHint ? f.setHint : f.hint;
          const className = `input${f.mono ? " font-mono" : ""}`;
          const value = initial(f);
          return (
            <Field key={f.name} label={f.label} name={f.name} state={state} hint={hint} className={f.wide ? "col-span-2" : undefined}>
              {f.kind === "password" ? (
                <input className={className} type="password" autoComplete="new-password" id={f.name} name={f.name} aria-invalid={Boolean(state.fieldErrors?.[f.name]) || undefined} />
              ) : f.kind === "textarea" ? (
                <textarea className={className} rows={f.rows ?? 4} spellCheck={f.mono ? false : undefined} {...inputProps(f.name, state, value as string | null)} />
              ) : f.kind === "select" ? (
                <select className={className} {...inputProps(f.name, state, value as string | null)}>
                  {f.options?.map((o) => <option key={o.value} value={o.value}>{o.label}</option>)}
                </select>
              ) : (
                <input className={className} inputMode={f.kind === "number" ? "numeric" : undefined} placeholder={f.placeholder} {...inputProps(f.name, state, value as string | number | null)} />
              )}
            </Field>
          );
        })}
        {fields.filter((f) => f.kind === "checkbox").map((f) => {
          const checked = state.values ? state.values[f.name] === "on" : Boolean(initial(f) ?? false);
          return (
            <label key={f.name} className="flex items-center gap-2">
              <input type="checkbox" name={f.name} defaultChecked={checked} /> {f.label}
            </label>
          );
        })}
      </fieldset>
      {!disabled && <SubmitButton pending={pending}>{submitLabel}</SubmitButton>}
    </form>
  );
}
