import Link from "next/link";
import { requireUser } from "@/lib/session";
import { PageHeader } from "@/app/ui/page-header";
import { SERVICES } from "@/lib/services";

export default async function ServicesPage() {
  await requireUser();
  return (
    <>
      <PageHeader title="Services" />
      <ul className="grid gap-3 md:grid-cols-3">
        {SERVICES.map((s) => (
          <li key={s.slug}>
            <Link href={`/services/${s.slug}`} className="block rounded border border-slate-200 bg-white p-4 hover:border-indigo-300">
              <div className="font-semibold">{s.title}</div>
              <div className="text-slate-500">{s.description}</div>
            </Link>
          </li>
        ))}
      </ul>
    </>
  );
}
