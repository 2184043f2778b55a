import { describe, expect, it } from "vitest";
import { serverSchema } from "../lib/schemas/server";
import { variablesText } from "../lib/schemas/common";
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
