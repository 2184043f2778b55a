import Link from "next/link";
import { expiresIn, type CertificateRow } from "@/lib/data/certificates";
import { formatDate } from "@/app/ui/page-header";

/** Certificates as their servers reported them: where, which names, until when, and the last failure. */
export function CertificatesTable({ rows, testId, showWebsite = true }: { rows: CertificateRow[]; testId: string; showWebsite?: boolean }) {
  const now = new Date();
  return (
    <table className="table" data-testid={testId}>
      <thead>
        <tr>
          {showWebsite && <th>Website</th>}
          <th>Server</th>
          <th>Domains</th>
          <th>Expires</th>
          <th>Last request</th>
        </tr>
      </thead>
      <tbody>
        {rows.map((c) => (
          <tr key={c.id} data-certificate={`${c.website.name}@${c.server.name}`}>
            {showWebsite && (
              <td>
                <Link className="link font-mono text-xs" href={`/services/websites/${c.website.id}`}>
                  {c.website.name}
                </Link>
              </td>
            )}
            <td>
              <Link className="link" href={`/servers/${c.server.id}`}>
                {c.server.name}
              </Link>
            </td>
            <td className="font-mono text-xs">{c.domains.join(" ") || "—"}</td>
            <td className={c.notAfter && c.notAfter.getTime() - now.getTime() < 30 * 86_400_000 ? "text-amber-700" : undefined}>
              <span title={formatDate(c.notAfter)}>{formatDate(c.notAfter)}</span> <span className="text-xs text-slate-500">({expiresIn(c.notAfter, now)})</span>
            </td>
            <td className="text-xs">
              {c.lastError ? <span className="text-red-700">failed</span> : "ok"}
              {c.lastLogId && (
                <>
                  {" "}
                  <Link className="link" href={`/logs/${c.lastLogId}`}>
                    log #{c.lastLogId}
                  </Link>
                </>
              )}
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
