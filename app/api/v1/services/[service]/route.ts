import { api } from "@/lib/api/handler";
import { list, serviceOf, write } from "@/lib/api/services";

type P = { service: string };

export const GET = api<P>("viewer", async (request, { params }) => list(serviceOf(params.service), new URL(request.url)));

export const POST = api<P>("operator", async (request, { user, params }) => {
  const result = await write(serviceOf(params.service), request, user);
  return new Response(JSON.stringify(result), { status: 201, headers: { "content-type": "application/json; charset=utf-8", location: `/api/v1/services/${params.service}/${result.id}` } });
});
