"use client";
// A list whose rows can be chosen (checkboxes named `ids`) and acted on together: each button names
// the action it posts to, with its own hidden fields and confirmation.
import { useRef, useState } from "react";
import type { FormAction } from "@/lib/actions/wrapper";
import { FormMessage, useFormAction } from "./form";

export type BulkButton = { key: string; label: string; action: "run" | "delete"; fields: Record<string, string>; confirm?: string; danger?: boolean };

export function BulkForm({ slug, back, buttons, run, remove, children }: { slug: string; back: string; buttons: BulkButton[]; run: FormAction; remove: FormAction; children: React.ReactNode }) {
  const form = useRef<HTMLFormElement>(null);
  const [count, setCount] = useState(0);
  const runState = useFormAction(run);
  const deleteState = useFormAction(remove);
  const state = deleteState.state.message ? deleteState.state : runState.state;
  const pending = runState.pending || deleteState.pending;
  const recount = () => setCount(form.current?.querySelectorAll<HTMLInputElement>('input[name="ids"]:checked').length ?? 0);
  const onSubmit = (event: React.FormEvent<HTMLFormElement>) => {
    const submitter = (event.nativeEvent as SubmitEvent).submitter as HTMLButtonElement | null;
    const button = buttons.find((b) => b.key === submitter?.value);
    if (!button) return event.preventDefault();
    const target = button.action === "delete" ? deleteState : runState;
    const confirmText = (button.confirm ?? "").replace("{n}", String(count));
    if (confirmText && !window.confirm(confirmText)) return event.preventDefault();
    for (const [k, v] of Object.entries(button.fields)) {
      const input = document.createElement("input");
      Object.assign(input, { type: "hidden", name: k, value: v });
      input.dataset.bulk = "1";
      event.currentTarget.appendChild(input);
    }
    target.onSubmit(event);
    event.currentTarget.querySelectorAll("input[data-bulk]").forEach((i) => i.remove());
  };
  return (
    <form ref={form} onSubmit={onSubmit} onChange={recount} data-testid="bulk-form">
      <input type="hidden" name="service" value={slug} />
      <input type="hidden" name="back" value={back} />
      <div className="mb-2 flex flex-wrap items-center gap-2">
        <label className="flex items-center gap-1 text-slate-600">
          <input
            type="checkbox"
            aria-label="Choose every row of this page"
            onChange={(e) => {
              form.current?.querySelectorAll<HTMLInputElement>('input[name="ids"]').forEach((box) => (box.checked = e.currentTarget.checked));
              recount();
            }}
          />
          <span data-testid="chosen">{count} chosen</span>
        </label>
        {buttons.map((b) => (
          <button key={b.key} name="bulk" value={b.key} className={b.danger ? "btn-danger" : "btn-secondary"} disabled={pending || count === 0}>
            {b.label}
          </button>
        ))}
      </div>
      {state.message && <FormMessage state={state} />}
      {children}
    </form>
  );
}
