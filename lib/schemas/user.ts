import { z } from "zod";
import { ROLES } from "../roles";
import "./messages";

export const userCreateSchema = z.object({
  email: z.string().trim().toLowerCase().email("Enter an e-mail address."),
  name: z.string().trim().max(100).default(""),
  role: z.enum(ROLES, { message: "Choose a role." }),
  password: z.string().min(10, "At least 10 characters.").max(200),
});

export const userRoleSchema = z.object({ id: z.coerce.number().int().positive(), role: z.enum(ROLES) });

export const userPasswordSchema = z.object({
  id: z.coerce.number().int().positive(),
  password: z.string().min(10, "At least 10 characters.").max(200),
});
