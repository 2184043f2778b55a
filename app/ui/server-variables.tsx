import type { EffectiveVariable, UnknownVariable } from "@/lib/services/variables";
import { unknownVariableNotices } from "@/lib/services/variables";

/** The variables the backends routed to a server read, with their effective values; unknown keys warned. */
export function ServerVariables({ variables, unknown }: { variables: EffectiveVariable[]; unknown: UnknownVariable[] }) {
  return (
    <div className="rounded border border-slate-200 bg-white p-3" data-testid="server-variables">
      <h2 className="mb-1 font-semibold">Variables in effect</h2>
      {unknownVariableNotices(unknown).map((n) => (
        <p key={n} className="mb-2 rounded border border-amber-200 bg-amber-50 px-2 py-1 text-amber-800" data-testid="unknown-variable">{n}</p>
      ))}
      {variables.length === 0 ? <p className="text-slate-500">No backend is routed here.</p> : (
        <dl className="space-y-1.5">
          {variables.map((v) => (
            <div key={v.name} data-testid={`variable-${v.name}`}>
              <dt className="font-mono text-xs">
                {v.name} = <span className="break-all">{v.value === "" ? "(empty)" : v.value}</span>{" "}
                <span className="text-slate-500">{v.source === "default" ? "default" : "set here"}</span>
              </dt>
              <dd className="text-xs text-slate-500">{v.description} <span className="font-mono">({v.backends.join(", ")})</span></dd>
            </div>
          ))}
        </dl>
      )}
    </div>
  );
}
