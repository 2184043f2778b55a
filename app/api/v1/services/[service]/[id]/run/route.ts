import { api } from "@/lib/api/handler";
import { idOf, run, serviceOf } from "@/lib/api/services";

type P = { service: string; id: string };

export const POST = api<P>("operator", async (request, { user, params }) => run(serviceOf(params.service), request, user, idOf(params.id)));
