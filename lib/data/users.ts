import "server-only";
import { db } from "../db";

/** Users without their password hashes. */
export async function fetchUsers() {
  return db.user.findMany({ orderBy: { email: "asc" }, select: { id: true, email: true, name: true, role: true, createdAt: true } });
}
