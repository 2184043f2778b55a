"use client";
import { Field, FormMessage, SubmitButton, inputProps, useFormAction } from "@/app/ui/form";
import type { FormAction } from "@/lib/actions/wrapper";

type Values = { id?: number; name: string; domains: string; documentRoot: string; enabled: boolean; description: string };

export function WebsiteForm({ action, site, disabled }: { action: FormAction; site?: Values; disabled?: boolean }) {
  const { state, onSubmit, pending } = useFormAction(action);
  const enabled = state.values ? state.values.enabled === "on" : (site?.enabled ?? true);
  return (
    <form onSubmit={onSubmit} className="max-w-2xl space-y-4" noValidate>
      <FormMessage state={state} />
      {site?.id && <input type="hidden" name="id" value={site.id} />}
      <fieldset disabled={disabled} className="grid grid-cols-2 gap-4">
        <Field label="Name" name="name" state={state}><input className="input font-mono" {...inputProps("name", state, site?.name)} /></Field>
        <Field label="Document root" name="documentRoot" state={state} hint="Empty: WEBSITES_ROOT/<name> on the server."><input className="input font-mono" {...inputProps("documentRoot", state, site?.documentRoot)} /></Field>
        <div className="col-span-2">
          <Field label="Domains" name="domains" state={state} hint="One per line (or separated by spaces). A site without domains is not served.">
            <textarea className="input font-mono" rows={3} {...inputProps("domains", state, site?.domains)} />
          </Field>
        </div>
        <Field label="Description" name="description" state={state}><input className="input" {...inputProps("description", state, site?.description)} /></Field>
        <label className="flex items-center gap-2 self-end"><input type="checkbox" name="enabled" defaultChecked={enabled} /> Enabled (served by nginx)</label>
      </fieldset>
      {!disabled && <SubmitButton pending={pending}>{site?.id ? "Save website" : "Add website"}</SubmitButton>}
    </form>
  );
}
