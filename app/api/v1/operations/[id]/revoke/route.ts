import { api } from "@/lib/api/handler";
import { revoke } from "@/lib/api/resources";
import { idOf } from "@/lib/api/services";

export const POST = api<{ id: string }>("operator", async (_request, { params }) => revoke(idOf(params.id)));
