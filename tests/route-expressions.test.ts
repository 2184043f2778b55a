// Attacks on route expressions, which a viewer can evaluate through the route preview: reading secret
// fields (directly, through error messages, or as an oracle) and holding the process with CEL.
import { describe, expect, it } from "vitest";
import { CEL_LIMITS } from "../lib/orchestration/cel-bounds";
import { BackendRegistry } from "../lib/orchestration/backend";
import { compileMatch, MatchError, routeInput, routeOperations, validateMatch, type RouteRow } from "../lib/orchestration/router";
import { createRegistry, MODEL_SAMPLES } from "../lib/services/registry";
import type { PendingOperation } from "../lib/orchestration/types";

createRegistry(); // declares the backends' secret fields, as the app does at start

const HASH = "$2b$12$Q9x1rZk0S3cretSaltAndHashValueXXXXXXXXXXXXXXXXXXXXXX";
const alice = { id: 7, username: "alice", uid: 2001, groups: ["www"], shell: "/bin/bash", home: "", active: true, passwordHash: HASH, description: "" };

const op = (after: Record<string, unknown>): PendingOperation => ({
  backend: "system-users",
  action: "save",
  model: "SystemUser",
  objectId: String(after.id),
  objectLabel: String(after.username),
  before: null,
  after,
});
const route = (id: number, match: string): RouteRow => ({ id, backend: "system-users", serverId: id, match, async: false, asyncActions: [], active: true });

function evaluate(match: string, object: Record<string, unknown> = alice): { value?: boolean; error?: string; ms: number } {
  const started = performance.now();
  try {
    const value = compileMatch(match)(object, "SystemUser");
    return { value, ms: performance.now() - started };
  } catch (error) {
    expect(error).toBeInstanceOf(MatchError);
    return { error: (error as Error).message, ms: performance.now() - started };
  }
}

describe("secret fields never reach a route expression", () => {
  it.each([
    "int(object.passwordHash) > 0",
    'object.passwordHash.startsWith("$2b$12$Q")',
    'object["passwordHash"].size() > 0',
    'has(object.passwordHash)',
  ])("refuses %s when a route is saved, naming the field", (expression) => {
    expect(validateMatch(expression, MODEL_SAMPLES.SystemUser, "SystemUser")).toBe("passwordHash is a secret field and cannot be used in a route.");
  });

  it("refuses a field a backend declares secret, whatever its name", () => {
    new BackendRegistry([{ name: "vault-test", title: "t", model: "VaultTest", actions: ["save"], method: "ssh", secretFields: ["apiCredential"] }]);
    expect(validateMatch("object.apiCredential == 'x'", { id: 1, apiCredential: "" }, "VaultTest")).toMatch(/apiCredential is a secret field/);
    expect(validateMatch("object.id == 1", { id: 1, apiCredential: "" }, "VaultTest")).toBeNull();
  });

  it("routing sees no secret field: the oracle and the conversion error learn nothing", () => {
    const result = routeOperations(
      [op(alice)],
      [
        route(1, 'object.passwordHash.startsWith("$2b$12$Q")'),
        route(2, "int(object.passwordHash) > 0"),
        route(3, 'object["pass" + "wordHash"].startsWith("$")'),
        route(4, 'has(object.passwordHash)'),
        route(5, 'object.exists(k, k == "passwordHash")'),
        route(6, 'object.username == "alice"'),
      ],
    );
    expect(result.routed.map((r) => r.route.id)).toEqual([6]);
    // routes 1–3 fail without the value; 4 and 5 are simply false
    expect(result.errors.map((e) => e.route.id)).toEqual([1, 2, 3]);
    for (const e of result.errors) {
      expect(e.error).toBe("no such field or key");
      expect(e.error).not.toContain("$2b$");
    }
  });

  it("related rows lose secret-looking fields too", () => {
    const site = { id: 1, name: "s", domains: [{ name: "a.net", tlsPrivateKey: "-----BEGIN" }] };
    expect(compileMatch('object.domains.exists(d, has(d.tlsPrivateKey))')(site, "Website")).toBe(false);
  });

  it.each([
    ["int(object.username) > 0", "conversion error"],
    ["uint(object.description) > 0u", "conversion error"],
    ['timestamp(object.username) > timestamp("2020-01-01T00:00:00Z")', "conversion error"],
    ['object["x" + object.username] == 1', "no such field or key"],
    ["object.username.charAt(99) == 'a'", "index out of range"],
    ["object.uid / 0 == 1", "division by zero"],
    ["object.username + 1 == 'x'", "type error: no _+_ for (string, int)"],
  ])("an evaluation error names its kind, not the operand: %s", (expression, kind) => {
    const secretish = { ...alice, username: "s3cr3t-user-value", description: "s3cr3t-description" };
    const { error } = evaluate(expression, secretish);
    expect(error).toBe(kind);
  });

  it("an object reaches CEL only through routeInput", () => {
    expect(() => compileMatch("true").cel({} as never)).toThrow(MatchError);
    expect(compileMatch('has(object.passwordHash)').cel(routeInput("SystemUser", alice))).toBe(false);
  });
});

// Expressions a viewer might send to the preview to hold the process.
const nestedReplace = "object.username" + '.replace("", "xxxxxxxxxx")'.repeat(5) + '.size() > 0';
const bigLiteral = `"${"ab".repeat(150)}"`;

describe("route expressions are bounded", () => {
  it.each([
    ["the reported attack: replace nested five times", nestedReplace, /replace.* is not allowed in a route/],
    ["replace nested", 'object.username.replace("a", "bb").replace("b", "cc").size() > 0', /replace\(\) inside replace\(\)/],
    ["replace with an empty pattern", 'object.username.replace("", "xx").size() > 0', /replace\(""/],
    ["join of a replace", 'object.groups.map(g, g.replace("w", "ww")).join("x").size() > 0', /replace\(\) inside join\(\)/],
    ["format of a replace", '"%s".format([object.username.replace("a", "aa")]).size() > 0', /replace\(\) inside format\(\)/],
    ["nested comprehensions", "object.groups.all(a, object.groups.all(b, object.groups.all(c, true)))", /inside another one's condition/],
    ["too long", `object.username == "${"x".repeat(CEL_LIMITS.maxLength)}"`, /too long/],
    ["too deep", `${"[".repeat(40)}1${"]".repeat(40)} != []`, /nested too deeply/],
    ["too many nodes", `[${"1,".repeat(400)}1].size() > 0`, /too complex|too long/],
    ["too many comprehensions", "object.groups.all(g, true) && object.groups.all(g, true) && object.groups.all(g, true) && object.groups.all(g, true)", /At most 3 comprehensions/],
  ])("refuses %s when a route is saved or previewed", (_what, expression, message) => {
    const error = validateMatch(expression, MODEL_SAMPLES.SystemUser, "SystemUser");
    if (message === null) return expect(error).toBeNull();
    expect(error).toMatch(message);
    expect(() => compileMatch(expression)).toThrow(MatchError);
  });

  it.each([
    // growth through a comprehension's iteration range, which the static checks allow
    ["doubling through map", `[[[object.username].map(x, ${Array(12).fill("x").join(" + ")})[0]].map(y, ${Array(12).fill("y").join(" + ")})[0]].map(z, ${Array(12).fill("z").join(" + ")}).size() > 0`],
    ["a long string joined", `${bigLiteral}.split("").join(${bigLiteral}).size() > 0`],
    ["a long string replaced", `${bigLiteral}.replace("a", ${bigLiteral}).size() > 0`],
    ["a long string split and searched", `${bigLiteral}.split("").all(c, ${bigLiteral}.contains(c + "z") || true)`],
    ["a list grown by map", `${bigLiteral}.split("").map(c, c + ${bigLiteral}).map(s, s + s).size() > 0`],
    ["a quadratic filter", `${bigLiteral}.split("").filter(c, c == "a").size() > 0 && ${bigLiteral}.split("").exists(c, c == "q")`],
    ["a regular expression over a long text", `${bigLiteral}.replace("b", ${bigLiteral}).matches("(a|b|ab|ba)*c")`],
    ["a backtracking-style regular expression", `${bigLiteral}.replace("b", ${bigLiteral}).matches("^(a|b|ab|ba)*(ab){30}c$")`],
    ["a regular expression with nested counted repetitions", `${bigLiteral}.replace("b", ${bigLiteral}).matches("([ab]{1,20}){1,20}$")`],
    ["a regular expression over a long text, anchored at the end", `${bigLiteral}.replace("b", ${bigLiteral}).matches("(a|b)*(ab|ba)$")`],
    ["a large regular expression", `${bigLiteral}.replace("b", ${bigLiteral}).matches("((a|b)*(ab|ba){10}){10}x")`],
  ])("%s finishes within the time limit or stops at a named limit", (_what, expression) => {
    expect(expression.length).toBeLessThanOrEqual(CEL_LIMITS.maxLength);
    expect(validateMatch(expression, MODEL_SAMPLES.SystemUser, "SystemUser") ?? "").not.toMatch(/Syntax error|Unknown|too long|too complex|nested/);
    let worst = 0;
    for (let i = 0; i < 3; i++) {
      const result = evaluate(expression);
      if (result.error) expect(result.error).toMatch(/^(Evaluation stopped: .*(KiB|steps|elements|ms)|type error|conversion error)/);
      worst = Math.max(worst, result.ms);
    }
    expect(worst).toBeLessThan(CEL_LIMITS.maxMillis + 60);
  });

  it("names the limit that stopped an evaluation", () => {
    const doubling = `[[[object.username + ${bigLiteral}].map(x, ${Array(10).fill("x").join(" + ")})[0]].map(y, ${Array(10).fill("y").join(" + ")})[0]].map(z, z + z + z).size() > 0`;
    expect(evaluate(doubling).error).toBe("Evaluation stopped: a string would be longer than 64 KiB (the limit for route expressions).");
  });

  it("a route over its limit is evaluated once per batch, not once per operation", () => {
    const slow = `[[[object.username + ${bigLiteral}].map(x, ${Array(10).fill("x").join(" + ")})[0]].map(y, ${Array(10).fill("y").join(" + ")})[0]].map(z, z + z + z).size() > 0`;
    const ops = Array.from({ length: 200 }, (_, i) => op({ ...alice, id: i, username: `u${i}` }));
    const started = performance.now();
    const result = routeOperations(ops, [route(1, slow), route(2, "true")]);
    expect(performance.now() - started).toBeLessThan(500);
    expect(result.routed).toHaveLength(200);
    expect(result.errors).toHaveLength(200);
    expect(new Set(result.errors.map((e) => e.error)).size).toBe(1);
  });

  it("ordinary expressions are unaffected", () => {
    expect(evaluate('object.username.startsWith("a") && object.uid > 1000 && "www" in object.groups').value).toBe(true);
    expect(evaluate('object.groups.exists(g, g.replace("w", "v") == "vvv")').value).toBe(true);
    expect(evaluate('object.username.upperAscii().lowerAscii().matches("^al")').value).toBe(true);
  });
});
