import Link from "next/link";
import type { RunReport } from "@/lib/actions/state";
import { StateBadge } from "./state-badge";

/** Which servers ran what because of an action, and how it went. */
export function RunList({ runs, notices = [] }: { runs: RunReport[]; notices?: string[] }) {
  return (
    <>
    {notices.length > 0 && (
      <ul className="mt-1 space-y-0.5 text-amber-800" data-testid="notices">
        {notices.map((n) => <li key={n}>{n}</li>)}
      </ul>
    )}
    <ul className="mt-1 space-y-0.5" data-testid="runs">
      {runs.map((run) => (
        <li key={run.logId} className="flex items-center gap-2">
          <StateBadge state={run.state} />
          <span>
            {run.backend} on <strong>{run.server}</strong>: {run.operations.join(", ")}
          </span>
          <Link className="link" href={`/logs/${run.logId}`}>
            log #{run.logId}
          </Link>
        </li>
      ))}
    </ul>
    </>
  );
}
