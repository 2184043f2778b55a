import { z } from "zod";
import { checkbox } from "@/lib/schemas/common";

const DOMAIN = /^(?=.{1,253}$)(\*\.)?([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*$/;

export const websiteSchema = z.object({
  name: z.string().trim().regex(/^[a-z0-9][a-z0-9_-]{0,62}$/, "Lowercase letters, digits, _ and -; at most 63."),
  domains: z
    .string()
    .default("")
    .transform((v) => [...new Set(v.toLowerCase().split(/[\s,]+/).filter(Boolean))])
    .pipe(z.array(z.string().regex(DOMAIN, "Each domain like www.example.net (or *.example.net).")).max(50)),
  documentRoot: z
    .string()
    .trim()
    .regex(/^(\/[A-Za-z0-9_.\/-]*)?$/, "An absolute path of letters, digits, _ . - and /, or empty for /srv/www/<name>.")
    .refine((v) => !v.split("/").includes(".."), "No .. in the path."),
  enabled: checkbox,
  description: z.string().trim().max(500).default(""),
});

export const websiteUpdateSchema = websiteSchema.extend({ id: z.coerce.number().int().positive() });

export const websiteSample = { id: 1, name: "", documentRoot: "", enabled: true, description: "", domains: [{ id: 1, websiteId: 1, name: "", createdAt: "" }], createdAt: "", updatedAt: "" };
