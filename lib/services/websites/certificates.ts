// What Orchestra knows of a website's certificates: the lines the nginx-websites script prints for each
// HTTPS site (./https.ts), kept as Certificate rows per (website, server). Nothing secret is printed:
// the domains and notAfter come from the certificate (public), the key never leaves the server.
import type { Db } from "@/lib/db-client";
import type { RunOutput } from "@/lib/orchestration/backend";

export type CertificateLine = { site: string; state: "valid" | "failed" | "absent"; notAfter: Date | null; domains: string[] };

const LINE = /^orchestra-certificate site=([a-z0-9][a-z0-9_-]{0,62}) state=(valid|failed|absent)(?: notAfter=(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ) domains=([a-z0-9.,*-]*))?$/;

/** The certificate lines of a run's stdout; the last line of a site wins. */
export function certificateLines(stdout: string): CertificateLine[] {
  const bySite = new Map<string, CertificateLine>();
  for (const text of stdout.split("\n")) {
    const m = LINE.exec(text.trim());
    if (!m) continue;
    bySite.set(m[1], { site: m[1], state: m[2] as CertificateLine["state"], notAfter: m[3] ? new Date(m[3]) : null, domains: m[4] ? m[4].split(",").filter(Boolean) : [] });
  }
  return [...bySite.values()];
}

/** Records the certificates a run reported (the nginx-websites backend's `recordOutput`). */
export async function recordCertificates(db: Db, run: RunOutput): Promise<void> {
  for (const line of certificateLines(run.stdout)) {
    const website = await db.website.findUnique({ where: { name: line.site }, select: { id: true } });
    if (!website) continue; // deleted meanwhile (its rows went with it)
    const key = { websiteId_serverId: { websiteId: website.id, serverId: run.serverId } };
    if (line.state === "absent") {
      await db.certificate.deleteMany({ where: { websiteId: website.id, serverId: run.serverId } });
      continue;
    }
    const known = line.notAfter ? { notAfter: line.notAfter, domains: line.domains } : {};
    const lastError = line.state === "failed" ? `The last request for a certificate failed (script log #${run.logId}).` : "";
    await db.certificate.upsert({
      where: key,
      create: { websiteId: website.id, serverId: run.serverId, ...known, lastError, lastLogId: run.logId },
      update: { ...known, lastError, lastLogId: run.logId },
    });
  }
}
