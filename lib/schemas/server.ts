import { z } from "zod";
import { hostnameOrIp, posixName, requiredText, variablesText } from "./common";

export const serverSchema = z.object({
  name: requiredText()
    .max(64)
    .regex(/^[a-zA-Z0-9][a-zA-Z0-9._-]*$/, "Letters, digits, dot, _ and -."),
  address: hostnameOrIp,
  port: z.coerce.number({ message: "A number." }).int("A whole number.").min(1, "1 to 65535.").max(65535, "1 to 65535."),
  sshUser: posixName,
  os: z.string().trim().max(40).default("linux"),
  description: z.string().trim().max(500).default(""),
  variables: variablesText,
});

export const serverUpdateSchema = serverSchema.extend({ id: z.coerce.number().int().positive() });
