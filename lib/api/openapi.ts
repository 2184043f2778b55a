// The OpenAPI description of /api/v1, built with zod-openapi from the same zod schemas the admin uses:
// each service's input schema (request bodies) and snapshot schema without secret fields (responses).
import { z } from "zod";
import { createDocument, type ZodOpenApiOperationObject, type ZodOpenApiPathsObject } from "zod-openapi";
import { SERVICES } from "../services";
import { LOG_STATES, OPERATION_STATES } from "../orchestration/types";

const error = z.object({ error: z.string(), message: z.string(), fieldErrors: z.record(z.string(), z.array(z.string())).optional() }).meta({ id: "Error" });
const run = z.object({ logId: z.number().int(), server: z.string(), backend: z.string(), state: z.enum(LOG_STATES), operations: z.array(z.string()) }).meta({ id: "Run" });
const outcome = { runs: z.array(run), notices: z.array(z.string()).describe("Operations no route matched, routes that could not be evaluated.") };

const json = (schema: z.ZodType, description: string) => ({ description, content: { "application/json": { schema } } });
const errors = {
  401: json(error, "No valid token (missing, unknown, expired or revoked)."),
  403: json(error, "The token's role is too low."),
  429: json(error, "Too many requests with this token."),
};
const notFound = { 404: json(error, "No such object.") };
const invalid = { 422: json(error, "Fields that are not valid, next to their names.") };
const id = z.object({ id: z.string().regex(/^\d+$/) });

function servicePaths(): ZodOpenApiPathsObject {
  const paths: ZodOpenApiPathsObject = {};
  for (const s of SERVICES) {
    const secret = Object.fromEntries((s.secretFields ?? []).map((f) => [f, true as const]));
    const object = (s.snapshot as unknown as z.ZodObject).omit(secret as Record<string, true> & Record<number, never>).meta({ id: s.model });
    const input = s.input.meta({ id: `${s.model}Input`, description: `Fields as the admin's form has them; lists as JSON arrays or comma-separated text; booleans as true/false.` });
    const tag = [s.title];
    const slug = { service: z.literal(s.slug) };
    const list: ZodOpenApiOperationObject = {
      tags: tag,
      summary: `List ${s.title.toLowerCase()}`,
      requestParams: {
        path: z.object(slug),
        query: z.object({
          q: z.string().optional().describe("Search text."),
          sort: z.enum(s.list.sorts.map((x) => x.field) as [string, ...string[]]).optional(),
          dir: z.enum(["asc", "desc"]).optional(),
          after: z.string().optional().describe("The `next` cursor of the previous page."),
          limit: z.number().int().min(1).max(500).optional(),
          ...Object.fromEntries((s.list.filters ?? []).map((f) => [`f.${f.name}`, z.enum(f.options.map((o) => o.value) as [string, ...string[]]).optional().describe(f.label)])),
        }),
      },
      responses: { 200: json(z.object({ objects: z.array(object), total: z.number().int(), next: z.string().nullable() }), "One page, in (sort, id) order."), ...errors },
    };
    paths[`/api/v1/services/${s.slug}`] = {
      get: list,
      post: { tags: tag, summary: `Create a ${s.singular} (runs like a save in the admin)`, requestParams: { path: z.object(slug) }, requestBody: { content: { "application/json": { schema: input } } }, responses: { 201: json(z.object({ id: z.number().int(), message: z.string(), object, ...outcome }), "Created; its scripts ran."), ...errors, ...invalid } },
    };
    const one = { path: z.object({ ...slug, ...id.shape }) };
    paths[`/api/v1/services/${s.slug}/{id}`] = {
      get: { tags: tag, summary: `Get a ${s.singular}`, requestParams: one, responses: { 200: json(z.object({ object, secretsSet: z.record(z.string(), z.boolean()) }), "The object, without secret fields."), ...errors, ...notFound } },
      put: { tags: tag, summary: `Replace a ${s.singular}`, requestParams: one, requestBody: { content: { "application/json": { schema: input } } }, responses: { 200: json(z.object({ id: z.number().int(), message: z.string(), object, ...outcome }), "Saved; its scripts ran."), ...errors, ...notFound, ...invalid } },
      patch: { tags: tag, summary: `Change some fields of a ${s.singular}`, requestParams: one, requestBody: { content: { "application/json": { schema: input.partial() } } }, responses: { 200: json(z.object({ id: z.number().int(), message: z.string(), object, ...outcome }), "Saved; its scripts ran."), ...errors, ...notFound, ...invalid } },
      delete: { tags: tag, summary: `Delete a ${s.singular} on every server it is routed to`, requestParams: one, responses: { 200: json(z.object({ deleted: z.number().int(), message: z.string(), ...outcome }), "Deleted; its scripts ran."), ...errors, ...notFound } },
    };
    paths[`/api/v1/services/${s.slug}/{id}/run`] = {
      post: {
        tags: tag,
        summary: `Re-apply a ${s.singular} on its servers, or run a backend command`,
        requestParams: one,
        requestBody: { content: { "application/json": { schema: z.object({ command: z.enum(s.backends.flatMap((b) => Object.keys(b.commands ?? {}).map((c) => `${b.name}:${c}`)) as [string, ...string[]]).optional() }) } } },
        responses: { 200: json(z.object(outcome), "Ran."), ...errors, ...notFound, ...invalid },
      },
    };
  }
  return paths;
}

export function openApiDocument() {
  const list = (name: string, item: z.ZodType) => json(z.object({ [name]: z.array(item), nextBefore: z.number().int().nullable().optional() }), `The ${name}.`);
  const logRef = z.object({ id: z.string().regex(/^\d+$/) });
  return createDocument({
    openapi: "3.1.0",
    info: { title: "Orchestra API", version: "1", description: "Service objects, servers, routes, operations and script logs. Authenticate with `Authorization: Bearer <token>` (tokens are made under Tokens in the admin)." },
    components: { securitySchemes: { token: { type: "http", scheme: "bearer" } } },
    security: [{ token: [] }],
    paths: {
      ...servicePaths(),
      "/api/v1/servers": { get: { tags: ["Servers"], summary: "List servers (variables with secret-looking names masked)", responses: { 200: list("servers", z.object({ id: z.number().int(), name: z.string(), address: z.string(), port: z.number().int() }).loose()), ...errors } } },
      "/api/v1/routes": { get: { tags: ["Routes"], summary: "List routes", responses: { 200: list("routes", z.object({ id: z.number().int(), backend: z.string(), serverId: z.number().int(), match: z.string(), active: z.boolean() }).loose()), ...errors } } },
      "/api/v1/operations": {
        get: {
          tags: ["Operations"],
          summary: "List operations, newest first",
          requestParams: { query: z.object({ state: z.enum(OPERATION_STATES).optional(), backend: z.string().optional(), model: z.string().optional(), object: z.string().optional(), server: z.number().int().optional(), before: z.number().int().optional() }) },
          responses: { 200: list("operations", z.object({ id: z.number().int(), action: z.string(), state: z.enum(OPERATION_STATES) }).loose()), ...errors },
        },
      },
      "/api/v1/operations/{id}/revoke": { post: { tags: ["Operations"], summary: "Withdraw a queued operation", requestParams: { path: logRef }, responses: { 200: json(z.object({ revoked: z.number().int() }), "Revoked."), 409: json(error, "Not pending."), ...errors } } },
      "/api/v1/logs": {
        get: {
          tags: ["Script logs"],
          summary: "List script logs, newest first",
          requestParams: { query: z.object({ state: z.enum(LOG_STATES).optional(), server: z.number().int().optional(), backend: z.string().optional(), before: z.number().int().optional() }) },
          responses: { 200: list("logs", z.object({ id: z.number().int(), state: z.enum(LOG_STATES) }).loose()), ...errors },
        },
      },
      "/api/v1/logs/{id}": { get: { tags: ["Script logs"], summary: "A script log with its script and output (secrets masked)", requestParams: { path: logRef }, responses: { 200: json(z.object({ id: z.number().int(), state: z.enum(LOG_STATES), script: z.string(), stdout: z.string(), stderr: z.string() }).loose(), "The log."), ...errors, ...notFound } } },
      "/api/v1/logs/{id}/retry": { post: { tags: ["Script logs"], summary: "Bring the log's objects to their current state on its server", requestParams: { path: logRef, query: z.object({ reapply: z.enum(["1"]).optional() }) }, responses: { 200: json(z.object({ report: run.nullable(), queued: z.boolean() }).loose(), "Retried."), 409: json(error, "Still running."), ...errors } } },
      "/api/v1/logs/{id}/cancel": { post: { tags: ["Script logs"], summary: "Stop a running script", requestParams: { path: logRef }, responses: { 200: json(z.object({ message: z.string() }), "Cancel requested."), 409: json(error, "Not running."), ...errors } } },
    },
  });
}
