import "server-only";
import type { TxDb } from "../orchestration/unit-of-work";

/** Users without their password hashes. */
export async function fetchUsers(db: TxDb) {
  return db.user.findMany({ orderBy: { email: "asc" }, select: { id: true, email: true, name: true, role: true, createdAt: true } });
}
