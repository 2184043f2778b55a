import { Suspense } from "react";
import { cookies } from "next/headers";
import { requireUser } from "@/lib/session";
import { readFlashes } from "@/lib/actions/flash";
import { FlashBanner } from "@/app/ui/flash-banner";
import { NavLink } from "@/app/ui/nav-link";

const NAV = [
  { href: "/", label: "Dashboard" },
  { href: "/servers", label: "Servers" },
  { href: "/routes", label: "Routes" },
  { href: "/operations", label: "Operations" },
  { href: "/logs", label: "Script logs" },
  { href: "/services", label: "Services" },
  { href: "/certificates", label: "Certificates" },
  { href: "/convergence", label: "Convergence" },
  { href: "/schedules", label: "Schedules" },
  { href: "/settings", label: "Settings" },
  { href: "/tokens", label: "API tokens" },
  { href: "/users", label: "Users", role: "admin" as const },
  { href: "/audit", label: "Audit log", role: "admin" as const },
];

export default async function AdminLayout({ children }: { children: React.ReactNode }) {
  const user = await requireUser();
  // Every waiting flash; the banner shows the one whose id the URL carries, if any.
  const flashes = readFlashes((await cookies()).getAll());
  return (
    <div className="flex min-h-screen">
      <aside className="w-52 shrink-0 border-r border-slate-200 bg-slate-900 text-slate-200">
        <div className="px-4 py-3 text-base font-semibold text-white">Orchestra</div>
        <nav className="flex flex-col px-2" aria-label="Main">
          {NAV.filter((item) => !item.role || user.role === item.role).map((item) => (
            <NavLink key={item.href} href={item.href}>
              {item.label}
            </NavLink>
          ))}
        </nav>
      </aside>
      <div className="flex min-w-0 flex-1 flex-col">
        <header className="flex items-center justify-end gap-3 border-b border-slate-200 bg-white px-6 py-2">
          <span data-testid="current-user">
            {user.name || user.email} <span className="rounded bg-slate-100 px-1.5 py-0.5 text-xs text-slate-600">{user.role}</span>
          </span>
          <form action="/logout" method="post">
            <button className="btn-secondary">Sign out</button>
          </form>
        </header>
        <main className="mx-auto w-full max-w-7xl flex-1 px-6 py-5">
          <Suspense fallback={null}>
            <FlashBanner flashes={flashes} />
          </Suspense>
          {children}
        </main>
      </div>
    </div>
  );
}
