// A fast path for the route expressions routes are mostly made of: fields of `object` compared with
// literals, joined by && || !, integer arithmetic, `in` a list, has(), size() and the three string
// tests. Such an expression is compiled to plain closures over the object (no conversion of the object
// to CEL values, no interpreter). Whenever a value is not one the fast path is sure about (a missing
// field, null, a double, an integer past 2^53, two operands of different types, a division by zero…)
// it gives up on that evaluation (BAIL) and the full CEL evaluator answers, with its own result or
// error. So the fast path never decides anything the full evaluator would decide differently:
// tests/cel-fast.test.ts compares the two on generated expressions and objects.
// Everything here is linear in the expression and the object's lists: nothing grows a value, so the
// bounds of cel-bounds.ts have nothing to stop.

export const BAIL: unique symbol = Symbol("bail");

type Value = string | number | boolean | readonly Value[];
type Eval = (object: Readonly<Record<string, unknown>>) => Value | typeof BAIL;
export type FastMatch = (object: Readonly<Record<string, unknown>>) => boolean | typeof BAIL;

type Node = { exprKind?: { case?: string; value?: Record<string, unknown> } };

/** A CEL int the fast path keeps as a JS number; anything else (doubles, big integers) is not. */
function plain(value: unknown): Value | typeof BAIL {
  switch (typeof value) {
    case "string":
    case "boolean":
      return value;
    case "number":
      return Number.isSafeInteger(value) ? value : BAIL;
    default:
      if (!Array.isArray(value)) return BAIL;
      for (const v of value) if (!(typeof v === "string" || typeof v === "boolean" || (typeof v === "number" && Number.isSafeInteger(v)))) return BAIL;
      return value as Value[];
  }
}

const isList = (v: Value): v is readonly Value[] => Array.isArray(v);
const sameScalar = (a: Value, b: Value) => typeof a === typeof b && !isList(a) && !isList(b);
const int = (v: number) => (Number.isSafeInteger(v) ? v : BAIL);

/** A binary operator on two ints; any other operand goes to the full evaluator. */
function ints(a: Eval, b: Eval, op: (l: number, r: number) => Value | typeof BAIL): Eval {
  return (o) => {
    const l = a(o);
    const r = b(o);
    return typeof l === "number" && typeof r === "number" ? op(l, r) : BAIL;
  };
}

function constant(node: Node): Eval | null {
  const c = node.exprKind?.value as { constantKind?: { case?: string; value?: unknown } };
  const kind = c?.constantKind?.case;
  const value = c?.constantKind?.value;
  if (kind === "stringValue" && typeof value === "string") return () => value;
  if (kind === "boolValue" && typeof value === "boolean") return () => value;
  if (kind === "int64Value" && typeof value === "bigint") {
    const n = Number(value);
    return Number.isSafeInteger(n) ? () => n : null;
  }
  return null;
}

function field(node: Node): { name: string; testOnly: boolean } | null {
  const v = node.exprKind?.value as { operand?: Node; field?: string; testOnly?: boolean };
  const operand = v?.operand?.exprKind;
  if (operand?.case !== "identExpr" || operand.value?.name !== "object" || typeof v.field !== "string") return null;
  return { name: v.field, testOnly: Boolean(v.testOnly) };
}

function compile(node: Node): Eval | null {
  const kind = node.exprKind?.case;
  if (kind === "constExpr") return constant(node);
  if (kind === "selectExpr") {
    const f = field(node);
    if (!f) return null;
    const name = f.name;
    // has(): true for a field with a value; a missing or null one is the full evaluator's to answer
    if (f.testOnly) return (o) => (Object.prototype.hasOwnProperty.call(o, name) && o[name] !== null && o[name] !== undefined ? true : BAIL);
    return (o) => (Object.prototype.hasOwnProperty.call(o, name) ? plain(o[name]) : BAIL);
  }
  if (kind === "listExpr") {
    const elements = ((node.exprKind?.value?.elements as Node[]) ?? []).map(compile);
    if (elements.some((e) => !e)) return null;
    return (o) => {
      const out: Value[] = [];
      for (const e of elements as Eval[]) {
        const v = e(o);
        if (v === BAIL || isList(v)) return BAIL;
        out.push(v);
      }
      return out;
    };
  }
  if (kind !== "callExpr") return null;
  const call = node.exprKind!.value as { function?: string; target?: Node; args?: Node[] };
  const fn = call.function ?? "";
  const args = (call.args ?? []).map(compile);
  if (args.some((a) => !a)) return null;
  const [a, b] = args as Eval[];
  const target = call.target ? compile(call.target) : undefined;
  if (call.target && !target) return null;

  if (target) {
    // receiver-style: text.startsWith("x"), list.size()
    if (fn === "size" && args.length === 0) return sizeOf(target);
    if ((fn === "startsWith" || fn === "endsWith" || fn === "contains") && args.length === 1) {
      return (o) => {
        const t = target(o);
        const x = a(o);
        if (typeof t !== "string" || typeof x !== "string") return BAIL;
        return fn === "startsWith" ? t.startsWith(x) : fn === "endsWith" ? t.endsWith(x) : t.includes(x);
      };
    }
    return null;
  }
  switch (fn) {
    case "_&&_":
    case "_||_": {
      const stop = fn === "_||_"; // the value that decides alone
      return (o) => {
        const l = a(o);
        if (typeof l !== "boolean") return BAIL;
        if (l === stop) return stop;
        const r = b(o);
        return typeof r === "boolean" ? r : BAIL;
      };
    }
    case "!_":
      return (o) => {
        const v = a(o);
        return typeof v === "boolean" ? !v : BAIL;
      };
    case "-_":
      return (o) => {
        const v = a(o);
        return typeof v === "number" ? int(0 - v) : BAIL;
      };
    case "_==_":
    case "_!=_":
      return (o) => {
        const l = a(o);
        const r = b(o);
        if (l === BAIL || r === BAIL || !sameScalar(l, r)) return BAIL;
        return (l === r) === (fn === "_==_");
      };
    case "_<_":
      return ints(a, b, (l, r) => l < r);
    case "_<=_":
      return ints(a, b, (l, r) => l <= r);
    case "_>_":
      return ints(a, b, (l, r) => l > r);
    case "_>=_":
      return ints(a, b, (l, r) => l >= r);
    case "_+_":
      return ints(a, b, (l, r) => int(l + r));
    case "_-_":
      return ints(a, b, (l, r) => int(l - r));
    case "_*_":
      return ints(a, b, (l, r) => int(l * r));
    case "_%_":
      return ints(a, b, (l, r) => {
        if (r === 0) return BAIL;
        const m = l % r; // truncated, as CEL's int remainder
        return m === 0 ? 0 : m; // (never -0)
      });
    case "@in":
      return (o) => {
        const x = a(o);
        const list = b(o);
        if (x === BAIL || isList(x) || list === BAIL || !isList(list)) return BAIL;
        let found = false;
        for (const item of list) {
          if (typeof item !== typeof x) return BAIL; // mixed types: the full evaluator decides
          if (item === x) found = true;
        }
        return found;
      };
    case "size":
      return args.length === 1 ? sizeOf(a) : null;
    default:
      return null;
  }
}

function sizeOf(of: Eval): Eval {
  return (o) => {
    const v = of(o);
    if (typeof v === "string") {
      let n = 0;
      for (const _ of v) n += 1; // code points, as CEL counts them
      return n;
    }
    return v !== BAIL && isList(v) ? v.length : BAIL;
  };
}

/** The fast form of a parsed expression, or null when it uses anything the fast path does not know. */
export function compileFast(expr: unknown): FastMatch | null {
  const root = compile(expr as Node);
  if (!root) return null;
  return (object) => {
    const result = root(object);
    return typeof result === "boolean" ? result : BAIL;
  };
}
