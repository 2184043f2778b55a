import { signOut } from "@/auth";

// Sign-out is a plain POST outside proxy.ts: the proxy re-issues the session cookie on every request
// it sees (rolling sessions), which raced with the deletion when sign-out was a server action.
export async function POST() {
  await signOut({ redirectTo: "/login" });
}
