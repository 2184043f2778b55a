import type { DayCount } from "@/lib/data/dashboard";

/** Small bar chart of one server's runs per day: green succeeded, red failed. Server-rendered SVG. */
export function RunsChart({ days, max }: { days: DayCount[]; max: number }) {
  const height = 48;
  const bar = 18;
  const gap = 6;
  const scale = (n: number) => (max ? Math.round((n / max) * (height - 2)) : 0);
  return (
    <svg width={days.length * (bar + gap)} height={height + 14} role="img" aria-label={days.map((d) => `${d.day}: ${d.ok} ok, ${d.failed} failed`).join("; ")}>
      {days.map((d, i) => {
        const ok = scale(d.ok);
        const failed = scale(d.failed);
        const x = i * (bar + gap);
        return (
          <g key={d.day}>
            <title>{`${d.day}: ${d.ok} succeeded, ${d.failed} failed`}</title>
            <rect x={x} y={height - ok - failed} width={bar} height={failed} className="fill-red-500" />
            <rect x={x} y={height - ok} width={bar} height={ok} className="fill-emerald-500" />
            <rect x={x} y={height} width={bar} height={1} className="fill-slate-300" />
            <text x={x + bar / 2} y={height + 12} textAnchor="middle" className="fill-slate-500 text-[9px]">{d.day.slice(3)}</text>
          </g>
        );
      })}
    </svg>
  );
}
