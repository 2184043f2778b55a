"use client";
import { useEffect, useRef, useState } from "react";
import { createPortal } from "react-dom";
import type { FormAction } from "@/lib/actions/wrapper";
import { FormMessage, SubmitButton, useFormAction } from "./form";

/** A one-button form (delete, retry, forget key…) posting hidden fields to an action. */
export function ActionButton({
  action,
  fields,
  label,
  confirm,
  className = "btn-secondary",
  showSuccess = false,
}: {
  action: FormAction;
  fields: Record<string, string | number>;
  label: string;
  confirm?: string;
  className?: string;
  /** Show the success message in place (for actions that stay on the page). */
  showSuccess?: boolean;
}) {
  const { state, onSubmit, pending } = useFormAction(action, confirm);
  const form = useRef<HTMLFormElement>(null);
  // In a page header, the message goes below the header's row (see PageHeader), not inside it.
  const [slot, setSlot] = useState<Element | null>(null);
  useEffect(() => setSlot(form.current?.closest("[data-page-header]")?.querySelector("[data-header-messages]") ?? null), []);
  const message = state.message && (!state.ok || showSuccess) ? <FormMessage state={state} /> : null;
  return (
    <>
      <form ref={form} onSubmit={onSubmit} className="inline-block">
        {Object.entries(fields).map(([k, v]) => (
          <input key={k} type="hidden" name={k} value={v} />
        ))}
        <SubmitButton pending={pending} className={className}>{label}</SubmitButton>
        {!slot && message}
      </form>
      {slot && message && createPortal(message, slot)}
    </>
  );
}
