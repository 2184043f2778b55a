import { describe, expect, it } from "vitest";
import { compileMatch, routeOperations, validateMatch, type RouteRow } from "../lib/orchestration/router";
import { MODEL_SAMPLES } from "../lib/services/registry";
import type { PendingOperation } from "../lib/orchestration/types";

const user = { id: 7, username: "alice", uid: 2001, groups: ["www", "dev"], active: true, shell: "/bin/bash" };

describe("CEL route matches", () => {
  it.each([
    ["true", true],
    ['object.username.startsWith("a")', true],
    ["object.uid > 2000 && object.active", true],
    ['"dev" in object.groups', true],
    ['object.groups.exists(g, g == "ops")', false],
    ['object.username.matches("^b")', false],
    ["size(object.groups) == 2", true],
  ])("%s → %s", (expression, expected) => {
    expect(compileMatch(expression)(user, "SystemUser")).toBe(expected);
  });

  it("caches compiled expressions", () => {
    expect(compileMatch("object.uid == 2001")).toBe(compileMatch("object.uid == 2001"));
  });

  it.each([
    ["object.username ==", /Syntax error/],
    ["object.nmae == 'x'", /Unknown field object.nmae/],
    ["process.exit(1)", /Unknown name process/],
    ["object.username", /true or false/],
    ["object.uid + 'x' == 'y'", /true or false/],
  ])("rejects %j when a route is saved", (expression, message) => {
    expect(validateMatch(expression, MODEL_SAMPLES.SystemUser)).toMatch(message);
  });

  it("accepts valid expressions, including comprehensions over lists of objects", () => {
    expect(validateMatch('object.username.startsWith("a") || object.uid >= 3000', MODEL_SAMPLES.SystemUser)).toBeNull();
    expect(validateMatch('object.domains.exists(d, d.name.endsWith(".net"))', MODEL_SAMPLES.Website)).toBeNull();
  });
});

describe("routeOperations", () => {
  const op = (username: string, action: "save" | "delete" = "save"): PendingOperation => ({
    backend: "system-users",
    action,
    model: "SystemUser",
    objectId: username,
    objectLabel: username,
    before: action === "delete" ? { username } : null,
    after: action === "delete" ? null : { username },
  });
  const route = (id: number, match: string, extra: Partial<RouteRow> = {}): RouteRow => ({ id, backend: "system-users", serverId: id, match, async: false, asyncActions: [], active: true, ...extra });

  it("matches every active route, routes deletes on the before snapshot, reports evaluation errors", () => {
    const result = routeOperations(
      [op("anna"), op("bob", "delete"), op("carl")],
      [route(1, 'object.username.startsWith("a")'), route(2, "true"), route(3, "true", { active: false }), route(4, "object.missing == 1"), route(5, "true", { backend: "other" })],
    );
    expect(result.routed.map((r) => `${r.operation.objectLabel}@${r.route.id}`)).toEqual(["anna@1", "anna@2", "bob@2", "carl@2"]);
    expect(result.unrouted).toEqual([]);
    expect(result.errors.map((e) => e.route.id)).toEqual([4, 4, 4]);
  });
});

describe("error messages of long expressions", () => {
  const long = "x".repeat(400);
  it.each([
    [`object.${long} == 1`, /^Unknown field object\.x{50,59}…\. Fields: /],
    [`object["${long}"] == 1`, /^Unknown field object\.x{50,59}…\. Fields: /],
    [`${long} == 1 && y == 2`, /^Unknown name x{50,59}…, y: /],
    [`a1 || a2 || a3 || a4 || a5 || object.username == "${long}"`, /^Unknown name a1, a2, a3 and 2 more: /],
  ])("quote at most a short excerpt: %#", (expression, message) => {
    const error = validateMatch(expression, MODEL_SAMPLES.SystemUser, "SystemUser") ?? "";
    expect(error).toMatch(message);
    expect(error).not.toContain("x".repeat(61));
  });

  it("every kind of error stays short, whatever the expression's length", () => {
    const pad = "y".repeat(500);
    const expressions = [`object.username == "${pad}" &&`, `"${pad}" ${pad}`, `object.${pad}()`, `object.username.matches("${pad}(")`, `${pad}(object)`, `object.uid + "${pad}"`];
    for (const expression of expressions) {
      const error = validateMatch(expression, MODEL_SAMPLES.SystemUser, "SystemUser") ?? "";
      expect(error).not.toBe("");
      expect(error).not.toContain("y".repeat(61));
    }
  });
});
