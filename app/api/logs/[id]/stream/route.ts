import { db } from "@/lib/db";
import { logEventStream } from "@/lib/data/log-stream";
import { currentUser, stillSignedIn } from "@/lib/session";
import { hasRole } from "@/lib/roles";
import { idParam } from "@/lib/schemas/common";

export const dynamic = "force-dynamic";

// The live tail of a script log for the log page (Server-Sent Events; lib/data/log-stream.ts). Outside
// proxy.ts like every /api route: the session is checked here, and a signed-out client gets a 401, not
// the sign-in page.
export async function GET(request: Request, { params }: { params: Promise<{ id: string }> }) {
  const user = await currentUser();
  if (!user) return text(401, "Sign in to watch a script log.");
  if (!hasRole(user.role, "viewer")) return text(403, "This needs the viewer role.");
  const id = idParam.safeParse((await params).id);
  if (!id.success) return text(404, "No such script log.");
  const exists = await db.scriptLog.findUnique({ where: { id: id.data }, select: { id: true } });
  if (!exists) return text(404, "No such script log.");
  // the stream lasts minutes: a sign-out everywhere or a lost role closes it within a couple of seconds
  const stream = logEventStream(db, id.data, { resume: request.headers.get("last-event-id"), signal: request.signal, allowed: () => stillSignedIn(user, "viewer") });
  return new Response(stream, {
    headers: {
      "content-type": "text/event-stream; charset=utf-8",
      // no-transform: the production server's compression would otherwise hold events back
      "cache-control": "no-cache, no-transform",
      "x-accel-buffering": "no",
    },
  });
}

function text(status: number, message: string): Response {
  return new Response(message, { status, headers: { "content-type": "text/plain; charset=utf-8", "cache-control": "no-store" } });
}
