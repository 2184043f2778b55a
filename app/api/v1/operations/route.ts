import { api } from "@/lib/api/handler";
import { operations } from "@/lib/api/resources";

export const GET = api("viewer", async (request) => operations(new URL(request.url)));
