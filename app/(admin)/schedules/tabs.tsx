import Link from "next/link";

/** Schedules and notification channels: periodic work and who hears about it (channels: admins). */
export function AutomationTabs({ current, admin }: { current: "schedules" | "notifications"; admin: boolean }) {
  const tabs = [
    { key: "schedules", href: "/schedules", label: "Schedules" },
    ...(admin ? [{ key: "notifications", href: "/notifications", label: "Notification channels" }] : []),
  ];
  if (tabs.length < 2) return null;
  return (
    <nav className="mb-4 flex gap-1 border-b border-slate-200" aria-label="Automation">
      {tabs.map((t) => (
        <Link
          key={t.key}
          href={t.href}
          aria-current={t.key === current ? "page" : undefined}
          className={`-mb-px rounded-t border px-3 py-1.5 ${t.key === current ? "border-slate-200 border-b-white bg-white font-medium" : "border-transparent text-slate-600 hover:text-slate-900"}`}
        >
          {t.label}
        </Link>
      ))}
    </nav>
  );
}
