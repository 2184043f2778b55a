import type { DayCount } from "@/lib/data/dashboard";

/** The least height of a day with runs: a scale shared by every server must not round a quiet day away. */
const MIN_BAR = 2;

/** Heights of a day's two bars on a scale of `usable` pixels for `max` runs. */
export function barHeights(day: Pick<DayCount, "ok" | "failed">, max: number, usable: number): { ok: number; failed: number } {
  const scale = (n: number) => (n > 0 && max > 0 ? Math.max(MIN_BAR, Math.round((n / max) * usable)) : 0);
  let ok = scale(day.ok);
  let failed = scale(day.failed);
  // The minimum can push a day past the top: take the excess from the taller bar.
  const excess = ok + failed - usable;
  if (excess > 0) {
    if (ok >= failed) ok -= excess;
    else failed -= excess;
  }
  return { ok, failed };
}

/**
 * Small bar chart of one server's runs per day: green succeeded, red failed. Server-rendered SVG. `max`
 * is shared by every server of the dashboard, so the busiest server sets the scale; a day with a single
 * run (today, early on, on a quiet server) still gets a visible bar.
 */
export function RunsChart({ days, max }: { days: DayCount[]; max: number }) {
  const height = 48;
  const bar = 18;
  const gap = 6;
  return (
    <svg width={days.length * (bar + gap)} height={height + 14} className="shrink-0" role="img" aria-label={days.map((d) => `${d.day}: ${d.ok} ok, ${d.failed} failed`).join("; ")}>
      {days.map((d, i) => {
        const { ok, failed } = barHeights(d, max, height - 2);
        const x = i * (bar + gap);
        return (
          <g key={d.day} data-day={d.day}>
            <title>{`${d.day}: ${d.ok} succeeded, ${d.failed} failed`}</title>
            <rect x={x} y={height - ok - failed} width={bar} height={failed} className="fill-red-500" data-bar="failed" />
            <rect x={x} y={height - ok} width={bar} height={ok} className="fill-emerald-500" data-bar="ok" />
            <rect x={x} y={height} width={bar} height={1} className="fill-slate-300" />
            <text x={x + bar / 2} y={height + 12} textAnchor="middle" className="fill-slate-500 text-[9px]">{d.day.slice(3)}</text>
          </g>
        );
      })}
    </svg>
  );
}
