import { api } from "@/lib/api/handler";
import { routes } from "@/lib/api/resources";

export const GET = api("viewer", async () => routes());
