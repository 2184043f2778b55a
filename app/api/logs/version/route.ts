import { db } from "@/lib/db";
import { fetchLogVersion } from "@/lib/data/log-version";
import { currentUser } from "@/lib/session";

export const dynamic = "force-dynamic";

// What the log list and the dashboard poll to learn whether re-rendering would show anything new.
export async function GET() {
  const user = await currentUser();
  if (!user) return Response.json({ error: "unauthorized" }, { status: 401, headers: { "cache-control": "no-store" } });
  return Response.json({ version: await fetchLogVersion(db) }, { headers: { "cache-control": "no-store" } });
}
