import { isIP } from "node:net";
import { z } from "zod";
import "./messages";

const HOSTNAME = /^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*$/i;

/**
 * A text field that must be filled in. Empty, it says "Required." and nothing else: `abort` skips the
 * field's later checks, which would otherwise each add their own message for the same empty field.
 */
export function requiredText() {
  return z.string().trim().min(1, { error: "Required.", abort: true });
}

export const hostnameOrIp = requiredText().refine((v) => isIP(v) !== 0 || HOSTNAME.test(v), "Enter a hostname (web1.example.net) or an IP address.");

/** A POSIX account name, as useradd accepts by default. */
export const posixName = requiredText().regex(/^[a-z_][a-z0-9_-]{0,31}$/, "Lowercase letters, digits, _ and -; starts with a letter or _; at most 32.");

/** `KEY=value` lines → an object. Keys are shell-variable-like so they read well in scripts. */
export const variablesText = z
  .string()
  .default("")
  .transform((text, ctx) => {
    const out: Record<string, string> = {};
    text.split(/\r?\n/).forEach((line, i) => {
      if (!line.trim() || line.trim().startsWith("#")) return;
      const eq = line.indexOf("=");
      const key = eq < 0 ? line.trim() : line.slice(0, eq).trim();
      if (eq < 0 || !/^[A-Za-z_][A-Za-z0-9_]*$/.test(key)) {
        ctx.addIssue({ code: "custom", message: `Line ${i + 1}: write KEY=value (KEY: letters, digits, _).` });
        return;
      }
      out[key] = line.slice(eq + 1).trim();
    });
    return out;
  });

export function variablesToText(value: unknown): string {
  if (!value || typeof value !== "object") return "";
  return Object.entries(value as Record<string, unknown>)
    .map(([k, v]) => `${k}=${String(v)}`)
    .join("\n");
}

export const idParam = z.coerce.number().int().positive();

export const checkbox = z
  .union([z.literal("on"), z.literal("true"), z.literal("1"), z.literal("")])
  .optional()
  .transform((v) => v === "on" || v === "true" || v === "1");
