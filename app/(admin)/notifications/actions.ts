"use server";
import { revalidatePath } from "next/cache";
import { z } from "zod";
import { action, directAction } from "@/lib/actions";
import { UserError } from "@/lib/actions/state";
import { idParam } from "@/lib/schemas/common";
import { channelSchema } from "@/lib/schemas/channel";
import { engine } from "@/lib/orchestra";
import { raise } from "@/lib/orchestration/notify";
import { attemptDelivery } from "@/lib/orchestration/notifications/deliveries";
import { newOwner } from "@/lib/orchestration/outbox";

// The secret field is write-only: never echoed back into the form, never shown; empty keeps it.
const SECRET = ["secret"];

export const createChannel = action({ role: "admin", schema: channelSchema, secretFields: SECRET }, async ({ id: _id, ...input }, { db }) => {
  const channel = await db.notificationChannel.create({ data: input });
  revalidatePath("/notifications");
  return { message: `Channel ${channel.name} added.`, redirectTo: "/notifications" };
});

export const updateChannel = action({ role: "admin", schema: channelSchema, secretFields: SECRET }, async ({ id, secret, ...input }, { db }) => {
  const before = id ? await db.notificationChannel.findUnique({ where: { id }, select: { kind: true } }) : null;
  if (!id || !before) throw new UserError("This channel no longer exists.");
  // a secret belongs to its kind: an SMTP password is no webhook secret
  if (before.kind !== input.kind && input.kind === "webhook" && !secret) throw new UserError("Give the webhook its own signing secret.", "secret");
  const keep = !secret && before.kind === input.kind;
  const channel = await db.notificationChannel.update({ where: { id }, data: { ...input, ...(keep ? {} : { secret }) } });
  revalidatePath("/notifications");
  return { message: `Channel ${channel.name} saved.`, redirectTo: "/notifications" };
});

export const deleteChannel = action({ role: "admin", schema: z.object({ id: idParam }) }, async ({ id }, { db }) => {
  const channel = await db.notificationChannel.findUnique({ where: { id }, select: { name: true } });
  if (!channel) throw new UserError("This channel no longer exists.");
  await db.notificationChannel.delete({ where: { id } });
  revalidatePath("/notifications");
  return { message: `Channel ${channel.name} deleted.`, redirectTo: "/notifications" };
});

/** Sends a test message to one channel now (one attempt, not retried) and says what happened. */
export const testChannel = directAction({ role: "admin", schema: z.object({ id: idParam }) }, async ({ id }, { user }) => {
  const channel = await engine.db.notificationChannel.findUnique({ where: { id }, select: { name: true, active: true } });
  if (!channel) throw new UserError("This channel no longer exists.");
  if (!channel.active) throw new UserError(`${channel.name} is disabled: enable it first.`);
  const notificationId = await raise(engine, { event: "test", level: "info", title: `Test message from Orchestra (${user.email})`, body: "If you read this, the channel works.", channelIds: [id] });
  const delivery = await engine.db.notificationDelivery.findFirstOrThrow({ where: { notificationId } });
  await engine.db.notification.update({ where: { id: notificationId }, data: { readAt: new Date() } }); // not for the dashboard
  const outcome = await attemptDelivery(engine, delivery.id, newOwner("request"), { maxAttempts: 1, backoffMs: 0, maxBackoffMs: 0, timeoutMs: 10_000 });
  revalidatePath("/notifications");
  if (outcome?.state !== "SENT") throw new UserError(`The test message to ${channel.name} was not delivered: ${outcome?.detail ?? "another process took it"}.`);
  return { message: `Test message sent to ${channel.name}: ${outcome.detail}.`, redirectTo: "/notifications" };
});
