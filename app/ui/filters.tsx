/** A GET form of filters: the URL holds the state, so filtered views can be shared and bookmarked. */
export function Filters({ children, reset }: { children: React.ReactNode; reset: string }) {
  return (
    <form className="mb-3 flex flex-wrap items-end gap-2" method="get">
      {children}
      <button className="btn-secondary">Filter</button>
      <a className="link self-center" href={reset}>Reset</a>
    </form>
  );
}

export function Select({ name, label, value, options }: { name: string; label: string; value?: string | number; options: Array<{ value: string | number; label: string }> }) {
  return (
    <label className="text-xs">
      <span className="mb-0.5 block text-slate-600">{label}</span>
      <select name={name} defaultValue={value ?? ""} className="input w-40">
        <option value="">any</option>
        {options.map((o) => (
          <option key={o.value} value={o.value}>{o.label}</option>
        ))}
      </select>
    </label>
  );
}

export function duration(start: Date | null, end: Date | null): string {
  if (!start) return "—";
  const ms = (end ?? new Date()).getTime() - start.getTime();
  return ms < 1000 ? `${ms} ms` : `${(ms / 1000).toFixed(1)} s`;
}
