import type { Metadata } from "next";
import Link from "next/link";
import { db } from "@/lib/db";
import { requireUser } from "@/lib/session";
import { fetchCertificates, fetchExpiringCertificates, renewalSchedules } from "@/lib/data/certificates";
import { Empty, PageHeader } from "@/app/ui/page-header";
import { CertificatesTable } from "@/app/ui/certificates-table";

export const metadata: Metadata = { title: "Certificates" };

export default async function CertificatesPage() {
  await requireUser();
  const [expiring, all, schedules] = await Promise.all([fetchExpiringCertificates(db, 30), fetchCertificates(db), renewalSchedules(db)]);
  return (
    <>
      <PageHeader title="Certificates" />
      <p className="mb-3 max-w-3xl text-slate-600">
        The HTTPS certificates of websites, as each server reported them after its last request to the ACME authority. A{" "}
        <Link className="link" href="/schedules">
          renew-certificates schedule
        </Link>{" "}
        renews those expiring soon; the private keys stay on the servers.
      </p>
      {schedules.length === 0 ? (
        <p className="mb-4 max-w-3xl rounded border border-amber-300 bg-amber-50 p-2 text-sm text-amber-900" data-testid="no-renewal">
          No active schedule renews certificates: add one of kind <em>Renew certificates</em> (e.g. daily, <code>0 4 * * *</code>) under Schedules.
        </p>
      ) : (
        <p className="mb-4 text-sm text-slate-600" data-testid="renewal">
          Renewed by{" "}
          {schedules.map((s, i) => (
            <span key={s.id}>
              {i > 0 && ", "}
              <Link className="link" href={`/schedules/${s.id}`}>
                {s.name}
              </Link>{" "}
              (<code>{s.cron}</code>)
            </span>
          ))}
          .
        </p>
      )}
      <h2 className="mb-2 font-semibold">Expiring within 30 days</h2>
      {expiring.length === 0 ? <Empty>No certificate expires within 30 days, and none failed.</Empty> : <CertificatesTable rows={expiring} testId="expiring-certificates" />}
      <h2 className="mt-6 mb-2 font-semibold">All certificates</h2>
      {all.length === 0 ? <Empty>No website has a certificate yet.</Empty> : <CertificatesTable rows={all} testId="certificates" />}
    </>
  );
}
