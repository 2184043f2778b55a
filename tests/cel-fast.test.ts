// The fast path of route expressions (cel-fast.ts) against the full CEL evaluator: the same answer, or
// the same error, for generated expressions over objects with every kind of value (missing fields,
// null, doubles, integers past 2^53, mixed lists, non-ASCII text).
import { describe, expect, it } from "vitest";
import { compileMatch, routeInput } from "../lib/orchestration/router";
import { BAIL, compileFast } from "../lib/orchestration/cel-fast";
import { parse } from "@bufbuild/cel";

// a small deterministic generator (mulberry32)
function rng(seed: number) {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const FIELDS = ["uid", "name", "active", "groups", "ratio", "big", "nothing", "mixed", "missing", "neg", "text"];
const OBJECTS: Array<Record<string, unknown>> = [
  { uid: 1042, name: "shop", active: true, groups: ["www", "team3"], ratio: 1.5, big: 2 ** 60, nothing: null, mixed: ["a", 1], neg: -7, text: "größe ✓" },
  { uid: 0, name: "", active: false, groups: [], ratio: 2, big: -(2 ** 55), nothing: null, mixed: [true, "x"], neg: -1, text: "𝄞 music" },
  { uid: 50, name: "blog-www", active: true, groups: ["team1"], ratio: 0.1, big: 9007199254740991, nothing: null, mixed: [], neg: 0, text: "a" },
  { uid: -3, name: "x", active: false, groups: ["www"], ratio: -0.5, big: 1, nothing: null, mixed: [1, 2], neg: -50, text: "" },
];

function generator(random: () => number) {
  const pick = <T,>(xs: readonly T[]) => xs[Math.floor(random() * xs.length)];
  const literal = () => pick(['"www"', '"shop"', '""', '"𝄞 music"', "0", "1", "3", "50", "-7", "true", "false", "1.5", "null", "9007199254740993", '["www", "team1"]', "[1, 2]", '["a", 1]']);
  const operand = (): string => (random() < 0.6 ? `object.${pick(FIELDS)}` : literal());
  const value = (depth: number): string => {
    if (depth <= 0) return operand();
    switch (Math.floor(random() * 8)) {
      case 0:
        return `(${value(depth - 1)} ${pick(["+", "-", "*", "%"])} ${value(depth - 1)})`;
      case 1:
        return `size(${operand()})`;
      case 2:
        return `${operand()}.size()`;
      case 3:
        return `-${operand()}`;
      default:
        return operand();
    }
  };
  const condition = (depth: number): string => {
    switch (Math.floor(random() * (depth > 0 ? 9 : 5))) {
      case 0:
        return `${value(depth)} ${pick(["==", "!=", "<", "<=", ">", ">="])} ${value(depth)}`;
      case 1:
        return `${value(0)} in ${pick(["object.groups", "object.mixed", "object.name", '["www", "shop"]', "[1, 50, 1042]", "object.missing"])}`;
      case 2:
        return `has(object.${pick(FIELDS)})`;
      case 3:
        return `${operand()}.${pick(["startsWith", "endsWith", "contains"])}(${operand()})`;
      case 4:
        return pick(["true", "false", "object.active", "object.name", "object.missing", "1"]);
      case 5:
        return `!(${condition(depth - 1)})`;
      default:
        return `(${condition(depth - 1)} ${pick(["&&", "||"])} ${condition(depth - 1)})`;
    }
  };
  return () => condition(3);
}

function outcome(source: string, object: Record<string, unknown>, fast: boolean): string {
  try {
    return String(compileMatch(source, { fast }).cel(routeInput("Bench", object)));
  } catch (error) {
    return `error: ${(error as Error).message}`;
  }
}

describe("route expressions: the fast path", () => {
  it("gives the full evaluator's answer or error on 3,000 generated expressions × 4 objects", () => {
    const next = generator(rng(Number(process.env.CEL_FAST_SEED ?? 20261127)));
    let fastShapes = 0;
    let compared = 0;
    let answeredFast = 0;
    for (let i = 0; i < 3000; i++) {
      const source = next();
      let parsed;
      try {
        parsed = parse(source);
      } catch {
        continue; // (a generated text that is not CEL)
      }
      const fast = compileFast(parsed.expr);
      if (fast) fastShapes += 1;
      for (const object of OBJECTS) {
        if (fast && fast(object) !== BAIL) answeredFast += 1;
        expect({ source, object: JSON.stringify(object), result: outcome(source, object, true) }).toEqual({ source, object: JSON.stringify(object), result: outcome(source, object, false) });
        compared += 1;
      }
    }
    expect(compared).toBeGreaterThan(10_000);
    expect(fastShapes).toBeGreaterThan(2000); // most generated shapes are ones the fast path compiles
    expect(answeredFast).toBeGreaterThan(2500); // and it answers thousands of the comparisons itself
  });

  it("answers the common shapes without the full evaluator", () => {
    const object = routeInput("Bench", { uid: 1042, groups: ["www"], name: "shop" });
    for (const source of ["object.uid % 50 == 42", '"www" in object.groups', 'object.name.startsWith("sh") && object.uid > 1000', "true"]) {
      const parsed = parse(source);
      const fast = compileFast(parsed.expr);
      expect(fast, source).not.toBeNull();
      expect(typeof fast!({ uid: 1042, groups: ["www"], name: "shop" }), source).toBe("boolean");
      expect(compileMatch(source).cel(object), source).toBe(true);
    }
    // a double, a missing field and a comprehension are the full evaluator's
    expect(compileFast(parse("object.ratio > 1").expr)!({ ratio: 1.5 })).toBe(BAIL);
    expect(compileFast(parse("object.uid > 1").expr)!({})).toBe(BAIL);
    expect(compileFast(parse("object.groups.exists(g, g == 'www')").expr)).toBeNull();
  });
});
