import { api } from "@/lib/api/handler";
import { log } from "@/lib/api/resources";
import { idOf } from "@/lib/api/services";

export const GET = api<{ id: string }>("viewer", async (_request, { params }) => log(idOf(params.id)));
