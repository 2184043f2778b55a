// Routes decide where a backend runs: (backend, server, CEL match). Expressions are CEL over `object`
// (the operation's snapshot: `after` for a save, `before` for a delete, without its secret fields),
// compiled once and cached. Never eval: CEL cannot call anything but its own functions. Expressions are
// bounded (cel-bounds.ts) and their evaluation errors name a kind, never a value. A message quotes at
// most a short excerpt of the expression (a name it does not know), never the expression itself.
import { CelScalar, celEnv, isCelError, mapType, parse, plan } from "@bufbuild/cel";
import { strings } from "@bufbuild/cel/ext";
import { CelLimitError, boundedEnv, checkLength, checkStatic, evaluationErrorKind, runBounded } from "./cel-bounds";
import { isSecretField, withoutSecrets } from "./secret-fields";
import { BAIL, compileFast, type FastMatch } from "./cel-fast";
import type { PendingOperation, Snapshot } from "./types";

export type RouteRow = {
  id: number;
  backend: string;
  serverId: number;
  match: string;
  async: boolean;
  asyncActions: unknown;
  active: boolean;
};

/**
 * A compiled match: call it with a snapshot of `model`, or `.cel` with an input made by routeInput.
 * Either way the secret fields of the model are gone before CEL sees the object.
 */
type Compiled = ((object: Snapshot, model: string) => boolean) & { cel(input: RouteInput): boolean };

const env = boundedEnv(
  celEnv({
    variables: { object: mapType(CelScalar.STRING, CelScalar.DYN) },
    funcs: strings,
  }),
);

/** Errors are told apart by name, not `instanceof` (bundles may load a module more than once). */
export function isNamed(error: unknown, name: string): error is Error {
  return typeof error === "object" && error !== null && (error as Error).name === name;
}

export class MatchError extends Error {
  /** True when the expression exceeded a limit of cel-bounds.ts (not a fault of one object). */
  readonly limit: boolean;
  constructor(message: string, limit = false) {
    super(message);
    this.name = "MatchError";
    this.limit = limit;
  }
}

const INPUT = Symbol.for("orchestra.routeInput");
/** An object ready for CEL: secret fields removed (`plain`), and converted by toCel when the full
 * evaluator needs it (once per object, however many routes read it). Only routeInput makes one. */
export type RouteInput = { readonly [INPUT]: { readonly plain: Readonly<Record<string, unknown>>; cel(): unknown } };

/** The one way an object reaches a route expression. */
export function routeInput(model: string, object: Snapshot): RouteInput {
  const plain = withoutSecrets(model, object);
  let converted: unknown;
  return { [INPUT]: { plain, cel: () => (converted ??= toCel(plain)) } };
}

/** Integers become CEL ints (so `object.uid > 1000` compares as numbers); nested values likewise. */
export function toCel(value: unknown): unknown {
  if (typeof value === "number" && Number.isInteger(value)) return BigInt(value);
  if (Array.isArray(value)) return value.map(toCel);
  if (value && typeof value === "object") return new Map(Object.entries(value).map(([k, v]) => [k, toCel(v)]));
  return value;
}

/** The field names an expression reads from `object` (object.x, object["x"], has(object.x)). */
function fieldsRead(expr: unknown, out = new Set<string>()): Set<string> {
  if (!expr || typeof expr !== "object") return out;
  const node = expr as { exprKind?: { case?: string; value?: Record<string, unknown> } };
  const kind = node.exprKind;
  if (kind?.case === "selectExpr") {
    const operand = kind.value?.operand as typeof node;
    if (operand?.exprKind?.case === "identExpr" && operand.exprKind.value?.name === "object") out.add(String(kind.value?.field));
  }
  if (kind?.case === "callExpr" && kind.value?.function === "_[_]") {
    const [target, index] = kind.value.args as (typeof node)[];
    const constant = index?.exprKind?.value as { constantKind?: { case?: string; value?: unknown } } | undefined;
    if (target?.exprKind?.case === "identExpr" && target.exprKind.value?.name === "object" && constant?.constantKind?.case === "stringValue") {
      out.add(String(constant.constantKind.value));
    }
  }
  for (const value of Object.values(kind?.value ?? {})) {
    if (Array.isArray(value)) value.forEach((v) => fieldsRead(v, out));
    else if (value && typeof value === "object") fieldsRead(value, out);
  }
  return out;
}

function identifiers(expr: unknown, out = new Set<string>()): Set<string> {
  if (!expr || typeof expr !== "object") return out;
  const kind = (expr as { exprKind?: { case?: string; value?: Record<string, unknown> } }).exprKind;
  if (kind?.case === "identExpr") out.add(String(kind.value?.name));
  if (kind?.case === "comprehensionExpr") {
    // iteration variables are bound inside the comprehension
    const v = kind.value as { iterVar?: string; accuVar?: string; iterVar2?: string };
    const inner = identifiers(kind.value, new Set());
    for (const name of inner) if (![v.iterVar, v.accuVar, v.iterVar2].includes(name)) out.add(name);
    return out;
  }
  for (const value of Object.values(kind?.value ?? {})) {
    if (Array.isArray(value)) value.forEach((v) => identifiers(v, out));
    else if (value && typeof value === "object") identifiers(value, out);
  }
  return out;
}

const cache = new Map<string, Compiled>();

/** Parses within the limits (length before parsing, size and shape after). */
function parseBounded(source: string): ReturnType<typeof parse> {
  const text = source.trim() || "true";
  checkLength(text);
  const parsed = parse(text);
  checkStatic(parsed.expr);
  return parsed;
}

/** Compiles (and caches) a match expression. Throws MatchError on a syntax error or a limit. */
export function compileMatch(source: string, options: { fast?: boolean } = {}): Compiled {
  const key = options.fast === false ? `\u0000full\u0000${source}` : source;
  const cached = cache.get(key);
  if (cached) return cached;
  let program: (ctx: { object: never }) => unknown;
  let fast: FastMatch | null;
  try {
    const parsed = parseBounded(source);
    program = plan(env, parsed) as unknown as typeof program;
    fast = options.fast === false ? null : compileFast(parsed.expr);
  } catch (error) {
    if (isNamed(error, "CelLimitError")) throw new MatchError(error.message, true);
    throw new MatchError(cleanMessage((error as Error).message));
  }
  const cel = (input: RouteInput) => {
    if (!input || !(INPUT in input)) throw new MatchError("a route expression needs an object made by routeInput");
    if (fast) {
      // (the common shapes, straight on the object; anything unusual goes to the full evaluator)
      const quick = fast(input[INPUT].plain);
      if (quick !== BAIL) return quick;
    }
    let result: unknown;
    try {
      result = runBounded(() => program({ object: input[INPUT].cel() as never }));
    } catch (error) {
      if (isNamed(error, "CelLimitError")) throw new MatchError(error.message, true);
      throw new MatchError(evaluationErrorKind(String((error as Error)?.message)));
    }
    if (isCelError(result)) throw new MatchError(evaluationErrorKind(result.message));
    if (typeof result !== "boolean") throw new MatchError(`the expression must be true or false, not ${typeof result}`);
    return result;
  };
  const compiled: Compiled = Object.assign((object: Snapshot, model: string) => cel(routeInput(model, object)), { cel });
  if (cache.size > 1000) cache.clear();
  cache.set(key, compiled);
  return compiled;
}

function cleanMessage(message: string) {
  // The parser names a position and one character; the cap keeps any other wording from echoing a
  // whole expression back.
  return excerpt(message.replace(/^<input>:/, "at "), 400);
}

/** Characters of the expression an error message may quote: enough to recognise the part, not an echo. */
export const QUOTE_MAX = 60;

/** `text` cut to `max` characters with an ellipsis: what an error message quotes of an expression. */
export function excerpt(text: string, max = QUOTE_MAX): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}

/** Names taken from an expression, for a message: each cut short, at most three, then how many more. */
function quoteNames(names: readonly string[], format: (name: string) => string = (n) => n): string {
  const shown = names.slice(0, 3).map((n) => format(excerpt(n)));
  return names.length > 3 ? `${shown.join(", ")} and ${names.length - 3} more` : shown.join(", ");
}

/**
 * Checks an expression before a route is saved: limits, syntax, only `object` as a variable, only
 * fields the model has and that are not secret, and a boolean result for an object of the model (a
 * typed sample).
 */
export function validateMatch(source: string, sample: Snapshot, model = ""): string | null {
  let parsed: ReturnType<typeof parse>;
  try {
    parsed = parseBounded(source);
  } catch (error) {
    if (isNamed(error, "CelLimitError")) return (error as Error).message;
    return `Syntax error ${cleanMessage((error as Error).message)}`;
  }
  const unknownIdents = [...identifiers(parsed.expr)].filter((name) => name !== "object");
  const visible = withoutSecrets(model, sample);
  if (unknownIdents.length) return `Unknown name ${quoteNames(unknownIdents)}: the object is \`object\` (e.g. object.${Object.keys(visible)[1] ?? "name"}).`;
  const read = [...fieldsRead(parsed.expr)];
  const secret = read.filter((f) => f in sample && isSecretField(model, f));
  if (secret.length) return `${quoteNames(secret)} ${secret.length > 1 ? "are secret fields" : "is a secret field"} and cannot be used in a route.`;
  const unknownFields = read.filter((f) => !(f in visible));
  if (unknownFields.length) return `Unknown field ${quoteNames(unknownFields, (f) => `object.${f}`)}. Fields: ${Object.keys(visible).join(", ")}.`;
  try {
    compileMatch(source)(sample, model);
  } catch (error) {
    if (isNamed(error, "MatchError") && (error as MatchError).limit) return error.message;
    return `Does not evaluate to true or false: ${(error as Error).message}`;
  }
  return null;
}

/** Whether a route's expression selects an object. One that cannot be compiled or evaluated selects
 * nothing here (routing an operation reports why: routeOperations). */
export function selects(match: string, input: RouteInput): boolean {
  try {
    return compileMatch(match).cel(input);
  } catch {
    return false;
  }
}

export function routeAsync(route: RouteRow, action: string): boolean {
  return route.async || (Array.isArray(route.asyncActions) && route.asyncActions.includes(action));
}

export type Routed = { operation: PendingOperation; route: RouteRow };
export type RoutingResult = { routed: Routed[]; unrouted: PendingOperation[]; errors: Array<{ operation: PendingOperation; route: RouteRow; error: string }> };

/** Matches each operation against the active routes of its backend. */
export function routeOperations(operations: readonly PendingOperation[], routes: readonly RouteRow[]): RoutingResult {
  const byBackend = new Map<string, RouteRow[]>();
  for (const route of routes) {
    if (!route.active) continue;
    byBackend.set(route.backend, [...(byBackend.get(route.backend) ?? []), route]);
  }
  const result: RoutingResult = { routed: [], unrouted: [], errors: [] };
  // A route whose expression exceeded a limit once is not evaluated again in this batch: one bounded
  // evaluation per route, not one per operation.
  const overLimit = new Map<number, string>();
  // (compiled once per route for the whole batch: a compile error is reported per operation below)
  const programs = new Map<number, Compiled | Error>();
  const programOf = (route: RouteRow) => {
    let program = programs.get(route.id);
    if (!program) {
      try {
        program = compileMatch(route.match);
      } catch (error) {
        program = error as Error;
      }
      programs.set(route.id, program);
    }
    if (program instanceof Error) throw program;
    return program;
  };
  for (const operation of operations) {
    const object = (operation.action === "delete" ? operation.before : operation.after) ?? operation.before ?? {};
    const input = routeInput(operation.model, object); // converted once, evaluated by every route
    let matched = false;
    for (const route of byBackend.get(operation.backend) ?? []) {
      try {
        const limit = overLimit.get(route.id);
        if (limit) throw new MatchError(limit, true);
        if (!programOf(route).cel(input)) continue;
      } catch (error) {
        // A route that cannot be evaluated for this object does not match it; the UI shows why.
        if (isNamed(error, "MatchError") && (error as MatchError).limit) overLimit.set(route.id, (error as Error).message);
        result.errors.push({ operation, route, error: (error as Error).message });
        continue;
      }
      matched = true;
      result.routed.push({ operation, route });
    }
    if (!matched) result.unrouted.push(operation);
  }
  return result;
}
