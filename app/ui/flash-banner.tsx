"use client";
import { useEffect, useRef, useState } from "react";
import { usePathname, useSearchParams } from "next/navigation";
import { FLASH_PARAM, flashCookie, isFlashId, type Flash } from "@/lib/actions/flash";
import { RunList } from "./run-list";

/**
 * Shows the outcome of the action that led here: the flash whose id the URL carries (see
 * lib/actions/flash.ts). Once shown, its cookie is deleted and the id taken out of the URL, so Back,
 * a reload or a link to this page does not show it again; it stays while the page does.
 */
export function FlashBanner({ flashes }: { flashes: Record<string, Flash> }) {
  const pathname = usePathname();
  const params = useSearchParams();
  const id = params.get(FLASH_PARAM);
  const rest = new URLSearchParams(params);
  rest.delete(FLASH_PARAM);
  const here = `${pathname}?${rest}`;
  // Rendered in the layout, this outlives the page: ids already shown here, and the page it was shown on.
  const consumed = useRef(new Set<string>());
  const [shown, setShown] = useState<{ flash: Flash; at: string } | null>(null);
  const fresh = isFlashId(id) && !consumed.current.has(id) ? flashes[id] : undefined;

  useEffect(() => {
    if (fresh && isFlashId(id)) {
      consumed.current.add(id);
      setShown({ flash: fresh, at: here });
      document.cookie = `${flashCookie(id)}=; Max-Age=0; path=/`;
      const url = new URL(window.location.href);
      url.searchParams.delete(FLASH_PARAM);
      window.history.replaceState(null, "", `${url.pathname}${url.search}${url.hash}`);
    } else if (shown && shown.at !== here) {
      setShown(null); // navigated away: the flash was for the page it was made for
    }
  }, [fresh, id, here, shown]);

  const flash = fresh ?? (shown && shown.at === here ? shown.flash : null);
  if (!flash) return null;
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
