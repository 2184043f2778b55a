// Signed webhooks. The receiver checks X-Orchestra-Signature: "sha256=" + hex HMAC-SHA256, keyed with
// the channel's secret, of "<X-Orchestra-Timestamp>.<raw body>" — the timestamp (Unix seconds) is
// signed with the body, so a captured request cannot be replayed later (refuse stale timestamps) nor
// re-dated. X-Orchestra-Delivery is the same on every retry of one delivery, for de-duplication.
import { createHmac, timingSafeEqual } from "node:crypto";
import type { WebhookSettings } from "./channels";

export const SIGNATURE_HEADER = "x-orchestra-signature";
export const TIMESTAMP_HEADER = "x-orchestra-timestamp";

export function signWebhook(secret: string, timestamp: number, body: string): string {
  return `sha256=${createHmac("sha256", secret).update(`${timestamp}.${body}`).digest("hex")}`;
}

/** What a receiver does: the signature matches and the timestamp is within `toleranceSeconds` of now. */
export function verifyWebhook(secret: string, headers: { signature?: string | null; timestamp?: string | null }, body: string, now = Date.now(), toleranceSeconds = 300): boolean {
  const timestamp = Number(headers.timestamp);
  if (!Number.isInteger(timestamp) || Math.abs(now / 1000 - timestamp) > toleranceSeconds) return false;
  const expected = Buffer.from(signWebhook(secret, timestamp, body));
  const given = Buffer.from(headers.signature ?? "");
  return given.length === expected.length && timingSafeEqual(given, expected);
}

export type WebhookMessage = { deliveryId: number; event: string; payload: Record<string, unknown> };

/** POSTs one message; throws on anything but a 2xx answer. Redirects are not followed. */
export async function sendWebhook(settings: WebhookSettings, secret: string, message: WebhookMessage, timeoutMs: number): Promise<string> {
  const body = JSON.stringify(message.payload);
  const timestamp = Math.floor(Date.now() / 1000);
  const response = await fetch(settings.url, {
    method: "POST",
    headers: {
      "content-type": "application/json",
      "user-agent": "Orchestra-Webhook",
      "x-orchestra-event": message.event,
      "x-orchestra-delivery": String(message.deliveryId),
      [TIMESTAMP_HEADER]: String(timestamp),
      [SIGNATURE_HEADER]: signWebhook(secret, timestamp, body),
    },
    body,
    redirect: "manual",
    signal: AbortSignal.timeout(timeoutMs),
  });
  await response.body?.cancel().catch(() => undefined);
  if (response.status < 200 || response.status > 299) throw new Error(`the receiver answered HTTP ${response.status}`);
  return `HTTP ${response.status}`;
}
