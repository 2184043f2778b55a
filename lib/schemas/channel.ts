import { z } from "zod";
import { CHANNEL_KINDS, emailSettings, webhookSettings } from "../orchestration/notifications/channels";
import { NOTIFICATION_EVENTS } from "../orchestration/notifications/events";
import { checkbox } from "./common";

const list = (v: unknown) => (typeof v === "string" ? v.split(/[\s,;]+/).filter(Boolean) : v);
const many = (v: unknown) => (v === undefined ? [] : Array.isArray(v) ? v : [v]);

/**
 * The channel form. The secret (SMTP password, webhook signing secret) is write-only: empty keeps the
 * stored one. Settings are checked with the same schemas the sender parses them with.
 */
export const channelSchema = z
  .object({
    id: z.coerce.number().int().positive().optional().catch(undefined),
    name: z.string().trim().min(1, "Required.").max(100, "At most 100 characters."),
    kind: z.enum(CHANNEL_KINDS, { message: "Choose a kind." }),
    active: checkbox,
    events: z.preprocess(many, z.array(z.enum(NOTIFICATION_EVENTS)).min(1, "Choose at least one event.")),
    secret: z.string().max(500, "At most 500 characters.").default(""),
    host: z.string().default(""),
    port: z.string().default(""),
    security: z.string().default("starttls"),
    username: z.string().default(""),
    from: z.string().default(""),
    to: z.string().default(""),
    url: z.string().default(""),
  })
  .transform((form, ctx) => {
    const settings =
      form.kind === "email"
        ? emailSettings.safeParse({ host: form.host, port: form.port || undefined, security: form.security, username: form.username, from: form.from, to: list(form.to) })
        : webhookSettings.safeParse({ url: form.url });
    if (!settings.success) {
      for (const issue of settings.error.issues) ctx.addIssue({ code: "custom", path: [String(issue.path[0] ?? "_form")], message: issue.message });
      return z.NEVER;
    }
    if (form.kind === "webhook" && !form.id && form.secret.length < 16) {
      ctx.addIssue({ code: "custom", path: ["secret"], message: "A signing secret of at least 16 characters: the receiver checks each request with it." });
      return z.NEVER;
    }
    if (form.kind === "webhook" && form.secret && form.secret.length < 16) {
      ctx.addIssue({ code: "custom", path: ["secret"], message: "At least 16 characters." });
      return z.NEVER;
    }
    return { id: form.id, name: form.name, kind: form.kind, active: form.active, events: form.events, settings: settings.data, secret: form.secret };
  });
