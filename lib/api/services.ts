// The REST API of every service, derived from its declaration like the admin's pages: list (search,
// filters, sorting, keyset paging), get, create, replace, patch, delete, re-apply or run a command.
import "server-only";
import { z } from "zod";
import { db } from "../db";
import { engine } from "../orchestra";
import { fetchServiceList, fetchServiceObject, parseListQuery } from "../data/services";
import { fieldErrorsOf } from "../actions/wrapper";
import { serviceBySlug } from "../services";
import { defaultFormValues, type Service } from "../services/kit";
import { deleteObjects, existingIds, runObjects, saveObject, serviceCommand } from "../services/write";
import { inUnitOfWork } from "../unit";
import { ApiError, formValues, readJson } from "./handler";
import type { TokenUser } from "./tokens";

export function serviceOf(slug: string): Service {
  const service = serviceBySlug(slug);
  if (!service) throw new ApiError(404, "not_found", `No service ${JSON.stringify(slug)}.`);
  return service;
}

export function idOf(raw: string): number {
  const id = Number(raw);
  if (!Number.isInteger(id) || id <= 0) throw new ApiError(404, "not_found", "Not an object id.");
  return id;
}

export async function list(service: Service, url: URL) {
  const params = Object.fromEntries(url.searchParams.entries());
  const limit = Math.min(Math.max(Number(params.limit) || 50, 1), 500);
  return fetchServiceList(db, service, parseListQuery(service, params), limit);
}

export async function getOne(service: Service, id: number) {
  const found = await fetchServiceObject(db, service, id);
  if (!found) throw new ApiError(404, "not_found", `No ${service.singular} #${id}.`);
  return found;
}

function parse(schema: z.ZodType, values: Record<string, string>) {
  const parsed = schema.safeParse(values);
  if (!parsed.success) throw new ApiError(422, "invalid", "Some fields are not valid.", fieldErrorsOf(parsed.error));
  return parsed.data as Record<string, unknown>;
}

/** Create (no id), replace (id, the whole object) or patch (id, `partial`: only the fields sent). */
export async function write(service: Service, request: Request, user: TokenUser, id?: number, partial = false) {
  const raw = await readJson(request);
  const body = formValues(raw);
  let values = body;
  // a create leaves out what it does not set: a checkbox then takes the form's default (a new site is
  // enabled), as a form submitted unchanged would; a replace (PUT) says every field
  if (!id) for (const f of service.fields) if (f.kind === "checkbox" && f.initial === true && !(f.name in raw)) values[f.name] = "on";
  if (id && partial) {
    const current = await getOne(service, id);
    const base = service.formValues ? service.formValues(current.object) : defaultFormValues(service, current.object);
    values = { ...formValues(Object.fromEntries(Object.entries(base).filter(([, v]) => v !== false))), ...body };
  }
  const input = parse(id ? service.updateSchema : service.createSchema, id ? { ...values, id: String(id) } : values);
  const { result, runs, notices } = await inUnitOfWork(user, ({ db }) => saveObject(service, input, { db, user }));
  return { id: result.id, message: result.message, object: (await getOne(service, result.id)).object, runs, notices };
}

export async function remove(service: Service, user: TokenUser, ids: number[]) {
  const { result, runs, notices } = await inUnitOfWork(user, ({ db }) => deleteObjects(service, ids, { db }));
  return { deleted: result.count, message: result.message, runs, notices };
}

const runBody = z.object({ command: z.string().regex(/^[a-z0-9-]+:[a-z][a-z0-9-]*$/, "backend:command").optional() });

/** Re-applies an object on its servers, or runs a backend command (`{"command": "backend:name"}`). */
export async function run(service: Service, request: Request, user: TokenUser, id: number) {
  const body = runBody.safeParse(await readJson(request));
  if (!body.success) throw new ApiError(422, "invalid", "Send {} to re-apply, or {\"command\": \"backend:command\"}.", fieldErrorsOf(body.error));
  const command = serviceCommand(service, body.data.command ?? ""); // a UserError answers 422
  if ((await existingIds(service, [id], db)).length === 0) throw new ApiError(404, "not_found", `No ${service.singular} #${id}.`);
  return runObjects(engine, service, [id], command, user.id);
}
