// Channel kinds and their settings, as stored on NotificationChannel.settings (the secret — SMTP
// password or webhook signing secret — is a column of its own, write-only in the admin).
import { z } from "zod";

export const CHANNEL_KINDS = ["email", "webhook"] as const;
export type ChannelKind = (typeof CHANNEL_KINDS)[number];

export const SMTP_SECURITY = ["starttls", "tls", "none"] as const;

const address = z.string().trim().email("Enter an e-mail address.");

export const emailSettings = z.object({
  host: z.string().trim().min(1, "Enter the SMTP server's host name or address.").max(253).regex(/^[A-Za-z0-9.:_-]+$/, "A host name or an IP address."),
  port: z.coerce.number().int().min(1).max(65535).default(587),
  /** starttls: upgrade required (port 587); tls: TLS from the start (port 465); none: plain (a local relay). */
  security: z.enum(SMTP_SECURITY).default("starttls"),
  username: z.string().trim().max(200).default(""),
  from: address,
  to: z.array(address).min(1, "Enter at least one recipient.").max(50),
});
export type EmailSettings = z.infer<typeof emailSettings>;

export const webhookSettings = z.object({
  url: z
    .string()
    .trim()
    .max(2000)
    .refine((v) => {
      try {
        const u = new URL(v);
        return (u.protocol === "https:" || u.protocol === "http:") && !u.username && !u.password;
      } catch {
        return false;
      }
    }, "Enter an http:// or https:// URL (without a user or password in it)."),
});
export type WebhookSettings = z.infer<typeof webhookSettings>;

export type Channel =
  | { id: number; name: string; kind: "email"; settings: EmailSettings; secret: string }
  | { id: number; name: string; kind: "webhook"; settings: WebhookSettings; secret: string };

/** A stored channel, its settings checked; throws (with the field) when they no longer parse. */
export function parseChannel(row: { id: number; name: string; kind: string; settings: unknown; secret: string }): Channel {
  if (row.kind === "email") return { id: row.id, name: row.name, kind: "email", settings: emailSettings.parse(row.settings), secret: row.secret };
  if (row.kind === "webhook") return { id: row.id, name: row.name, kind: "webhook", settings: webhookSettings.parse(row.settings), secret: row.secret };
  throw new Error(`unknown channel kind ${JSON.stringify(row.kind)}`);
}

/** Replaces a secret wherever it appears in a text that may be shown or logged (an error message). */
export function maskSecret(text: string, secret: string): string {
  return secret ? text.split(secret).join("[secret]") : text;
}
