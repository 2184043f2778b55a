import Link from "next/link";
import { db } from "@/lib/db";
import { requireUser } from "@/lib/session";
import { PageHeader } from "@/app/ui/page-header";

export default async function Dashboard() {
  await requireUser();
  const since = new Date(Date.now() - 24 * 3600_000);
  const [servers, routes, running, failures] = await Promise.all([
    db.server.count(),
    db.route.count({ where: { active: true } }),
    db.scriptLog.count({ where: { state: { in: ["RECEIVED", "STARTED"] } } }),
    db.scriptLog.count({ where: { createdAt: { gte: since }, state: { in: ["FAILURE", "ERROR", "TIMEOUT", "ABORTED"] } } }),
  ]);
  const cards = [
    { label: "Servers", value: servers, href: "/servers" },
    { label: "Active routes", value: routes, href: "/routes" },
    { label: "Running scripts", value: running, href: "/logs?state=STARTED" },
    { label: "Failures (24 h)", value: failures, href: "/logs?state=FAILURE" },
  ];
  return (
    <>
      <PageHeader title="Dashboard" />
      <div className="grid grid-cols-2 gap-4 md:grid-cols-4">
        {cards.map((c) => (
          <Link key={c.label} href={c.href} className="rounded border border-slate-200 bg-white p-4 hover:border-indigo-300">
            <div className="text-xs uppercase tracking-wide text-slate-500">{c.label}</div>
            <div className="text-2xl font-semibold">{c.value}</div>
          </Link>
        ))}
      </div>
    </>
  );
}
