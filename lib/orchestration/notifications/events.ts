// The events a notification channel's rules can take. Plain data, so forms and pages share it.
export const NOTIFICATION_EVENTS = ["final-failure", "drift", "unreachable", "certificate-renewal", "resource-exceeded"] as const;
export type NotificationEvent = (typeof NOTIFICATION_EVENTS)[number];

export const EVENT_TITLES: Record<NotificationEvent, string> = {
  "final-failure": "an operation failed for good (after its last retry)",
  drift: "a scheduled drift check found drifted pairs",
  unreachable: "a server could not be reached",
  "certificate-renewal": "a scheduled certificate renewal failed",
  "resource-exceeded": "a monitored resource (disk, traffic, database size) went over its limit",
};

/** The events of a channel's stored rules (unknown names are ignored). */
export function eventsOf(value: unknown): NotificationEvent[] {
  return Array.isArray(value) ? NOTIFICATION_EVENTS.filter((e) => value.includes(e)) : [];
}
