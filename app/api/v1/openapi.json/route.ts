import { openApiDocument } from "@/lib/api/openapi";

// Public like any API description: it lists what exists, never data.
export function GET() {
  return Response.json(openApiDocument());
}
