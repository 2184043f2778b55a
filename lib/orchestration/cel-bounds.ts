// Bounds for route expressions. Anyone who may preview a route (a viewer) can make the server evaluate
// CEL, and @bufbuild/cel 0.6.1 has no cost limit, interrupt or size cap of its own: `replace("", "xx")`
// nested a few times held the process for most of a minute. So an expression is bounded twice:
// - before it is planned (static): its length, AST size and depth, no comprehension inside another's
//   loop, no string-growing function nested in another;
// - while it runs (dynamic): every function call goes through a guard that charges a cost (1 + the
//   sizes of its operands, like CEL's own cost model), refuses a call whose result would pass the size
//   caps before making it, checks the size of what it returned, and checks a wall-clock deadline.
//   Comprehensions iterate over lists that are at most LIMITS.maxListSize long (literals are bounded by
//   the length, function results by the guard, object fields by the data) and cannot nest, so the work
//   between two guarded calls is bounded too.
import { isCelList, isCelMap, type CelEnv } from "@bufbuild/cel";

export const CEL_LIMITS = {
  /** Characters in the expression. */
  maxLength: 1_000,
  /** AST nodes after macro expansion (`exists` and friends count their hidden loop). */
  maxNodes: 300,
  maxDepth: 32,
  maxComprehensions: 3,
  /** Characters in any string (or bytes) a function may produce. */
  maxStringSize: 64 * 1024,
  /** Elements in any list or map a function may produce. */
  maxListSize: 10_000,
  /** Cost units per evaluation (one per call plus the sizes of its operands). */
  maxCost: 2_000_000,
  /** Wall-clock time of one evaluation: the backstop when cost units misjudge a function. */
  maxMillis: 50,
} as const;

/** Functions whose result can be much larger than their operands. */
const GROWING = new Set(["replace", "join", "format", "strings.quote"]);

/** An expression refused, or stopped, for exceeding a limit. The message names the limit. */
export class CelLimitError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "CelLimitError";
  }
}

// --- static checks -------------------------------------------------------------------------------

type Node = { exprKind?: { case?: string; value?: Record<string, unknown> } };
type Child = { node: Node; inLoop: boolean };

/** The sub-expressions of a node; `inLoop` marks those evaluated once per iteration of a comprehension. */
function children(node: Node, inLoop: boolean): Child[] {
  const kind = node.exprKind;
  const v = (kind?.value ?? {}) as Record<string, unknown>;
  const one = (n: unknown, loop = inLoop) => (n && typeof n === "object" ? [{ node: n as Node, inLoop: loop }] : []);
  switch (kind?.case) {
    case "callExpr":
      return [...one(v.target), ...((v.args as Node[]) ?? []).flatMap((a) => one(a))];
    case "selectExpr":
      return one(v.operand);
    case "listExpr":
      return ((v.elements as Node[]) ?? []).flatMap((e) => one(e));
    case "structExpr":
      return ((v.entries as Array<{ keyKind?: { case?: string; value?: unknown }; value?: Node }>) ?? []).flatMap((e) => [
        ...(e.keyKind?.case === "mapKey" ? one(e.keyKind.value) : []),
        ...one(e.value),
      ]);
    case "comprehensionExpr":
      return [...one(v.iterRange), ...one(v.accuInit), ...one(v.loopCondition, true), ...one(v.loopStep, true), ...one(v.result, true)];
    default:
      return [];
  }
}

function callName(node: Node): string | null {
  return node.exprKind?.case === "callExpr" ? String(node.exprKind.value?.function) : null;
}

function isEmptyString(node: Node | undefined): boolean {
  const constant = node?.exprKind?.case === "constExpr" ? (node.exprKind.value as { constantKind?: { case?: string; value?: unknown } }) : null;
  return constant?.constantKind?.case === "stringValue" && constant.constantKind.value === "";
}

/** Checks the source length before parsing (a parser is recursive: bound its input first). */
export function checkLength(source: string): void {
  if (source.length > CEL_LIMITS.maxLength) {
    throw new CelLimitError(`The expression is too long (${source.length} characters; at most ${CEL_LIMITS.maxLength}).`);
  }
}

/** Refuses a parsed expression that is too big, too deep or built to explode. */
export function checkStatic(root: unknown): void {
  let nodes = 0;
  let comprehensions = 0;
  const walk = (node: Node, depth: number, inLoop: boolean, inGrowing: string | null) => {
    nodes += 1;
    if (nodes > CEL_LIMITS.maxNodes) throw new CelLimitError(`The expression is too complex (more than ${CEL_LIMITS.maxNodes} nodes).`);
    if (depth > CEL_LIMITS.maxDepth) throw new CelLimitError(`The expression is nested too deeply (more than ${CEL_LIMITS.maxDepth} levels).`);
    if (node.exprKind?.case === "comprehensionExpr") {
      if (inLoop) throw new CelLimitError("A comprehension (exists, all, map, filter…) inside another one's condition is not allowed in a route.");
      comprehensions += 1;
      if (comprehensions > CEL_LIMITS.maxComprehensions) throw new CelLimitError(`At most ${CEL_LIMITS.maxComprehensions} comprehensions (exists, all, map, filter…) in a route.`);
    }
    const name = callName(node);
    let growing = inGrowing;
    if (name && GROWING.has(name)) {
      if (inGrowing) throw new CelLimitError(`${name}() inside ${inGrowing}() is not allowed in a route: nested, they grow a string exponentially.`);
      const args = (node.exprKind?.value?.args as Node[]) ?? [];
      if (name === "replace" && isEmptyString(args[0])) throw new CelLimitError('replace("", …) is not allowed in a route: it inserts text between every character.');
      growing = name;
    }
    for (const child of children(node, inLoop)) walk(child.node, depth + 1, child.inLoop, growing);
  };
  walk(root as Node, 1, false, null);
}

// --- runtime budget ------------------------------------------------------------------------------

type Budget = { cost: number; deadline: number; exceeded: string | null };

// Evaluation is synchronous, so one budget at a time is enough; a nested runBounded keeps the outer one.
let current: Budget | null = null;

function sizeOf(value: unknown): number {
  if (typeof value === "string") return value.length;
  if (value instanceof Uint8Array) return value.length;
  if (isCelList(value)) return value.size;
  if (isCelMap(value)) return value.size;
  return 0;
}

function exceed(budget: Budget, message: string): never {
  budget.exceeded ??= message;
  throw new CelLimitError(budget.exceeded);
}

const tooLong = () => `Evaluation stopped: a string would be longer than ${CEL_LIMITS.maxStringSize / 1024} KiB (the limit for route expressions).`;

/** The characters `replace` would produce, without producing them. */
function replaceBound(text: string, from: string, to: string, count: unknown): number {
  const limit = typeof count === "bigint" && count >= 0n ? Number(count) : Infinity;
  let occurrences = 0;
  if (from === "") occurrences = text.length + 1;
  else for (let at = text.indexOf(from); at >= 0 && occurrences < limit; at = text.indexOf(from, at + from.length)) occurrences += 1;
  return text.length + Math.min(limit, occurrences) * Math.max(0, to.length - from.length);
}

/** Cost units per (character of text × instruction of program) of a regular expression match. */
const REGEX_STEP_COST = 20;

/** An upper bound of a regular expression's program size: its length times every repetition count. */
function regexWeight(pattern: string): number {
  let weight = Math.max(1, pattern.length);
  for (const m of pattern.matchAll(/\{(\d+)(,(\d*))?\}/g)) {
    const most = m[3] ? Number(m[3]) : m[2] !== undefined ? Number(m[1]) + 1 : Number(m[1]);
    weight = Math.min(1e12, weight * Math.max(1, most));
  }
  return weight;
}

/** Total characters of the strings in a value, stopping as soon as it passes `cap`. */
function deepLength(value: unknown, cap: number, seen = { n: 0 }): number {
  if (seen.n > cap) return seen.n;
  if (typeof value === "string") seen.n += value.length;
  else if (isCelList(value)) for (const v of value) deepLength(v, cap, seen);
  else if (isCelMap(value)) for (const [k, v] of value) (deepLength(k, cap, seen), deepLength(v, cap, seen));
  else seen.n += 24; // numbers, booleans, timestamps…: a few characters each
  return seen.n;
}

/** Refuses before the call what would produce more than the caps (growth can be too big to make at all). */
function precheck(budget: Budget, name: string, target: unknown, args: unknown[]) {
  const cap = CEL_LIMITS.maxStringSize;
  if (name === "replace" && typeof target === "string" && typeof args[0] === "string" && typeof args[1] === "string") {
    if (replaceBound(target, args[0], args[1], args[2]) > cap) exceed(budget, tooLong());
  }
  if (name === "join" && isCelList(target)) {
    const sep = typeof args[0] === "string" ? args[0].length : 0;
    if (deepLength(target, cap) + sep * target.size > cap) exceed(budget, tooLong());
  }
  if (name === "format" && typeof target === "string" && deepLength(args[0], cap) + target.length > cap) exceed(budget, tooLong());
  // RE2 runs in time text × program size; counted repetitions multiply the program (`(x{1,20}){1,20}`
  // over 45 KiB took 0.9 s), so a regular expression is charged for its expanded size up front.
  if (name === "matches" && typeof target === "string" && typeof args[0] === "string") budget.cost += REGEX_STEP_COST * target.length * regexWeight(args[0]);
}

function charge(budget: Budget, name: string, target: unknown, args: unknown[]) {
  if (budget.exceeded) throw new CelLimitError(budget.exceeded);
  budget.cost += 1 + sizeOf(target) + args.reduce<number>((n, a) => n + sizeOf(a), 0);
  precheck(budget, name, target, args);
  if (budget.cost > CEL_LIMITS.maxCost) exceed(budget, `Evaluation stopped: the expression is too expensive (more than ${CEL_LIMITS.maxCost.toLocaleString("en")} steps).`);
  if (performance.now() > budget.deadline) exceed(budget, `Evaluation stopped: the expression ran longer than ${CEL_LIMITS.maxMillis} ms.`);
}

function checkResult(budget: Budget, result: unknown) {
  if ((typeof result === "string" || result instanceof Uint8Array) && sizeOf(result) > CEL_LIMITS.maxStringSize) exceed(budget, tooLong());
  if ((isCelList(result) || isCelMap(result)) && sizeOf(result) > CEL_LIMITS.maxListSize) {
    exceed(budget, `Evaluation stopped: a list or map would have more than ${CEL_LIMITS.maxListSize.toLocaleString("en")} elements.`);
  }
  budget.cost += sizeOf(result);
}

type FuncGroup = { name: string; call(id: number, target: unknown, args: unknown[]): unknown; [Symbol.iterator](): Iterator<unknown> };

function guarded(group: FuncGroup): FuncGroup {
  return {
    get name() {
      return group.name;
    },
    [Symbol.iterator]: () => group[Symbol.iterator](),
    call(id, target, args) {
      const budget = current;
      if (!budget) return group.call(id, target, args);
      charge(budget, group.name, target, args);
      const result = group.call(id, target, args);
      checkResult(budget, result);
      return result;
    },
  };
}

/**
 * The same environment with every function call guarded. The planner of @bufbuild/cel reads only
 * `funcs.find`, `registry` and `namespace` from an environment (0.6.1, pinned in package.json);
 * tests/cel-bounds.test.ts fails if an upgrade bypasses the guard.
 */
export function boundedEnv<E extends CelEnv>(env: E): E {
  const cache = new Map<string, FuncGroup | undefined>();
  const funcs = {
    find(name: string) {
      if (!cache.has(name)) {
        const group = (env.funcs as unknown as { find(n: string): FuncGroup | undefined }).find(name);
        cache.set(name, group && guarded(group));
      }
      return cache.get(name);
    },
    [Symbol.iterator]: () => (env.funcs as unknown as Iterable<unknown>)[Symbol.iterator](),
  };
  return Object.create(env, { funcs: { value: funcs, enumerable: true } }) as E;
}

/** Runs one evaluation under a fresh budget; throws CelLimitError if the evaluation exceeded it. */
export function runBounded<T>(evaluate: () => T): T {
  if (current) return evaluate();
  const budget: Budget = { cost: 0, deadline: performance.now() + CEL_LIMITS.maxMillis, exceeded: null };
  current = budget;
  try {
    const result = evaluate();
    if (budget.exceeded) throw new CelLimitError(budget.exceeded);
    return result;
  } catch (error) {
    if (budget.exceeded) throw new CelLimitError(budget.exceeded);
    throw error;
  } finally {
    current = null;
  }
}

// --- errors without values -----------------------------------------------------------------------

const OVERLOAD = /^found no matching overload for '([\w.@!?:<>=+\-*/%[\]_]{1,40})' applied to '([\w.(), ]{0,120})'$/;

/**
 * What went wrong in an evaluation, by kind, never with an operand: CEL's messages quote values
 * ("Cannot convert <value> to a BigInt", "field not found: <key>"), and a value can be anything an
 * expression computed from the object. Type names and function names are not values, so an overload
 * error keeps them.
 */
export function evaluationErrorKind(message: string): string {
  const overload = OVERLOAD.exec(message);
  if (overload) return `type error: no ${overload[1]} for ${overload[2]}`;
  if (/no matching overload|type mismatch|unsupported key type|expected bool/i.test(message)) return "type error";
  if (/divide by zero|modulus by zero/i.test(message)) return "division by zero";
  if (/overflow/i.test(message)) return "integer overflow";
  if (/out of bounds|out of range/i.test(message)) return "index out of range";
  if (/field not found|no such (key|field)|unresolved attribute/i.test(message)) return "no such field or key";
  if (/map key conflict/i.test(message)) return "duplicate map key";
  if (/unbound function|undeclared/i.test(message)) return "unknown function";
  if (/convert|parse|invalid|syntax|decode/i.test(message)) return "conversion error";
  return "evaluation error";
}
