import { z } from "zod";
import { descriptionField } from "../kit";
import { posixName } from "@/lib/schemas/common";

/** A php.ini size such as 128M, 2G or -1 (no limit). */
export const INI_SIZE = /^(-1|[1-9][0-9]{0,5}[KMG]?)$/;
export const PHP_VERSION = /^[5-9]\.[0-9]$/;
export const APP_NAME = /^[a-z0-9][a-z0-9_-]{0,30}$/;

/** The form: its shape gives the fields, `.meta()` their labels. */
export const webAppInput = z.object({
  name: z.string().trim().regex(APP_NAME, "Lowercase letters, digits, _ and -; at most 31.").meta({ label: "Name", mono: true, hint: "The pool's name and file name on the server." }),
  systemUser: posixName.meta({ label: "System user", mono: true, hint: "The system user (of this installation) the pool runs as." }),
  phpVersion: z.string().trim().regex(PHP_VERSION, "A version such as 8.2.").default("8.2").meta({ label: "PHP version", mono: true, initial: "8.2" }),
  memoryLimit: z.string().trim().toUpperCase().regex(INI_SIZE, "A size such as 128M, or -1.").default("128M").meta({ label: "memory_limit", mono: true, initial: "128M" }),
  uploadMaxFilesize: z.string().trim().toUpperCase().regex(INI_SIZE, "A size such as 2M.").default("2M").meta({ label: "upload_max_filesize", mono: true, initial: "2M" }),
  maxChildren: z.coerce.number({ message: "A whole number." }).int("A whole number.").min(1, "At least 1.").max(200, "At most 200.").default(5).meta({ label: "Max children", kind: "number", initial: "5", hint: "pm.max_children (ondemand)." }),
  description: descriptionField,
});

export type WebAppInput = z.infer<typeof webAppInput>;

/** A stored web app as backends and route expressions see it (with its system user's name). */
export const webAppSnapshot = z.object({
  id: z.number().int(),
  name: z.string(),
  systemUserId: z.number().int(),
  systemUser: z.object({ username: z.string() }),
  phpVersion: z.string(),
  memoryLimit: z.string(),
  uploadMaxFilesize: z.string(),
  maxChildren: z.number().int(),
  description: z.string().default(""),
  createdAt: z.string().optional(),
  updatedAt: z.string().optional(),
});

export type WebAppSnapshot = z.infer<typeof webAppSnapshot>;
