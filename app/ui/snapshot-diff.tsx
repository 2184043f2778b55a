type Json = Record<string, unknown> | null;

const raw = (v: unknown) => (v === undefined ? "" : JSON.stringify(v));
const asList = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);

/** What an item of a list field is called: a related row by its name, anything else by its JSON. */
function itemLabel(item: unknown): string {
  if (item && typeof item === "object" && !Array.isArray(item)) {
    const o = item as Record<string, unknown>;
    for (const key of ["name", "username", "title"]) if (typeof o[key] === "string") return o[key] as string;
  }
  return typeof item === "string" ? item : raw(item);
}

/**
 * A list field (a website's domains) item by item: removed ones struck out, added ones marked, kept
 * ones plain. Related rows are matched by name, not id: a domain removed and added again is kept.
 */
function ListChange({ before, after }: { before: unknown[]; after: unknown[] }) {
  const was = before.map(itemLabel);
  const now = after.map(itemLabel);
  const items = [
    ...was.map((label) => ({ label, kind: now.includes(label) ? "kept" : "removed" })),
    ...now.filter((label) => !was.includes(label)).map((label) => ({ label, kind: "added" })),
  ];
  if (items.length === 0) return <span className="text-slate-400">(none)</span>;
  return (
    <ul data-testid="list-change">
      {items.map(({ label, kind }) => (
        <li key={`${kind}:${label}`}>
          {kind === "removed" ? (
            <del className="text-red-700" title="removed">− {label}</del>
          ) : kind === "added" ? (
            <ins className="text-emerald-700 no-underline" title="added">+ {label}</ins>
          ) : (
            <span>{label}</span>
          )}
        </li>
      ))}
    </ul>
  );
}

/** Field-by-field before/after of an operation's snapshots; secret fields show only whether they changed. */
export function SnapshotDiff({ before, after, secret }: { before: Json; after: Json; secret: readonly string[] }) {
  const keys = [...new Set([...Object.keys(before ?? {}), ...Object.keys(after ?? {})])];
  const masked = (k: string, v: unknown) => (secret.includes(k) && v != null ? "********" : raw(v));
  return (
    <table className="table font-mono text-xs" data-testid="snapshot-diff">
      <thead><tr><th>Field</th><th>Before</th><th>After</th></tr></thead>
      <tbody>
        {keys.map((k) => {
          const changed = raw(before?.[k]) !== raw(after?.[k]);
          const list = !secret.includes(k) && (Array.isArray(before?.[k]) || Array.isArray(after?.[k]));
          return (
            <tr key={k} data-field={k} className={changed ? "bg-amber-50" : ""}>
              <td>{k}</td>
              {list ? (
                <td colSpan={2}>
                  <ListChange before={asList(before?.[k])} after={asList(after?.[k])} />
                </td>
              ) : (
                <>
                  <td className={changed ? "text-red-700" : ""}>{before ? masked(k, before[k]) : "—"}</td>
                  <td className={changed ? "text-emerald-700" : ""}>{after ? masked(k, after[k]) : "—"}</td>
                </>
              )}
            </tr>
          );
        })}
      </tbody>
    </table>
  );
}
