import type { Metadata } from "next";
import { requireUser } from "@/lib/session";
import { hasRole } from "@/lib/roles";
import { engine } from "@/lib/orchestra";
import { convergence, countStates, PAIR_STATES } from "@/lib/orchestration/convergence";
import { PageHeader } from "@/app/ui/page-header";
import { Filters, Select } from "@/app/ui/filters";
import { ActionButton } from "@/app/ui/confirm-button";
import { StateBadge } from "@/app/ui/state-badge";
import { PairsTable } from "@/app/ui/pairs-table";
import { db } from "@/lib/db";
import { checkNow } from "./actions";

export const metadata: Metadata = { title: "Convergence" };

type Params = Record<string, string | string[] | undefined>;

export default async function ConvergencePage({ searchParams }: { searchParams: Promise<Params> }) {
  const user = await requireUser();
  const params = await searchParams;
  const one = (k: string) => (typeof params[k] === "string" && params[k] ? (params[k] as string) : undefined);
  const serverId = Number(one("server")) || undefined;
  const backend = one("backend");
  const state = PAIR_STATES.find((s) => s === one("state"));
  const { pairs, leftovers } = await convergence(engine, { serverId, backend });
  const counts = countStates(pairs);
  const shown = state ? pairs.filter((p) => p.state === state) : pairs;
  const servers = await db.server.findMany({ where: { archivedAt: null }, orderBy: { name: "asc" }, select: { id: true, name: true } });
  const back = `/convergence${Object.keys(params).length ? `?${new URLSearchParams(Object.entries(params).filter(([, v]) => typeof v === "string") as [string, string][])}` : ""}`;
  return (
    <>
      <PageHeader title="Convergence">
        {hasRole(user.role, "operator") && <ActionButton action={checkNow} fields={{ server: serverId ?? "", back }} label="Check drift" />}
      </PageHeader>
      <p className="mb-3 text-slate-600">Every (object, server) pair the routes select: its desired state (what would be rendered now) against what was last applied there, and what the last drift check found.</p>
      <ul className="mb-4 flex flex-wrap gap-3" data-testid="pair-counts">
        {PAIR_STATES.map((s) => (
          <li key={s} className="rounded border border-slate-200 bg-white px-3 py-2">
            <StateBadge state={s} /> <span className="ml-1 font-semibold" data-testid={`count-${s.replace(" ", "-")}`}>{counts[s]}</span>
          </li>
        ))}
        <li className="rounded border border-slate-200 bg-white px-3 py-2"><StateBadge state="leftover" /> <span className="ml-1 font-semibold" data-testid="count-leftover">{leftovers.length}</span></li>
      </ul>
      <Filters reset="/convergence">
        <Select name="server" label="Server" value={serverId} options={servers.map((s) => ({ value: s.id, label: s.name }))} />
        <Select name="backend" label="Backend" value={backend} options={engine.registry.all().map((b) => ({ value: b.name, label: b.name }))} />
        <Select name="state" label="State" value={state} options={PAIR_STATES.map((s) => ({ value: s, label: s }))} />
      </Filters>
      <PairsTable pairs={shown} leftovers={leftovers} back={back} operator={hasRole(user.role, "operator")} />
    </>
  );
}
