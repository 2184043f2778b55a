"use client";
import { useRouter } from "next/navigation";
import { useEffect } from "react";

/**
 * Re-renders the page's server components when runs changed: asks /api/logs/version (a few indexed
 * reads, lib/data/log-version.ts) every `ms` while the tab is visible, and refreshes only when the
 * answer differs from the `version` the page was rendered with. `active` shows the live marker.
 */
export function RefreshOnChange({ version, active, ms = 2000 }: { version: string; active: boolean; ms?: number }) {
  const router = useRouter();
  useEffect(() => {
    let asked = false;
    // The version a re-render was asked for: asked once, even if the render comes back with the
    // version this page already had (a change undone meanwhile), so the check never stops.
    let requested = version;
    const check = async () => {
      if (asked || document.visibilityState !== "visible") return;
      asked = true;
      try {
        const response = await fetch("/api/logs/version", { cache: "no-store" });
        if (!response.ok) return;
        const body = (await response.json()) as { version?: string };
        if (body.version && body.version !== version && body.version !== requested) {
          requested = body.version;
          router.refresh();
        }
      } catch {
        // offline for a moment: ask again next time
      } finally {
        asked = false;
      }
    };
    const timer = setInterval(check, ms);
    return () => clearInterval(timer);
  }, [version, ms, router]);
  return active ? <span data-testid="live" className="animate-pulse text-xs text-amber-700">● live</span> : null;
}
