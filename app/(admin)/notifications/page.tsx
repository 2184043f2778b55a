import type { Metadata } from "next";
import { db } from "@/lib/db";
import Link from "next/link";
import { requireUser } from "@/lib/session";
import { fetchChannels, fetchDeliveries } from "@/lib/data/notifications";
import { Empty, PageHeader, formatDate } from "@/app/ui/page-header";
import { ActionButton } from "@/app/ui/confirm-button";
import { StateBadge } from "@/app/ui/state-badge";
import { AutomationTabs } from "../schedules/tabs";
import { testChannel } from "./actions";

export const metadata: Metadata = { title: "Notification channels" };

export default async function NotificationsPage() {
  await requireUser("admin");
  const [channels, deliveries] = await Promise.all([fetchChannels(db), fetchDeliveries(db)]);
  return (
    <>
      <PageHeader title="Notification channels">
        <Link className="btn" href="/notifications/new">
          Add channel
        </Link>
      </PageHeader>
      <AutomationTabs current="notifications" admin />
      <p className="mb-3 max-w-3xl text-slate-600">
        Where notifications go besides the dashboard. The workers send them and retry a failed delivery with a growing delay (30 s, 1 min, 2 min… up to 6 attempts).
      </p>
      {channels.length === 0 ? (
        <Empty>No channels: notifications show on the dashboard only.</Empty>
      ) : (
        <table className="table mb-6" data-testid="channels">
          <thead>
            <tr>
              <th>Name</th>
              <th>Kind</th>
              <th>To</th>
              <th>Events</th>
              <th>Secret</th>
              <th />
            </tr>
          </thead>
          <tbody>
            {channels.map((c) => (
              <tr key={c.id} data-channel={c.name}>
                <td>
                  <Link className="link" href={`/notifications/${c.id}`}>
                    {c.name}
                  </Link>
                  {!c.active && <span className="ml-2 text-xs text-slate-500">(disabled)</span>}
                </td>
                <td>{c.kind}</td>
                <td className="text-xs">{c.kind === "email" ? `${Array.isArray(c.settings.to) ? c.settings.to.join(", ") : ""} via ${String(c.settings.host ?? "")}` : String(c.settings.url ?? "")}</td>
                <td className="text-xs">{c.events.join(", ")}</td>
                <td className="text-xs">{c.hasSecret ? "set" : "none"}</td>
                <td className="text-right">
                  <ActionButton action={testChannel} fields={{ id: c.id }} label="Send test" />
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <h2 className="mb-2 text-base font-semibold">Recent deliveries</h2>
      {deliveries.length === 0 ? (
        <Empty>Nothing sent yet.</Empty>
      ) : (
        <table className="table" data-testid="deliveries">
          <thead>
            <tr>
              <th>Notification</th>
              <th>Channel</th>
              <th>State</th>
              <th>Attempts</th>
              <th>Last error / next try</th>
              <th>Sent</th>
            </tr>
          </thead>
          <tbody>
            {deliveries.map((d) => (
              <tr key={d.id}>
                <td className="text-xs">
                  <span className="text-slate-500">{d.notification.event}</span> {d.notification.title}
                </td>
                <td>{d.channel.name}</td>
                <td>
                  <StateBadge state={d.state} />
                </td>
                <td>{d.attempts}</td>
                <td className="max-w-md text-xs">
                  {d.lastError}
                  {d.state === "PENDING" && d.attempts > 0 && <span className="text-slate-500"> — next try {formatDate(d.runAfter)}</span>}
                </td>
                <td className="whitespace-nowrap text-xs">{formatDate(d.sentAt)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </>
  );
}
