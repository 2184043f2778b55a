import { api } from "@/lib/api/handler";
import { getOne, idOf, remove, serviceOf, write } from "@/lib/api/services";

type P = { service: string; id: string };

export const GET = api<P>("viewer", async (_request, { params }) => getOne(serviceOf(params.service), idOf(params.id)));
export const PUT = api<P>("operator", async (request, { user, params }) => write(serviceOf(params.service), request, user, idOf(params.id)));
export const PATCH = api<P>("operator", async (request, { user, params }) => write(serviceOf(params.service), request, user, idOf(params.id), true));
export const DELETE = api<P>("operator", async (_request, { user, params }) => remove(serviceOf(params.service), user, [idOf(params.id)]));
