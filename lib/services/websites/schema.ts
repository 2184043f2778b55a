import { z } from "zod";
import { descriptionField } from "../kit";
import { checkbox } from "@/lib/schemas/common";

const DOMAIN = /^(?=.{1,253}$)(\*\.)?([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*$/;

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
  description: descriptionField,
  enabled: checkbox.meta({ label: "Enabled (served by nginx)", kind: "checkbox", initial: true }),
});

export type WebsiteInput = z.infer<typeof websiteInput>;

export const websiteSchema = websiteInput;

/** A stored website as backends and route expressions see it (domains included). */
export const websiteSnapshot = z.object({
  id: z.number().int(),
  name: z.string(),
  documentRoot: z.string(),
  enabled: z.boolean(),
  description: z.string().default(""),
  domains: z.array(z.object({ name: z.string() })),
  createdAt: z.string().optional(),
  updatedAt: z.string().optional(),
});

export type WebsiteSnapshot = z.infer<typeof websiteSnapshot>;
