import { api } from "@/lib/api/handler";
import { logs } from "@/lib/api/resources";

export const GET = api("viewer", async (request) => logs(new URL(request.url)));
