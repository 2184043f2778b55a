import { z } from "zod";
import { cronError, timeZoneError } from "../orchestration/schedules/cron";
import { hasScheduleKind, retentionParams, scopeParams } from "../orchestration/schedules/kinds";
import { renewParams } from "../orchestration/schedules/renew-certificates";
import { servicesRegistry } from "../services";
import { checkbox } from "./common";

const registry = servicesRegistry();
/** An empty field means "the default" (retention) or "all" (scope). */
const blank = (v: unknown) => (v === "" || v === null ? undefined : v);

/**
 * The schedule form: common fields plus the params of its kind (scope for drift checks and syncs,
 * ages and size for retention, days ahead and server for certificate renewals), turned into `{ …, params }` as stored. The cron expression and the
 * time zone are checked by croner and Intl; server names by the action (they need the database).
 */
export const scheduleSchema = z
  .object({
    name: z.string().trim().min(1, "Required.").max(100, "At most 100 characters."),
    kind: z.string().refine(hasScheduleKind, "Choose a kind."),
    cron: z.string().trim().max(200, "At most 200 characters."),
    timeZone: z.string().trim().max(100).default("UTC"),
    active: checkbox,
    server: z.string().trim().max(200).default(""),
    backend: z.string().trim().max(200).default(""),
    maxAgeDays: z.preprocess(blank, retentionParams.shape.maxAgeDays),
    truncateAfterDays: z.preprocess(blank, retentionParams.shape.truncateAfterDays),
    truncateChars: z.preprocess(blank, retentionParams.shape.truncateChars),
    withinDays: z.preprocess(blank, renewParams.shape.withinDays),
  })
  .superRefine((s, ctx) => {
    const zone = timeZoneError(s.timeZone);
    if (zone) ctx.addIssue({ code: "custom", path: ["timeZone"], message: zone });
    const cron = cronError(s.cron, s.timeZone);
    if (cron) ctx.addIssue({ code: "custom", path: ["cron"], message: cron });
    if (s.kind !== "retention" && s.kind !== "renew-certificates" && s.backend) {
      if (!registry.has(s.backend)) ctx.addIssue({ code: "custom", path: ["backend"], message: "Choose a backend." });
      else if (s.kind === "sync" && registry.get(s.backend).kind !== "sync") ctx.addIssue({ code: "custom", path: ["backend"], message: "A sync runs sync-kind backends only." });
    }
  })
  .transform(({ server, backend, maxAgeDays, truncateAfterDays, truncateChars, withinDays, ...common }) => ({
    ...common,
    params:
      common.kind === "retention"
        ? { maxAgeDays, truncateAfterDays, truncateChars }
        : common.kind === "renew-certificates"
          ? renewParams.parse({ withinDays, server })
          : scopeParams.parse({ server, backend }),
  }));

export type ScheduleInput = z.infer<typeof scheduleSchema>;

export const scheduleUpdateSchema = scheduleSchema.and(z.object({ id: z.coerce.number().int().positive() }));
