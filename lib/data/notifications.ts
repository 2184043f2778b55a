import "server-only";
import type { TxDb } from "../orchestration/unit-of-work";
import { eventsOf } from "../orchestration/notifications/events";

/** A channel as pages see it: its settings and whether a secret is set — never the secret. */
function shown(row: { id: number; name: string; kind: string; active: boolean; events: unknown; settings: unknown; secret: string; updatedAt: Date }) {
  const { secret, ...rest } = row;
  return { ...rest, events: eventsOf(row.events), settings: (row.settings ?? {}) as Record<string, unknown>, hasSecret: secret.length > 0 };
}

export async function fetchChannels(db: TxDb) {
  return (await db.notificationChannel.findMany({ orderBy: { name: "asc" } })).map(shown);
}

export async function fetchChannel(db: TxDb, id: number) {
  const row = await db.notificationChannel.findUnique({ where: { id } });
  return row && shown(row);
}

export async function fetchDeliveries(db: TxDb, take = 30) {
  return db.notificationDelivery.findMany({
    orderBy: { id: "desc" },
    take,
    select: {
      id: true,
      state: true,
      attempts: true,
      lastError: true,
      runAfter: true,
      sentAt: true,
      createdAt: true,
      channel: { select: { name: true } },
      notification: { select: { id: true, event: true, title: true } },
    },
  });
}
