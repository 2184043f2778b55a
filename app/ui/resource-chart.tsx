import type { ResourceSeries } from "@/lib/data/resources";

const COLORS = ["stroke-sky-600", "stroke-violet-600", "stroke-amber-600", "stroke-teal-600"];
const DOTS = ["fill-sky-600", "fill-violet-600", "fill-amber-600", "fill-teal-600"];
const KEYS = ["bg-sky-600", "bg-violet-600", "bg-amber-600", "bg-teal-600"];

export type ChartGeometry = { lines: Array<{ server: string; points: Array<{ x: number; y: number }> }>; limitY: number | null; max: number; from: Date | null; to: Date | null };

/**
 * Where each measurement goes in a `width` × `height` box: time left to right, zero at the bottom,
 * the top at the largest value or the limit (whichever is higher), so the limit line is always in view.
 */
export function chartGeometry(series: readonly ResourceSeries[], limit: number | null, width: number, height: number): ChartGeometry {
  const all = series.flatMap((s) => s.points);
  if (all.length === 0) return { lines: [], limitY: null, max: limit ?? 0, from: null, to: null };
  const times = all.map((p) => p.at.getTime());
  const from = Math.min(...times);
  const to = Math.max(...times);
  const max = Math.max(...all.map((p) => p.value), limit ?? 0) * 1.1 || 1;
  const x = (t: number) => (to === from ? width / 2 : ((t - from) / (to - from)) * width);
  const y = (v: number) => height - (v / max) * height;
  return {
    lines: series.map((s) => ({ server: s.server, points: s.points.map((p) => ({ x: x(p.at.getTime()), y: y(p.value) })) })),
    limitY: limit === null ? null : y(limit),
    max,
    from: new Date(from),
    to: new Date(to),
  };
}

const day = (d: Date) => d.toISOString().slice(5, 16).replace("T", " ");

/** A small line chart of one resource over time, one line per server, the limit dashed. Server-rendered SVG. */
export function ResourceChart({ series, limit, unit, title }: { series: ResourceSeries[]; limit: number | null; unit: string; title: string }) {
  const width = 320;
  const height = 80;
  const pad = 4;
  const top = 14; // room for the scale's label above the highest point
  const g = chartGeometry(series, limit, width - 2 * pad, height - top - pad);
  if (g.lines.length === 0) return <p className="text-xs text-slate-500">No measurement yet.</p>;
  const points = series.reduce((n, s) => n + s.points.length, 0);
  return (
    <figure>
      <svg width={width} height={height + 14} role="img" aria-label={`${title}: ${points} measurement(s) from ${day(g.from!)} to ${day(g.to!)} UTC${limit !== null ? `, limit ${limit} ${unit}` : ""}`} data-testid="resource-chart">
        <rect x={0} y={0} width={width} height={height} className="fill-slate-50 stroke-slate-200" />
        {g.limitY !== null && <line x1={pad} x2={width - pad} y1={g.limitY + top} y2={g.limitY + top} className="stroke-red-500" strokeDasharray="4 3" data-line="limit" />}
        {g.lines.map((line, i) => (
          <g key={line.server} data-server={line.server}>
            <title>{line.server}</title>
            {line.points.length > 1 && <polyline fill="none" strokeWidth={1.5} className={COLORS[i % COLORS.length]} points={line.points.map((p) => `${(p.x + pad).toFixed(1)},${(p.y + top).toFixed(1)}`).join(" ")} />}
            {line.points.length <= 40 && line.points.map((p, j) => <circle key={j} cx={p.x + pad} cy={p.y + top} r={2} className={DOTS[i % DOTS.length]} />)}
          </g>
        ))}
        <text x={pad} y={height + 12} className="fill-slate-500 text-[9px]">{day(g.from!)}</text>
        <text x={width - pad} y={height + 12} textAnchor="end" className="fill-slate-500 text-[9px]">{day(g.to!)} UTC</text>
        <text x={width - pad} y={11} textAnchor="end" className="fill-slate-500 text-[9px]">{`${Number(g.max.toPrecision(3))} ${unit}`}</text>
      </svg>
      {series.length > 1 && (
        <figcaption className="text-xs text-slate-500">
          {series.map((s, i) => <span key={s.serverId} className="mr-3"><span className={`inline-block h-2 w-2 rounded-full ${KEYS[i % KEYS.length]}`} /> {s.server}</span>)}
        </figcaption>
      )}
    </figure>
  );
}
