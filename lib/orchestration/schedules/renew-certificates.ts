// The renew-certificates schedule kind: runs the websites' `encrypt` command for the certificates that
// expire within a number of days (as their servers last reported them), or whose last request failed,
// one unit of work per server. Each run that fails raises a "certificate-renewal" notification.
import { z } from "zod";
import { runSelection } from "../manual";
import { raise } from "../notify";
import { OperatorError } from "../types";
import type { ScheduleKind } from "./kinds";

export const renewParams = z.object({
  withinDays: z.coerce.number().int().min(1, "At least 1 day.").max(3650).default(30),
  server: z.string().trim().max(200).optional().transform((v) => v || undefined),
});
export type RenewParams = z.infer<typeof renewParams>;

const DAY_MS = 86_400_000;

export const renewCertificates: ScheduleKind<RenewParams> = {
  name: "renew-certificates",
  title: "Renew certificates",
  description: "Renews the certificates of websites with HTTPS that expire within a number of days (30 by default) or whose last request failed; a failed renewal notifies admins.",
  params: renewParams,
  async run(engine, params, context) {
    const server = params.server ? await engine.db.server.findUnique({ where: { name: params.server }, select: { id: true } }) : null;
    if (params.server && !server) throw new OperatorError(`server ${params.server} does not exist (any more)`);
    const serverId = server?.id;
    const horizon = new Date(engine.now().getTime() + params.withinDays * DAY_MS);
    const due = await engine.db.certificate.findMany({
      where: {
        ...(serverId ? { serverId } : {}),
        server: { archivedAt: null },
        website: { enabled: true, https: { not: "off" } },
        OR: [{ notAfter: { lte: horizon } }, { notAfter: null }, { lastError: { not: "" } }],
      },
      select: { websiteId: true, server: { select: { id: true, name: true } }, website: { select: { name: true } } },
      orderBy: { id: "asc" },
    });
    if (due.length === 0) return { ok: true, message: `No certificate expires within ${params.withinDays} days.` };
    const byServer = new Map<string, { id: number; sites: Array<{ id: number; name: string }> }>();
    for (const c of due) {
      const entry = byServer.get(c.server.name) ?? { id: c.server.id, sites: [] };
      entry.sites.push({ id: c.websiteId, name: c.website.name });
      byServer.set(c.server.name, entry);
    }
    const logs: Array<{ logId: number; server: string; backend: string; state: string }> = [];
    for (const [server, { sites }] of byServer) {
      const { reports } = await runSelection(engine, { model: "Website", command: "encrypt", ids: sites.map((s) => String(s.id)), server }, context.userId);
      for (const r of reports) {
        logs.push({ logId: r.logId, server: r.server, backend: r.backend, state: r.state });
        if (r.state === "SUCCESS") continue;
        const names = sites.map((s) => s.name).join(", ");
        try {
          await raise(engine, {
            event: "certificate-renewal",
            title: `Certificate renewal failed on ${r.server} for ${names}`,
            body: `Schedule ${context.scheduleName}: script log #${r.logId} (${r.backend}) ended ${r.state}. The sites keep their current certificates until they expire.`,
            serverId: r.serverId,
            scriptLogId: r.logId,
          });
        } catch (error) {
          console.error(`[renew-certificates] could not record the failure of log #${r.logId}: ${(error as Error).message}`);
        }
      }
    }
    const failed = logs.filter((l) => l.state !== "SUCCESS");
    return {
      ok: failed.length === 0,
      message: `${due.length} certificate(s) due: ${logs.map((l) => `${l.backend} on ${l.server}: ${l.state}`).join(", ") || "no route runs the encrypt command"}.`,
      result: { logs },
    };
  },
};
