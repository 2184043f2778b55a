"use client";
import { useRouter } from "next/navigation";
import { useEffect } from "react";

/** Re-renders the page's server components every `ms` while `active` (live tail, no full reload). */
export function AutoRefresh({ active, ms = 1000 }: { active: boolean; ms?: number }) {
  const router = useRouter();
  useEffect(() => {
    if (!active) return;
    const timer = setInterval(() => router.refresh(), ms);
    return () => clearInterval(timer);
  }, [active, ms, router]);
  return active ? <span data-testid="live" className="animate-pulse text-xs text-amber-700">● live</span> : null;
}
