// Tells admins about an operation that failed for good: a Notification row (shown in the admin) and,
// when the engine has a webhook URL (ORCHESTRA_WEBHOOK_URL), a JSON POST to it. A webhook error never fails the run.
import type { Engine } from "./engine";
import type { RunReport } from "./runner";

export async function notifyFailure(engine: Engine, report: RunReport, op: { id: number; attempts: number; objectLabel: string }) {
  const title = `${report.backend} failed on ${report.server} for ${op.objectLabel} after ${op.attempts} attempt${op.attempts === 1 ? "" : "s"}`;
  await engine.db.notification.create({ data: { title, body: `Script log #${report.logId} ended ${report.state}.`, scriptLogId: report.logId, operationId: op.id } });
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
