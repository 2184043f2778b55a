const COLORS: Record<string, string> = {
  SUCCESS: "bg-emerald-100 text-emerald-800",
  NOTHING: "bg-slate-100 text-slate-600",
  RECEIVED: "bg-sky-100 text-sky-800",
  PENDING: "bg-sky-100 text-sky-800",
  STARTED: "bg-amber-100 text-amber-800",
  RUNNING: "bg-amber-100 text-amber-800",
  FAILURE: "bg-red-100 text-red-800",
  ERROR: "bg-red-200 text-red-900",
  TIMEOUT: "bg-orange-100 text-orange-800",
  UNREACHABLE: "bg-orange-200 text-orange-900",
  ABORTED: "bg-fuchsia-100 text-fuchsia-800",
  CANCELLED: "bg-slate-200 text-slate-700",
  SUPERSEDED: "bg-slate-100 text-slate-500",
  REVOKED: "bg-slate-200 text-slate-700",
  // notification deliveries
  SENT: "bg-emerald-100 text-emerald-800",
  FAILED: "bg-red-100 text-red-800",
  // convergence of a (server, object) pair
  "in sync": "bg-emerald-100 text-emerald-800",
  pending: "bg-sky-100 text-sky-800",
  failed: "bg-red-100 text-red-800",
  drifted: "bg-orange-200 text-orange-900",
  unknown: "bg-slate-100 text-slate-600",
  leftover: "bg-fuchsia-100 text-fuchsia-800",
};

export function StateBadge({ state }: { state: string }) {
  return (
    <span data-state={state} className={`inline-block rounded px-1.5 py-0.5 font-mono text-xs font-semibold ${COLORS[state] ?? "bg-slate-100"}`}>
      {state}
    </span>
  );
}
