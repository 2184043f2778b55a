import { mkdirSync, rmSync } from "node:fs";
import { createDb } from "../lib/db-client";
import { migrate } from "../lib/migrate";
import { hashPassword } from "../lib/sign-in";
import { E2E_DATABASE_URL } from "../playwright.config";
import { USERS } from "./users";

// A fresh database for every run, with one account per role.
export default async function globalSetup() {
  rmSync(".tmp/e2e", { recursive: true, force: true });
  mkdirSync(".tmp/e2e", { recursive: true });
  mkdirSync("e2e/.auth", { recursive: true });
  await migrate(E2E_DATABASE_URL);
  const db = createDb(E2E_DATABASE_URL);
  for (const user of Object.values(USERS)) {
    await db.user.create({ data: { email: user.email, role: user.role, name: user.role, passwordHash: await hashPassword(user.password) } });
  }
  await db.$disconnect();
}
