import { describe, expect, it } from "vitest";
import { z } from "zod";
import { serverSchema } from "../lib/schemas/server";
import { variablesText } from "../lib/schemas/common";
import { routeSchema } from "../lib/schemas/route";
import { userCreateSchema, userPasswordSchema, userRoleSchema } from "../lib/schemas/user";
import { websiteSchema } from "../lib/services/websites/schema";
import { systemUserSchema } from "../lib/services/system-users/schema";
import { fieldErrorsOf } from "../lib/actions/wrapper";
import { hasRole } from "../lib/roles";

const base = { name: "web1", address: "web1.example.net", port: "22", sshUser: "root", variables: "" };

describe("server validation", () => {
  it.each(["127.0.0.2", "::1", "web1", "web-1.example.net", "2001:db8::1"])("accepts address %s", (address) => {
    expect(serverSchema.safeParse({ ...base, address }).success).toBe(true);
  });

  it.each(["", "web_1.example", "-web", "a b", "host;rm -rf /", "x".repeat(64) + ".net"])("rejects address %j", (address) => {
    const r = serverSchema.safeParse({ ...base, address });
    expect(r.success).toBe(false);
    expect(r.error?.issues[0].path).toEqual(["address"]);
  });

  it.each([["0"], ["65536"], ["22.5"], ["abc"]])("rejects port %s", (port) => {
    const r = serverSchema.safeParse({ ...base, port });
    expect(r.error?.issues.map((i) => i.path[0])).toEqual(["port"]);
  });

  it("rejects names that are not plain identifiers and bad SSH users", () => {
    const r = serverSchema.safeParse({ ...base, name: "web 1", sshUser: "Root$" });
    expect(r.error?.issues.map((i) => i.path[0]).sort()).toEqual(["name", "sshUser"]);
  });

  it("parses KEY=value variables and reports the bad line", () => {
    expect(variablesText.parse("A=1\n# comment\n\nPATH_X = /srv/x=y ")).toEqual({ A: "1", PATH_X: "/srv/x=y" });
    const r = variablesText.safeParse("A=1\nnot a pair");
    expect(r.error?.issues[0].message).toMatch(/Line 2/);
  });
});

describe("roles", () => {
  it("orders viewer < operator < admin and denies unknown roles", () => {
    expect(hasRole("admin", "operator")).toBe(true);
    expect(hasRole("operator", "operator")).toBe(true);
    expect(hasRole("viewer", "operator")).toBe(false);
    expect(hasRole("root", "viewer")).toBe(false);
  });
});

describe("validation messages", () => {
  const errors = (schema: z.ZodType, input: unknown) => {
    const r = schema.safeParse(input);
    return r.success ? {} : fieldErrorsOf(r.error);
  };

  it("an empty required field says Required. once", () => {
    const e = errors(serverSchema, { ...base, name: "", address: "  ", sshUser: "" });
    expect(e.name).toEqual(["Required."]);
    expect(e.address).toEqual(["Required."]);
    expect(e.sshUser).toEqual(["Required."]);
    expect(errors(serverSchema, { port: "22" })).toMatchObject({ name: ["Required."], address: ["Required."], sshUser: ["Required."] });
  });

  it("limits read as sentences, on our schemas and the service schemas alike", () => {
    expect(errors(serverSchema, { ...base, name: "w".repeat(65), os: "o".repeat(41), description: "d".repeat(501) })).toEqual({
      name: ["At most 64 characters."],
      os: ["At most 40 characters."],
      description: ["At most 500 characters."],
    });
    expect(errors(userCreateSchema, { email: "a@example.net", name: "n".repeat(101), role: "viewer", password: "p".repeat(201) })).toEqual({
      name: ["At most 100 characters."],
      password: ["At most 200 characters."],
    });
    expect(errors(userRoleSchema, { id: "1", role: "root" }).role).toEqual(['Choose one of: "viewer", "operator", "admin".']);
    const domains = Array.from({ length: 51 }, (_, i) => `d${i}.example.net`).join("\n");
    expect(errors(websiteSchema, { name: "site", domains, documentRoot: "", description: "d".repeat(501) })).toEqual({
      domains: ["At most 50 domains."],
      description: ["At most 500 characters."],
    });
    expect(errors(systemUserSchema, { username: "alice", uid: "", home: `/home/${"h".repeat(200)}`, description: "" }).home).toEqual(["At most 200 characters."]);
  });

  it("no library default reaches a form", () => {
    const zodDefault = /expected|received|Too (big|small)|Invalid (input|option|string)|<=|>=/;
    const bad = [
      errors(serverSchema, {}),
      errors(serverSchema, { ...base, name: "x".repeat(300), port: "x", os: "o".repeat(100), description: "d".repeat(900) }),
      errors(userCreateSchema, {}),
      errors(userPasswordSchema, { id: "x", password: "" }),
      errors(routeSchema, { backend: "", serverId: "", match: "x".repeat(2000) }),
      errors(websiteSchema, {}),
      errors(systemUserSchema, {}),
    ];
    const messages = bad.flatMap((e) => Object.values(e).flat());
    expect(messages.length).toBeGreaterThan(10);
    for (const message of messages) {
      expect(message).not.toMatch(zodDefault);
      expect(message).toMatch(/^[A-Z"].*[.)]$/);
    }
  });
});
