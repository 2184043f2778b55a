"use client";
import { Field, FormMessage, SubmitButton, inputProps, useFormAction } from "@/app/ui/form";
import type { FormAction } from "@/lib/actions/wrapper";

export type ServerFormValues = {
  id?: number;
  name: string;
  address: string;
  port: number;
  sshUser: string;
  os: string;
  description: string;
  variables: string;
};

export function ServerForm({ action, server, disabled }: { action: FormAction; server?: ServerFormValues; disabled?: boolean }) {
  const { state, onSubmit, pending } = useFormAction(action);
  return (
    <form onSubmit={onSubmit} className="max-w-2xl space-y-4" noValidate>
      <FormMessage state={state} />
      {server?.id && <input type="hidden" name="id" value={server.id} />}
      <fieldset disabled={disabled} className="grid grid-cols-2 gap-4">
        <Field label="Name" name="name" state={state}>
          <input className="input" {...inputProps("name", state, server?.name)} />
        </Field>
        <Field label="Address" name="address" state={state} hint="Hostname or IP address">
          <input className="input" {...inputProps("address", state, server?.address)} />
        </Field>
        <Field label="SSH port" name="port" state={state}>
          <input className="input" inputMode="numeric" {...inputProps("port", state, server?.port ?? 22)} />
        </Field>
        <Field label="SSH user" name="sshUser" state={state}>
          <input className="input" {...inputProps("sshUser", state, server?.sshUser ?? "root")} />
        </Field>
        <Field label="Operating system" name="os" state={state}>
          <input className="input" {...inputProps("os", state, server?.os ?? "linux")} />
        </Field>
        <Field label="Description" name="description" state={state}>
          <input className="input" {...inputProps("description", state, server?.description)} />
        </Field>
        <div className="col-span-2">
          <Field label="Variables" name="variables" state={state} hint="One KEY=value per line; backends read them (paths, commands).">
            <textarea className="input font-mono" rows={5} {...inputProps("variables", state, server?.variables)} />
          </Field>
        </div>
      </fieldset>
      {!disabled && <SubmitButton pending={pending}>{server?.id ? "Save server" : "Add server"}</SubmitButton>}
    </form>
  );
}
