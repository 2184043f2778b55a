// Tells admins what needs them: a Notification row (shown in the admin) for an operation that failed
// for good, a scheduled drift check that found drift, a server that could not be reached; and one
// NotificationDelivery per active channel whose rules take the event, written with it, which the
// workers send and retry (notifications/deliveries.ts). ORCHESTRA_WEBHOOK_URL (unsigned, not retried)
// still receives final failures. Raising a notification never fails the run that raised it.
import type { Engine } from "./engine";
import type { DriftResult } from "./drift";
import { eventsOf, type NotificationEvent } from "./notifications/events";
import type { RunReport } from "./runner";

export type NotificationInput = {
  event: NotificationEvent | "test";
  title: string;
  body?: string;
  level?: "error" | "warning" | "info";
  serverId?: number | null;
  scriptLogId?: number | null;
  operationId?: number | null;
  /** Only these channels, whatever their rules (a test message). */
  channelIds?: number[];
};

/** Records a notification and its deliveries (in one statement). Returns the notification's id. */
export async function raise(engine: Engine, input: NotificationInput): Promise<number> {
  const channels = await engine.db.notificationChannel.findMany({
    where: { active: true, ...(input.channelIds ? { id: { in: input.channelIds } } : {}) },
    select: { id: true, events: true },
  });
  const targets = input.channelIds ? channels : channels.filter((c) => input.event !== "test" && eventsOf(c.events).includes(input.event));
  const row = await engine.db.notification.create({
    data: {
      event: input.event,
      level: input.level ?? "error",
      title: input.title.slice(0, 500),
      body: (input.body ?? "").slice(0, 20_000),
      serverId: input.serverId ?? null,
      scriptLogId: input.scriptLogId ?? null,
      operationId: input.operationId ?? null,
      deliveries: { create: targets.map((c) => ({ channelId: c.id })) },
    },
    select: { id: true },
  });
  return row.id;
}

export async function notifyFailure(engine: Engine, report: RunReport, op: { id: number; attempts: number; objectLabel: string }) {
  const title = `${report.backend} failed on ${report.server} for ${op.objectLabel} after ${op.attempts} attempt${op.attempts === 1 ? "" : "s"}`;
  try {
    await raise(engine, { event: "final-failure", title, body: `Script log #${report.logId} ended ${report.state}.`, serverId: report.serverId, scriptLogId: report.logId, operationId: op.id });
  } catch (error) {
    console.error(`[notify] could not record the failure of operation #${op.id}: ${(error as Error).message}`);
  }
  const url = engine.webhookUrl;
  if (!url) return;
  try {
    await fetch(url, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ event: "operation.failed", title, operationId: op.id, scriptLogId: report.logId, server: report.server, backend: report.backend, state: report.state }),
      signal: AbortSignal.timeout(5000),
    });
  } catch (error) {
    console.error(`[notify] webhook failed: ${(error as Error).message}`);
  }
}

/** States of a log in which the server answered (it was reachable). */
const ANSWERED = ["SUCCESS", "FAILURE", "NOTHING", "TIMEOUT", "CANCELLED"];

/**
 * A server could not be reached. Said once per outage: not again while the last such notification
 * for the server is newer than the last run the server answered.
 */
export async function notifyUnreachable(engine: Engine, report: Pick<RunReport, "serverId" | "server" | "backend" | "logId">): Promise<void> {
  try {
    const [last, answered] = await Promise.all([
      engine.db.notification.findFirst({ where: { event: "unreachable", serverId: report.serverId }, orderBy: { id: "desc" }, select: { createdAt: true } }),
      engine.db.scriptLog.findFirst({ where: { serverId: report.serverId, state: { in: ANSWERED } }, orderBy: { id: "desc" }, select: { createdAt: true } }),
    ]);
    if (last && (!answered || last.createdAt >= answered.createdAt)) return;
    const log = await engine.db.scriptLog.findUnique({ where: { id: report.logId }, select: { stderr: true } });
    const reason = log?.stderr.split("\n").filter(Boolean).pop() ?? "";
    await raise(engine, {
      event: "unreachable",
      level: "warning",
      title: `${report.server} could not be reached`,
      body: `Script log #${report.logId} (${report.backend}) did not start. ${reason}`.trim(),
      serverId: report.serverId,
      scriptLogId: report.logId,
    });
  } catch (error) {
    console.error(`[notify] could not record that ${report.server} is unreachable: ${(error as Error).message}`);
  }
}

/** A scheduled drift check found drifted pairs. */
export async function notifyDrift(engine: Engine, result: DriftResult, scheduleName: string): Promise<void> {
  if (result.drifted.length === 0) return;
  const servers = [...new Set(result.drifted.map((d) => d.server))];
  const lines = result.drifted.slice(0, 50).map((d) => `- ${d.label} on ${d.server} (${d.backend}): ${d.difference}`);
  if (result.drifted.length > 50) lines.push(`… and ${result.drifted.length - 50} more`);
  await raise(engine, {
    event: "drift",
    level: "warning",
    title: `Drift: ${result.drifted.length} pair(s) on ${servers.slice(0, 5).join(", ")}${servers.length > 5 ? "…" : ""} (schedule ${scheduleName})`,
    body: lines.join("\n"),
    serverId: servers.length === 1 ? result.drifted[0].serverId : null,
  });
}
