"use client";
import { useEffect } from "react";
import type { Flash } from "@/lib/actions/flash";
import { RunList } from "./run-list";

/** Shows the outcome of the last action once, then forgets it. */
export function FlashBanner({ flash }: { flash: Flash }) {
  useEffect(() => {
    document.cookie = "orchestra-flash=; Max-Age=0; path=/";
  }, []);
  return (
    <div
      data-testid="flash"
      role="status"
      className={`mb-4 rounded border px-3 py-2 ${flash.ok ? "border-emerald-200 bg-emerald-50 text-emerald-800" : "border-red-200 bg-red-50 text-red-800"}`}
    >
      <p>{flash.message}</p>
      {((flash.runs?.length ?? 0) > 0 || (flash.notices?.length ?? 0) > 0) && <RunList runs={flash.runs ?? []} notices={flash.notices} />}
    </div>
  );
}
