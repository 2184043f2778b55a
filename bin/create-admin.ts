// Creates (or resets) an admin account.
//   npm run create-admin -- admin@example.net          password from ORCHESTRA_ADMIN_PASSWORD or a prompt
//   npm run create-admin -- --if-none                  only when no admin exists yet (used by `npm start`)
//   npm run create-admin -- ops@example.net --role operator
import { randomBytes } from "node:crypto";
import { createInterface } from "node:readline/promises";
import { parseArgs } from "node:util";
import { createDb } from "../lib/db-client";
import { adminDefaults, appPort } from "../lib/env";
import { hashPassword } from "../lib/sign-in";
import { isRole } from "../lib/roles";

async function main() {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: { "if-none": { type: "boolean", default: false }, role: { type: "string", default: "admin" }, name: { type: "string", default: "" } },
  });
  const role = values.role!;
  if (!isRole(role)) throw new Error(`unknown role ${role} (admin, operator, viewer)`);
  const db = createDb();
  try {
    if (values["if-none"] && (await db.user.count({ where: { role: "admin" } })) > 0) {
      console.log("An admin account exists already: sign in with it (or run `npm run create-admin -- EMAIL`).");
      return;
    }
    const defaults = adminDefaults();
    const email = (positionals[0] ?? defaults.email).trim().toLowerCase();
    let password = defaults.password ?? "";
    let generated = false;
    if (!password && process.stdin.isTTY && !values["if-none"]) {
      const rl = createInterface({ input: process.stdin, output: process.stdout });
      password = await rl.question(`Password for ${email}: `);
      rl.close();
    }
    if (!password) {
      password = randomBytes(12).toString("base64url");
      generated = true;
    }
    if (password.length < 10) throw new Error("the password needs at least 10 characters");
    const passwordHash = await hashPassword(password);
    await db.user.upsert({
      where: { email },
      create: { email, name: values.name!, role, passwordHash },
      // A reset password ends the sessions signed in with the old one.
      update: { role, passwordHash, sessionVersion: { increment: 1 } },
    });
    console.log(`\n  Sign in at http://localhost:${appPort()} as ${email}` + (generated ? ` with password ${password}` : "") + "\n");
    if (generated) console.log("  (a generated password, shown once: change it or set ORCHESTRA_ADMIN_PASSWORD)\n");
  } finally {
    await db.$disconnect();
  }
}

main().catch((error) => {
  console.error(`create-admin: ${error instanceof Error ? error.message : error}`);
  process.exit(1);
});
