// E-mail over SMTP with nodemailer: one connection per message (notifications are few), TLS as the
// channel says, the password only in the transport's auth (nodemailer's logger stays off).
import nodemailer from "nodemailer";
import type { EmailSettings } from "./channels";

export type EmailMessage = { subject: string; text: string; event: string; notificationId: number };

export async function sendEmail(settings: EmailSettings, password: string, message: EmailMessage, timeoutMs: number): Promise<string> {
  const transport = nodemailer.createTransport({
    host: settings.host,
    port: settings.port,
    secure: settings.security === "tls",
    requireTLS: settings.security === "starttls",
    ignoreTLS: settings.security === "none",
    auth: settings.username ? { user: settings.username, pass: password } : undefined,
    connectionTimeout: timeoutMs,
    greetingTimeout: timeoutMs,
    socketTimeout: timeoutMs,
    logger: false,
    debug: false,
  });
  try {
    const info = await transport.sendMail({
      from: settings.from,
      to: settings.to,
      subject: message.subject,
      text: message.text,
      headers: { "X-Orchestra-Event": message.event, "X-Orchestra-Notification": String(message.notificationId) },
    });
    return `accepted by ${settings.host} (${info.response.slice(0, 100)})`;
  } finally {
    transport.close();
  }
}
