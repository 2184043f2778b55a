import { databaseUrl } from "@/lib/database-url";
import { checkHealth } from "@/lib/health";
import { committedMigrations } from "@/lib/migrate";
import { engine } from "@/lib/orchestra";

// For load balancers and monitors: no session needed (proxy.ts lets /api/health through).
export const dynamic = "force-dynamic";

let committed: string[] | undefined;

export async function GET() {
  committed ??= committedMigrations(databaseUrl());
  const health = await checkHealth(engine, committed);
  return Response.json(health, { status: health.status === "ok" ? 200 : 503, headers: { "cache-control": "no-store" } });
}
