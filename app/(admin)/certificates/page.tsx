import type { Metadata } from "next";
import Link from "next/link";
import { db } from "@/lib/db";
import { requireUser } from "@/lib/session";
import { fetchCertificates, fetchExpiringCertificates } from "@/lib/data/certificates";
import { Empty, PageHeader } from "@/app/ui/page-header";
import { CertificatesTable } from "@/app/ui/certificates-table";

export const metadata: Metadata = { title: "Certificates" };

export default async function CertificatesPage() {
  await requireUser();
  const [expiring, all] = await Promise.all([fetchExpiringCertificates(db, 30), fetchCertificates(db)]);
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
      <h2 className="mb-2 font-semibold">Expiring within 30 days</h2>
      {expiring.length === 0 ? <Empty>No certificate expires within 30 days, and none failed.</Empty> : <CertificatesTable rows={expiring} testId="expiring-certificates" />}
      <h2 className="mt-6 mb-2 font-semibold">All certificates</h2>
      {all.length === 0 ? <Empty>No website has a certificate yet.</Empty> : <CertificatesTable rows={all} testId="certificates" />}
    </>
  );
}
