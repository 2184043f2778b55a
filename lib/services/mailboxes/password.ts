import bcrypt from "bcryptjs";
import type { TxDb } from "@/lib/orchestration/unit-of-work";
import { UserError } from "@/lib/actions/state";

/**
 * A password as Dovecot verifies it: {BLF-CRYPT} with a bcrypt hash (glibc's libxcrypt reads `$2b$`;
 * checked with `doveadm pw -t`). Cost 10: every IMAP login pays it.
 */
export async function mailPasswordHash(password: string): Promise<string> {
  return `{BLF-CRYPT}${await bcrypt.hash(password, 10)}`;
}

/** The id of a mail domain by name, or a field error. */
export async function domainIdOf(db: TxDb, name: unknown): Promise<number> {
  const domain = await db.mailDomain.findUnique({ where: { name: String(name) } });
  if (!domain) throw new UserError(`No mail domain ${String(name)}: create it first.`, "domain");
  return domain.id;
}
