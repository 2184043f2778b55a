// Sends notifications to their channels. A delivery is PENDING until a worker sends it (SENT); a failed
// attempt is retried with exponential backoff, and after the last attempt it stays FAILED, with the
// error of its last attempt. Workers claim a delivery with a lease (the outbox's vocabulary: leaseOwner,
// leaseUntil), so two workers never send the same attempt; a worker that dies mid-send lets the lease
// expire and the delivery is tried again (a receiver de-duplicates by X-Orchestra-Delivery).
import type { Engine } from "../engine";
import { leaseFree } from "../outbox";
import { maskSecret, parseChannel } from "./channels";
import { sendEmail } from "./email";
import { sendWebhook } from "./webhook";

export type DeliveryPolicy = { maxAttempts: number; backoffMs: number; maxBackoffMs: number; timeoutMs: number };
export const DELIVERY_POLICY: DeliveryPolicy = { maxAttempts: 6, backoffMs: 30_000, maxBackoffMs: 3_600_000, timeoutMs: 15_000 };

export type DeliveryOutcome = { deliveryId: number; state: "SENT" | "PENDING" | "FAILED"; detail: string };

/** Sends the deliveries that are due (up to `limit`), one after the other. */
export async function deliverDue(engine: Engine, owner: string, policy: DeliveryPolicy = DELIVERY_POLICY, limit = 20): Promise<DeliveryOutcome[]> {
  const now = engine.now();
  const due = await engine.db.notificationDelivery.findMany({
    where: { state: "PENDING", runAfter: { lte: now }, OR: leaseFree(now) },
    orderBy: { id: "asc" },
    take: limit,
    select: { id: true },
  });
  const out: DeliveryOutcome[] = [];
  for (const { id } of due) {
    const outcome = await attemptDelivery(engine, id, owner, policy);
    if (outcome) out.push(outcome);
  }
  return out;
}

/** One attempt at one delivery, if it is still pending and nobody else holds it. */
export async function attemptDelivery(engine: Engine, id: number, owner: string, policy: DeliveryPolicy = DELIVERY_POLICY): Promise<DeliveryOutcome | null> {
  const db = engine.db;
  const now = engine.now();
  const hold = new Date(now.getTime() + Math.max(engine.leaseMs, 2 * policy.timeoutMs));
  const { count } = await db.notificationDelivery.updateMany({ where: { id, state: "PENDING", OR: leaseFree(now) }, data: { leaseOwner: owner, leaseUntil: hold } });
  if (count === 0) return null;
  const delivery = await db.notificationDelivery.findUniqueOrThrow({ where: { id }, include: { notification: true, channel: true } });
  const { notification, channel } = delivery;
  const attempts = delivery.attempts + 1;
  let detail: string;
  let sent = false;
  let giveUp = false;
  try {
    if (!channel.active) {
      giveUp = true;
      throw new Error("the channel is disabled");
    }
    const parsed = parseChannel(channel);
    const subject = `[Orchestra] ${notification.title}`;
    const payload = {
      delivery: delivery.id,
      notification: notification.id,
      event: notification.event,
      level: notification.level,
      title: notification.title,
      body: notification.body,
      serverId: notification.serverId,
      scriptLogId: notification.scriptLogId,
      operationId: notification.operationId,
      createdAt: notification.createdAt.toISOString(),
    };
    detail =
      parsed.kind === "email"
        ? await sendEmail(parsed.settings, parsed.secret, { subject, text: emailText(notification), event: notification.event, notificationId: notification.id }, policy.timeoutMs)
        : await sendWebhook(parsed.settings, parsed.secret, { deliveryId: delivery.id, event: notification.event, payload }, policy.timeoutMs);
    sent = true;
  } catch (error) {
    // the secret never reaches the log or the page, even if an error message quoted it
    detail = maskSecret(messageOf(error), channel.secret).slice(0, 1000);
  }
  const done = sent || giveUp || attempts >= policy.maxAttempts;
  const delay = Math.min(policy.maxBackoffMs, policy.backoffMs * 2 ** (attempts - 1));
  await db.notificationDelivery.updateMany({
    where: { id, leaseOwner: owner },
    data: {
      attempts,
      state: sent ? "SENT" : done ? "FAILED" : "PENDING",
      lastError: sent ? "" : detail,
      sentAt: sent ? engine.now() : null,
      runAfter: done ? undefined : new Date(engine.now().getTime() + delay),
      leaseOwner: null,
      leaseUntil: null,
    },
  });
  return { deliveryId: id, state: sent ? "SENT" : done ? "FAILED" : "PENDING", detail };
}

function emailText(n: { title: string; body: string; event: string; createdAt: Date; scriptLogId: number | null; operationId: number | null }): string {
  const refs = [n.scriptLogId && `script log #${n.scriptLogId}`, n.operationId && `operation #${n.operationId}`].filter(Boolean).join(", ");
  return `${n.title}\n\n${n.body}\n\nEvent: ${n.event}\nRaised: ${n.createdAt.toISOString()}${refs ? `\nSee: ${refs}` : ""}\n`;
}

function messageOf(error: unknown): string {
  const e = error as { message?: string; code?: string; cause?: { code?: string; message?: string } };
  const cause = e?.cause?.code ?? e?.cause?.message;
  return `${e?.message ?? String(error)}${cause && !e?.message?.includes(cause) ? ` (${cause})` : ""}`;
}
