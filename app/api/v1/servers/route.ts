import { api } from "@/lib/api/handler";
import { servers } from "@/lib/api/resources";

export const GET = api("viewer", async () => servers());
