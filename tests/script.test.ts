import { execFileSync } from "node:child_process";
import { describe, expect, it } from "vitest";
import { renderScript } from "../lib/orchestration/script";
import { systemUserBackend } from "../lib/services/system-users/backend";
import { websiteBackend } from "../lib/services/websites/backend";
import type { PendingOperation, ServerInfo } from "../lib/orchestration/types";

const server: ServerInfo = { id: 1, name: "web1", address: "127.0.0.2", port: 22, sshUser: "root", hostKeyFingerprint: null, variables: {} };
const alice = { id: 1, username: "alice", uid: 2001, shell: "/bin/bash", home: "", groups: ["www", "dev"], active: true, description: "" };

function op(action: "save" | "delete", after: object | null, before: object | null = null, label = "alice"): PendingOperation {
  return { backend: "system-users", action, model: "SystemUser", objectId: "1", objectLabel: label, before: before as never, after: after as never };
}

describe("rendered scripts", () => {
  it("system users: one script with a head, a block per operation, valid bash", () => {
    const script = renderScript(systemUserBackend, server, [
      op("save", alice),
      op("save", { ...alice, id: 2, username: "bob", uid: null, groups: [], active: false }, null, "bob"),
      op("delete", null, { ...alice, id: 3, username: "carl" }, "carl"),
    ]);
    expect(script.hasContent).toBe(true);
    expect(script.text).toMatchSnapshot();
    execFileSync("bash", ["-n"], { input: script.text }); // parses
  });

  it("system users: a password hash is in the executed script only", () => {
    const hash = "$2b$10$0123456789abcdefghijkuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ";
    const script = renderScript(systemUserBackend, server, [op("save", { ...alice, passwordHash: hash })]);
    expect(script.text).not.toContain(hash);
    expect(script.text).toContain("ORCHESTRA_SECRET_1=********");
    expect(script.text).toContain('--password "$ORCHESTRA_SECRET_1"');
    expect(script.executable).toContain(`ORCHESTRA_SECRET_1='${hash}'`);
    expect(script.executable.replace(`'${hash}'`, "********")).toBe(script.text);
    expect(script.secrets).toEqual([hash]);
  });

  it("system users: a rename moves the account", () => {
    const text = renderScript(systemUserBackend, server, [op("save", { ...alice, username: "alicia" }, alice)]).text;
    expect(text).toContain("if user_exists alice && ! user_exists alicia; then usermod \"${prefix[@]}\" --login alicia -- alice; fi");
  });

  it("websites: one server block per site and a single reload at the end", () => {
    const site = (id: number, name: string, domains: string[], enabled = true) => ({ id, name, documentRoot: "", enabled, description: "", domains: domains.map((d) => ({ name: d })) });
    const ops: PendingOperation[] = [
      { backend: "nginx-websites", action: "save", model: "Website", objectId: "1", objectLabel: "shop", before: null, after: site(1, "shop", ["shop.test", "www.shop.test"]) as never },
      { backend: "nginx-websites", action: "save", model: "Website", objectId: "2", objectLabel: "old", before: null, after: site(2, "old", ["old.test"], false) as never },
      { backend: "nginx-websites", action: "delete", model: "Website", objectId: "3", objectLabel: "gone", before: site(3, "gone", ["gone.test"]) as never, after: null },
    ];
    const text = renderScript(websiteBackend, { ...server, variables: { NGINX_SITES_DIR: "/tmp/sites dir", NGINX_RELOAD: "systemctl reload nginx" } }, ops).text;
    expect(text).toMatchSnapshot();
    expect(text.match(/systemctl reload nginx/g)).toHaveLength(1);
    execFileSync("bash", ["-n"], { input: text });
  });

  it("has no content when no operation produced a command", () => {
    const script = renderScript(systemUserBackend, server, []);
    expect(script.hasContent).toBe(false);
  });

  it("fails loudly on a variable the backend does not declare", () => {
    const broken = { ...systemUserBackend, prepare: (ctx: { variable(n: string): string }) => void ctx.variable("NOPE") };
    expect(() => renderScript(broken as never, server, [op("save", alice)])).toThrow(/NOPE/);
  });
});
