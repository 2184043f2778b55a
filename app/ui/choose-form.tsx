"use client";
// A table whose rows can be chosen (checkboxes) and posted together to one action.
import { useRef, useState } from "react";
import type { FormAction } from "@/lib/actions/wrapper";
import { FormMessage, SubmitButton, useFormAction } from "./form";

export function ChooseForm({ action, fields, label, confirm, testId, children }: { action: FormAction; fields: Record<string, string>; label: string; confirm?: string; testId?: string; children: React.ReactNode }) {
  const form = useRef<HTMLFormElement>(null);
  const [count, setCount] = useState(0);
  const { state, onSubmit, pending } = useFormAction(action, confirm);
  const recount = () => setCount(form.current?.querySelectorAll<HTMLInputElement>("input[data-choose]:checked").length ?? 0);
  return (
    <form ref={form} onSubmit={onSubmit} onChange={recount} data-testid={testId}>
      {Object.entries(fields).map(([k, v]) => <input key={k} type="hidden" name={k} value={v} />)}
      <div className="mb-2 flex items-center gap-2">
        <label className="flex items-center gap-1 text-slate-600">
          <input
            type="checkbox"
            aria-label={`Choose every row (${label})`}
            onChange={(e) => {
              form.current?.querySelectorAll<HTMLInputElement>("input[data-choose]").forEach((box) => (box.checked = e.currentTarget.checked));
              recount();
            }}
          />
          {count} chosen
        </label>
        <SubmitButton pending={pending} className="btn-secondary">{label}</SubmitButton>
      </div>
      {state.message && <FormMessage state={state} />}
      {children}
    </form>
  );
}
