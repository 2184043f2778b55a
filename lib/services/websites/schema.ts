import { z } from "zod";
import { descriptionField } from "../kit";
import { checkbox } from "@/lib/schemas/common";
import { APP_NAME } from "../web-apps/schema";

/** A mount path: "/" or "/blog", "/a/b" — plain segments, no trailing slash, no . or .. segment. */
export const MOUNT_PATH = /^\/(?:(?!\.{1,2}(?:\/|$))[A-Za-z0-9._~-]+(?:\/(?!\.{1,2}(?:\/|$))[A-Za-z0-9._~-]+)*)?$/;

export type Mount = { path: string; app: string };

/** "path app" per line (the form) or a list of such lines (the API), into mounts; problems as issues. */
const mountsField = z
  .preprocess((v) => (Array.isArray(v) ? v.join("\n") : v), z.string().default(""))
  .transform((text, ctx): Mount[] => {
    const mounts: Mount[] = [];
    for (const [i, line] of text.split(/\r?\n/).entries()) {
      const words = line.trim().split(/\s+/).filter(Boolean);
      if (words.length === 0) continue;
      const where = `Line ${i + 1}`;
      if (words.length !== 2) {
        ctx.addIssue({ code: "custom", message: `${where}: a path and a web app, e.g. "/blog blog".` });
        continue;
      }
      const path = words[0].length > 1 ? words[0].replace(/\/+$/, "") : words[0];
      const app = words[1].toLowerCase();
      if (!MOUNT_PATH.test(path) || path.length > 200) ctx.addIssue({ code: "custom", message: `${where}: the path must be / or like /blog (letters, digits, . _ ~ -).` });
      else if (!APP_NAME.test(app)) ctx.addIssue({ code: "custom", message: `${where}: ${JSON.stringify(words[1])} is not a web app name.` });
      else if (mounts.some((m) => m.path === path)) ctx.addIssue({ code: "custom", message: `${where}: ${path} is mounted twice.` });
      else mounts.push({ path, app });
    }
    if (mounts.length > 20) ctx.addIssue({ code: "custom", message: "At most 20 mounts." });
    return mounts;
  });

const DOMAIN = /^(?=.{1,253}$)(\*\.)?([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*$/;

export const HTTPS_MODES = ["off", "on", "redirect"] as const;
export type HttpsMode = (typeof HTTPS_MODES)[number];
export const HTTPS_LABELS: Record<HttpsMode, string> = { off: "Off (HTTP only)", on: "On (HTTP and HTTPS)", redirect: "Redirect HTTP to HTTPS" };

/** The form: its shape gives the fields, `.meta()` their labels. */
export const websiteInput = z.object({
  name: z.string().trim().regex(/^[a-z0-9][a-z0-9_-]{0,62}$/, "Lowercase letters, digits, _ and -; at most 63.").meta({ label: "Name", mono: true, hint: "The site's file name on the server." }),
  domains: z
    .string()
    .default("")
    .transform((v) => [...new Set(v.toLowerCase().split(/[\s,]+/).filter(Boolean))])
    .pipe(z.array(z.string().regex(DOMAIN, "Each domain like www.example.net (or *.example.net).")).max(50, "At most 50 domains."))
    .meta({ label: "Domains", kind: "list", mono: true, hint: "Comma or space separated. A site without domains has no server block." }),
  documentRoot: z
    .string()
    .trim()
    .default("")
    .pipe(z.string().regex(/^(\/[A-Za-z0-9_.\/-]*)?$/, "An absolute path of letters, digits, _ . - and /, or empty for /srv/www/<name>."))
    .refine((v) => !v.split("/").includes(".."), "No .. in the path.")
    .meta({ label: "Document root", mono: true, hint: "Empty: WEBSITES_ROOT/<name> (default /srv/www/<name>)." }),
  mounts: mountsField.meta({
    label: "Web apps",
    kind: "textarea",
    mono: true,
    rows: 2,
    placeholder: "/blog blog",
    hint: "One per line: the path and the web app served there (/ for the whole site).",
  }),
  https: z
    .enum(HTTPS_MODES, "Off, on, or redirect HTTP to HTTPS.")
    .default("off")
    .meta({
      label: "HTTPS",
      kind: "select",
      options: HTTPS_MODES.map((value) => ({ value, label: HTTPS_LABELS[value] })),
      initial: "off",
      hint: "A certificate from the server's ACME directory (ACME_DIRECTORY), validated over HTTP by this site's nginx and renewed by the renew-certificates schedule.",
    }),
  httpsDomains: z
    .string()
    .default("")
    .transform((v) => [...new Set(v.toLowerCase().split(/[\s,]+/).filter(Boolean))])
    .pipe(z.array(z.string().regex(DOMAIN, "Each domain like www.example.net.").refine((d) => !d.startsWith("*."), "A wildcard needs a DNS challenge: list plain names.")).max(50, "At most 50 domains."))
    .meta({ label: "Certificate covers", kind: "list", mono: true, hint: "Empty: every domain of the site. Otherwise the ones the certificate covers (each must be one of the site's domains)." }),
  description: descriptionField,
  enabled: checkbox.meta({ label: "Enabled (served by nginx)", kind: "checkbox", initial: true }),
});

export type WebsiteInput = z.infer<typeof websiteInput>;

export const websiteSchema = websiteInput;

/** Certificate domains must be the site's own (a site without HTTPS may leave them set: they are kept). */
export function refineWebsite(input: WebsiteInput, ctx: z.RefinementCtx): void {
  const foreign = input.httpsDomains.filter((d) => !input.domains.includes(d));
  if (foreign.length) ctx.addIssue({ code: "custom", path: ["httpsDomains"], message: `Not a domain of this site: ${foreign.join(", ")}.` });
  if (input.https !== "off" && input.domains.length > 0 && input.httpsDomains.length === 0 && input.domains.every((d) => d.startsWith("*."))) {
    ctx.addIssue({ code: "custom", path: ["httpsDomains"], message: "A wildcard needs a DNS challenge: list plain names." });
  }
}

/** A stored website as backends and route expressions see it (domains included). */
export const websiteSnapshot = z.object({
  id: z.number().int(),
  name: z.string(),
  documentRoot: z.string(),
  enabled: z.boolean(),
  https: z.enum(HTTPS_MODES).default("off"),
  httpsDomains: z.array(z.string()).default([]),
  description: z.string().default(""),
  domains: z.array(z.object({ name: z.string() })),
  /** Web apps served at paths, with what nginx needs to pass them their requests. */
  mounts: z.array(z.object({ path: z.string(), webApp: z.object({ name: z.string(), phpVersion: z.string() }) })).default([]),
  createdAt: z.string().optional(),
  updatedAt: z.string().optional(),
});

export type WebsiteSnapshot = z.infer<typeof websiteSnapshot>;
