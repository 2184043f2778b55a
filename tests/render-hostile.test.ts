// Backends render what is in the database, not only what the form let through: hostile snapshots
// (written by another path) must be refused at render time, before any script exists.
import { describe, expect, it } from "vitest";
import { renderScript } from "../lib/orchestration/script";
import { systemUserBackend } from "../lib/services/system-users/backend";
import { serverBlock, websiteBackend } from "../lib/services/websites/backend";
import { mapLines, websiteIndexBackend } from "../lib/services/websites/index-backend";
import { DEFAULT_POLICY, hardFloorErrors, parsePolicy, policyErrors, systemUserErrors } from "../lib/services/system-users/policy";
import { systemUserSchema } from "../lib/services/system-users/schema";
import type { PendingOperation, ServerInfo } from "../lib/orchestration/types";

const server: ServerInfo = { id: 1, name: "web1", address: "127.0.0.2", port: 22, sshUser: "root", hostKeyFingerprint: null, variables: {} };
const alice = { id: 1, username: "alice", uid: 2001, shell: "/bin/bash", home: "", groups: ["www"], active: true, description: "" };
const shop = { id: 1, name: "shop", documentRoot: "", enabled: true, description: "", domains: [{ name: "shop.test" }], mounts: [] as Array<{ path: string; webApp: { name: string; phpVersion: string } }> };

const userOp = (after: object | null, before: object | null = null, action: "save" | "delete" = "save"): PendingOperation => ({
  backend: "system-users",
  action,
  model: "SystemUser",
  objectId: "1",
  objectLabel: "x",
  before: before as never,
  after: after as never,
});
const siteOp = (after: object | null, before: object | null = null, action: "save" | "delete" = "save"): PendingOperation => ({
  backend: "nginx-websites",
  action,
  model: "Website",
  objectId: "1",
  objectLabel: "x",
  before: before as never,
  after: after as never,
});

describe("system users: the hard floor at render time", () => {
  it.each([
    ["uid 0", { uid: 0 }, /uid 0 is root/],
    ["a uid that is not a number", { uid: "0; reboot" }, /uid/],
    ["group root", { groups: ["www", "root"] }, /Never allowed: root/],
    ["groups sudo, shadow, disk, wheel", { groups: ["sudo", "shadow", "disk", "wheel"] }, /sudo, shadow, disk, wheel/],
    ["a group that is not a name", { groups: ["www,root"] }, /Group names/],
    ["home /root", { home: "/root" }, /cannot be in \/root/],
    ["home inside /etc", { home: "/etc/cron.d" }, /cannot be in \/etc/],
    ["home /", { home: "/" }, /inside a directory/],
    ["a relative home", { home: "home/alice" }, /absolute/],
    ["a home with ..", { home: "/home/../root" }, /plain path/],
    ["a home with a colon", { home: "/home/a:0:0" }, /may contain only/],
    ["a home with a newline", { home: "/home/a\nroot::0:0::/root:/bin/sh" }, /may contain only/],
    ["a shell with spaces", { shell: "/bin/sh -c reboot" }, /shell/],
    ["a shell with ..", { shell: "/bin/../tmp/x" }, /shell/],
    ["the root account", { username: "root" }, /account of the system/],
    ["sshd", { username: "sshd" }, /account of the system/],
    ["a name useradd refuses", { username: "Alice;reboot" }, /valid account name/],
  ])("refuses %s", (_what, change, message) => {
    expect(() => renderScript(systemUserBackend, server, [userOp({ ...alice, ...change })])).toThrow(message);
  });

  it("refuses renaming or deleting an account of the system", () => {
    expect(() => renderScript(systemUserBackend, server, [userOp(alice, { ...alice, username: "root" })])).toThrow(/rename system user "root"/);
    expect(() => renderScript(systemUserBackend, server, [userOp(null, { ...alice, username: "root" }, "delete")])).toThrow(/delete system user "root"/);
  });

  it("renders an ordinary user", () => {
    expect(renderScript(systemUserBackend, server, [userOp({ ...alice, home: "/srv/alice", groups: ["www", "dev"] })]).hasContent).toBe(true);
  });
});

describe("system users: the adjustable policy", () => {
  const operatorView = (change: object) => systemUserErrors({ ...alice, ...change }, parsePolicy(undefined), "operator");
  const adminView = (change: object) => systemUserErrors({ ...alice, ...change }, parsePolicy(undefined), "admin");

  it("binds operators: the reported attack is refused field by field", () => {
    const errors = operatorView({ groups: ["sudo", "root", "shadow", "disk"], home: "/root" });
    expect(errors.groups?.join(" ")).toMatch(/sudo, root, shadow, disk/);
    expect(errors.home?.join(" ")).toMatch(/\/root/);
    expect(operatorView({ groups: ["docker"] }).groups).toEqual(["Not allowed by the system users policy: docker."]);
    expect(operatorView({ uid: 999 }).uid).toEqual(["Between 1000 and 60000 (the system users policy)."]);
    expect(operatorView({ home: "/opt/alice" }).home?.[0]).toMatch(/Must be inside \/home, \/srv, \/var\/www/);
  });

  it("admins may exceed the adjustable parts, never the hard floor", () => {
    expect(adminView({ groups: ["docker"], uid: 500, home: "/opt/alice" })).toEqual({});
    expect(adminView({ groups: ["sudo"] }).groups).toBeTruthy();
    expect(adminView({ uid: 0 }).uid).toBeTruthy();
    expect(adminView({ home: "/root" }).home).toBeTruthy();
  });

  it("is read with defaults, and an unreadable setting is the defaults", () => {
    expect(parsePolicy(undefined)).toEqual(DEFAULT_POLICY);
    expect(parsePolicy({ uidMin: "x" })).toEqual(DEFAULT_POLICY);
    const custom = parsePolicy({ forbiddenGroups: "docker", uidMin: 2000, uidMax: 3000, homeRoots: ["/data"], forbiddenShells: ["/bin/sh"] });
    expect(policyErrors({ ...alice, uid: 2500, home: "/data/alice", groups: ["sudo2"], shell: "/bin/sh" }, custom)).toEqual({ shell: ["/bin/sh is not allowed by the system users policy."] });
  });

  it("the form's schema shows the hard floor as field errors for every role", () => {
    const parsed = systemUserSchema.safeParse({ username: "mallory", uid: "0", shell: "/bin/bash", home: "/root", groups: "sudo,root,shadow,disk", password: "" });
    expect(parsed.success).toBe(false);
    const fields = new Set(parsed.error!.issues.map((i) => i.path[0]));
    expect(fields).toEqual(new Set(["uid", "groups", "home"]));
    expect(hardFloorErrors({ ...alice })).toEqual({});
  });
});

describe("websites: values entering the nginx configuration", () => {
  it.each([
    ["a domain with ; and a directive", { domains: [{ name: "x.test; include /etc/shadow" }] }, /the domain/],
    ["a domain with braces", { domains: [{ name: "x.test;}server{listen 8081" }] }, /the domain/],
    ["a domain with a space", { domains: [{ name: "a.test b.test" }] }, /the domain/],
    ["a domain with a newline", { domains: [{ name: "a.test\n" }] }, /the domain/],
    ["a domain with $", { domains: [{ name: "$host" }] }, /the domain/],
    ["a regex server name", { domains: [{ name: "~^(?<x>.+)$" }] }, /the domain/],
    ["a root with a space", { documentRoot: "/srv/www/a b" }, /the document root/],
    ["a root with ;", { documentRoot: "/srv/www;" }, /the document root/],
    ["a root with quotes", { documentRoot: "/srv/'www'" }, /the document root/],
    ["a root with $", { documentRoot: "/srv/$uri" }, /the document root/],
    ["a root with a backslash", { documentRoot: "/srv/a\\b" }, /the document root/],
    ["a relative root", { documentRoot: "srv/www" }, /the document root/],
    ["a root with ..", { documentRoot: "/srv/../etc" }, /the document root/],
    ["a name that is a path", { name: "../../etc/cron.d/x" }, /the site name/],
  ])("refuses %s", (_what, change, message) => {
    expect(() => renderScript(websiteBackend, server, [siteOp({ ...shop, ...change })])).toThrow(message);
  });

  it("refuses a hostile per-server listen value and WEBSITES_ROOT", () => {
    expect(() => renderScript(websiteBackend, { ...server, variables: { NGINX_LISTEN: "80; include /etc/shadow" } }, [siteOp(shop)])).toThrow(/NGINX_LISTEN/);
    expect(() => renderScript(websiteBackend, { ...server, variables: { WEBSITES_ROOT: "/srv/www;" } }, [siteOp(shop)])).toThrow(/document root/);
  });

  it("refuses a hostile old name on rename and delete", () => {
    expect(() => renderScript(websiteBackend, server, [siteOp(shop, { ...shop, name: "../x" })])).toThrow(/site name/);
    expect(() => renderScript(websiteBackend, server, [siteOp(null, { ...shop, name: "../x" }, "delete")])).toThrow(/site name/);
  });

  it("refuses a mount whose path, web app or PHP version could carry nginx syntax", () => {
    const app = { name: "blog", phpVersion: "8.2" };
    for (const path of ["/x; }", "/../etc", "/a b", "blog", "/x\n"]) {
      expect(() => renderScript(websiteBackend, server, [siteOp({ ...shop, mounts: [{ path, webApp: app }] })])).toThrow(/mount path/);
    }
    expect(() => renderScript(websiteBackend, server, [siteOp({ ...shop, mounts: [{ path: "/b", webApp: { ...app, name: "b;}" } }] })])).toThrow(/web app/);
    expect(() => renderScript(websiteBackend, server, [siteOp({ ...shop, mounts: [{ path: "/b", webApp: { ...app, phpVersion: "8.2/../x" } }] })])).toThrow(/PHP version/);
    expect(() => renderScript(websiteBackend, { ...server, variables: { WEB_APPS_ROOT: "/srv/a b" } }, [siteOp({ ...shop, mounts: [{ path: "/b", webApp: app }] })])).toThrow(/WEB_APPS_ROOT/);
    const block = serverBlock(shop, "80", "/srv/www/shop", { mounts: [{ path: "/blog", app: "blog", dir: "/srv/webapps/blog", socket: "/run/php/orchestra-blog.sock" }] });
    expect(block).toContain("    location ^~ /blog/ {");
    expect(block).toContain("            fastcgi_pass unix:/run/php/orchestra-blog.sock;");
  });

  it("the map file refuses the same", () => {
    expect(() => mapLines([{ ...shop, domains: [{ name: "a.test b;" }] }])).toThrow(/the domain/);
    expect(() => renderScript(websiteIndexBackend, server, [], [{ ...shop, domains: [{ name: "}" }] }])).toThrow(/websites map/);
  });

  it("renders ordinary sites, wildcards included", () => {
    expect(serverBlock({ ...shop, domains: [{ name: "shop.test" }, { name: "*.shop.test" }] }, "80", "/srv/www/shop")).toContain("    server_name shop.test *.shop.test;");
    expect(renderScript(websiteBackend, { ...server, variables: { NGINX_LISTEN: "[::]:8080 default_server" } }, [siteOp(shop)]).hasContent).toBe(true);
  });
});
