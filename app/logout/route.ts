import { signOut } from "@/auth";
import { db } from "@/lib/db";
import { currentUser, endSessions } from "@/lib/session";

// Sign-out is a plain POST outside proxy.ts: the proxy re-issues the session cookie on every request
// it sees (rolling sessions), which raced with the deletion when sign-out was a server action.
// Deleting the cookie is not enough with stateless JWT sessions (a copy would stay valid until it
// expires): the account's session version moves on, which ends this session and any copy of it.
export async function POST() {
  const user = await currentUser();
  if (user) await endSessions(db, user.id);
  await signOut({ redirectTo: "/login" });
}
