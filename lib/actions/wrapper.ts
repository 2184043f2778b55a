// The one wrapper every server action goes through: session and role, zod parse of the form, the
// unit of work (or none), curated errors. Dependencies are passed in so it is unit-tested without Next.js.
import { randomUUID } from "node:crypto";
import { z } from "zod";
import { hasRole, type Role } from "../roles";
import { isUserError, type ActionState, type FieldErrors, type RunReport } from "./state";

export type ActionUser = { id: number; email: string; name: string; role: Role };

export type ActionOutcome = { message?: string; redirectTo?: string; runs?: RunReport[]; notices?: string[] } | void;

export type WrapperDeps<Ctx> = {
  getUser(): Promise<ActionUser | null>;
  /** Runs the handler inside a unit of work; returns its result and the script runs it caused. */
  unitOfWork<T>(user: ActionUser, fn: (ctx: Ctx) => Promise<T>): Promise<{ result: T; runs: RunReport[]; notices?: string[] }>;
  /** Runs the handler without a unit of work (for actions that run scripts themselves: retry, test). */
  direct<T>(user: ActionUser, fn: (ctx: Ctx) => Promise<T>): Promise<T>;
  /** Re-throws framework control flow (redirect, notFound) that must not be caught. */
  rethrow(error: unknown): void;
  redirect(path: string, state: ActionState): Promise<never>;
  logError(ref: string, error: unknown): void;
};

export type ActionOptions<S extends z.ZodType> = {
  role: Role;
  schema: S;
  /** Form fields never echoed back to the browser (passwords, keys). */
  secretFields?: string[];
};

export type FormAction = (prev: ActionState, formData: FormData) => Promise<ActionState>;

/** `client({ role, schema }, handler)`: defines one server action. */
export type ActionClient<Ctx> = <S extends z.ZodType>(
  options: ActionOptions<S>,
  handler: (input: z.infer<S>, ctx: Ctx & { user: ActionUser }) => Promise<ActionOutcome>,
) => FormAction;

/**
 * The two action clients, alike but for the unit of work:
 * - `action` runs the handler in a unit of work: its writes and their operations commit together, then
 *   the synchronous operations run and their reports come back with the state;
 * - `directAction` runs it without one, for handlers that run scripts themselves (retry, test connection,
 *   cancel) or write nothing a backend watches. Its writes must not be service objects: they would
 *   reach no server.
 */
export function createActionWrapper<Ctx>(deps: WrapperDeps<Ctx>): { action: ActionClient<Ctx>; directAction: ActionClient<Ctx> } {
  return { action: client(deps, true), directAction: client(deps, false) };
}

function client<Ctx>(deps: WrapperDeps<Ctx>, inUnitOfWork: boolean): ActionClient<Ctx> {
  return (options, handler) => {
    return async (_prev, formData) => {
      const values = echoValues(formData, options.secretFields ?? []);
      const user = await deps.getUser();
      if (!user) return { ok: false, message: "Your session has ended: sign in again." };
      if (!hasRole(user.role, options.role)) {
        return { ok: false, message: `This needs the ${options.role} role; you are ${user.role}.`, values };
      }

      const parsed = options.schema.safeParse(formObject(formData));
      if (!parsed.success) {
        return { ok: false, message: "Please correct the highlighted fields.", fieldErrors: fieldErrorsOf(parsed.error), values };
      }

      let state: ActionState;
      let redirectTo: string | undefined;
      try {
        const run = (ctx: Ctx) => handler(parsed.data, { ...ctx, user });
        const { result, runs: unitRuns, notices: unitNotices = [] } =
          inUnitOfWork ? await deps.unitOfWork(user, run) : { result: await deps.direct(user, run), runs: [] as RunReport[], notices: [] as string[] };
        const runs = [...unitRuns, ...(result?.runs ?? [])];
        const notices = [...unitNotices, ...(result?.notices ?? [])];
        redirectTo = result?.redirectTo;
        const failed = runs.filter((r) => !["SUCCESS", "NOTHING"].includes(r.state));
        state = {
          ok: failed.length === 0,
          message: failed.length
            ? `${result?.message ?? "Saved."} But ${failed.length} of ${runs.length} script run(s) did not succeed.`
            : (result?.message ?? "Saved."),
          runs,
          ...(notices.length ? { notices } : {}),
        };
      } catch (error) {
        deps.rethrow(error);
        return { ...curated(error, deps), values };
      }
      if (redirectTo) await deps.redirect(redirectTo, state);
      return state;
    };
  };
}

function formObject(formData: FormData): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of formData.entries()) {
    if (key.startsWith("$ACTION")) continue;
    if (typeof value !== "string") continue;
    // Repeated fields (checkbox groups, multi-selects) become arrays.
    const previous = out[key];
    out[key] = previous === undefined ? value : Array.isArray(previous) ? [...previous, value] : [previous, value];
  }
  return out;
}

function echoValues(formData: FormData, secret: string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, value] of formData.entries()) {
    if (key.startsWith("$ACTION") || secret.includes(key) || typeof value !== "string") continue;
    out[key] = key in out ? `${out[key]}\n${value}` : value;
  }
  return out;
}

/**
 * One message per field: the first problem found (a field's own check runs before whole-object checks,
 * which would otherwise repeat it in other words). Whole-form problems are all kept.
 */
export function fieldErrorsOf(error: z.ZodError): FieldErrors {
  const out: FieldErrors = {};
  for (const issue of error.issues) {
    const key = issue.path.length ? String(issue.path[0]) : "_form";
    const known = (out[key] ??= []);
    if (key === "_form" ? !known.includes(issue.message) : known.length === 0) known.push(issue.message);
  }
  return out;
}

/** Turns any error into what the browser may see: known cases explained, the rest a reference only. */
function curated(error: unknown, deps: { logError(ref: string, error: unknown): void }): ActionState {
  if (isUserError(error)) {
    if (error.fieldErrors) return { ok: false, message: error.message, fieldErrors: error.fieldErrors };
    return error.field
      ? { ok: false, message: "Please correct the highlighted fields.", fieldErrors: { [error.field]: [error.message] } }
      : { ok: false, message: error.message };
  }
  const unique = uniqueViolation(error);
  if (unique) {
    return {
      ok: false,
      message: "Please correct the highlighted fields.",
      fieldErrors: { [unique]: ["This value is already taken."] },
    };
  }
  const ref = randomUUID().slice(0, 8);
  deps.logError(ref, error);
  return { ok: false, message: `Something went wrong on the server (reference ${ref}). Nothing was changed.` };
}

/** The field of a unique-constraint violation (Prisma P2002), on SQLite and PostgreSQL alike. */
export function uniqueViolation(error: unknown): string | null {
  const e = error as { code?: string; meta?: Record<string, unknown> } | null;
  if (!e || e.code !== "P2002") return null;
  const meta = e.meta ?? {};
  const target = meta.target as string[] | string | undefined;
  const adapterFields = (meta.driverAdapterError as { cause?: { constraint?: { fields?: string[] } } } | undefined)
    ?.cause?.constraint?.fields;
  const fields = Array.isArray(target) ? target : typeof target === "string" ? [target] : (adapterFields ?? []);
  const field = fields.map((f) => f.replace(/"/g, "")).find((f) => f !== "id");
  return field ?? "_form";
}
