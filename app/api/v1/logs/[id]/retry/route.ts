import { api } from "@/lib/api/handler";
import { retry } from "@/lib/api/resources";
import { idOf } from "@/lib/api/services";

/** `?reapply=1`: re-apply the current state even of objects a later run superseded. */
export const POST = api<{ id: string }>("operator", async (request, { user, params }) => retry(idOf(params.id), user.id, new URL(request.url).searchParams.get("reapply") === "1"));
