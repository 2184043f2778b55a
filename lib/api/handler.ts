// Every REST API route goes through `api()`: a token (Authorization: Bearer …) checked on each request,
// the route's role against the token's effective role, a per-token rate limit, JSON in and out, and
// errors as JSON with a status that says whose fault it is — never a stack trace.
import "server-only";
import { randomUUID } from "node:crypto";
import { db } from "../db";
import { hasRole, type Role } from "../roles";
import { isUserError } from "../actions/state";
import { uniqueViolation } from "../actions/wrapper";
import { isOperatorError } from "../orchestration/types";
import { authenticateToken, RateLimiter, type TokenRefusal, type TokenUser } from "./tokens";

const limiter = new RateLimiter(600);

const REFUSALS: Record<TokenRefusal, string> = {
  missing: "Send a token: Authorization: Bearer orc_… (make one under Tokens in the admin).",
  malformed: "The Authorization header must be: Bearer orc_…",
  unknown: "This token is not valid.",
  expired: "This token has expired: make a new one.",
  revoked: "This token was revoked.",
};

export function json(body: unknown, status = 200, headers: Record<string, string> = {}): Response {
  return new Response(JSON.stringify(body), { status, headers: { "content-type": "application/json; charset=utf-8", "cache-control": "no-store", ...headers } });
}

/** A request's JSON body (at most 1 MB), or a 400 thrown as an ApiError. */
export async function readJson(request: Request): Promise<Record<string, unknown>> {
  const text = await request.text();
  if (text.length > 1_000_000) throw new ApiError(413, "too_large", "The body is larger than 1 MB.");
  try {
    const value = JSON.parse(text || "{}");
    if (!value || typeof value !== "object" || Array.isArray(value)) throw new Error("not an object");
    return value as Record<string, unknown>;
  } catch {
    throw new ApiError(400, "bad_json", "The body must be a JSON object.");
  }
}

export class ApiError extends Error {
  constructor(readonly status: number, readonly code: string, message: string, readonly fieldErrors?: Record<string, string[] | undefined>) {
    super(message);
    this.name = "ApiError";
  }
}

type Handler<P> = (request: Request, ctx: { user: TokenUser; params: P }) => Promise<unknown>;

export function api<P = Record<string, never>>(role: Role, handler: Handler<P>) {
  return async (request: Request, context: { params: Promise<P> }): Promise<Response> => {
    const user = await authenticateToken(db, request.headers.get("authorization"));
    if (typeof user === "string") return json({ error: "unauthorized", message: REFUSALS[user] }, 401, { "www-authenticate": 'Bearer realm="orchestra"' });
    const wait = limiter.take(user.tokenId);
    if (wait) return json({ error: "rate_limited", message: `Too many requests with this token: wait ${wait} s.` }, 429, { "retry-after": String(wait) });
    if (!hasRole(user.role, role)) return json({ error: "forbidden", message: `This needs the ${role} role; this token acts as ${user.role}.` }, 403);
    try {
      const result = await handler(request, { user, params: await context.params });
      return result instanceof Response ? result : json(result);
    } catch (error) {
      if (error instanceof Error && error.name === "ApiError") {
        const e = error as ApiError;
        return json({ error: e.code, message: e.message, ...(e.fieldErrors ? { fieldErrors: e.fieldErrors } : {}) }, e.status);
      }
      if (isUserError(error)) {
        const fieldErrors = error.fieldErrors ?? (error.field ? { [error.field]: [error.message] } : undefined);
        return json({ error: "invalid", message: error.message, ...(fieldErrors ? { fieldErrors } : {}) }, 422);
      }
      if (isOperatorError(error)) return json({ error: "conflict", message: error.message }, 409);
      const field = uniqueViolation(error);
      if (field) return json({ error: "invalid", message: "This value is already taken.", fieldErrors: { [field]: ["This value is already taken."] } }, 422);
      const ref = randomUUID().slice(0, 8);
      console.error(`[api ${ref}]`, error);
      return json({ error: "server_error", message: `Something went wrong on the server (reference ${ref}).` }, 500);
    }
  };
}

/**
 * JSON values as the service forms send them, so the API and the admin share one validation:
 * lists become comma-separated text, booleans the checkbox's "on" or nothing, numbers text.
 */
export function formValues(body: Record<string, unknown>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(body)) {
    if (value === null || value === undefined) out[key] = "";
    else if (Array.isArray(value)) out[key] = value.map(String).join(",");
    else if (typeof value === "boolean") {
      if (value) out[key] = "on";
    } else if (typeof value === "object") throw new ApiError(422, "invalid", `${key}: a plain value or a list, not an object.`, { [key]: ["A plain value or a list."] });
    else out[key] = String(value);
  }
  return out;
}
