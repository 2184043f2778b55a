// The service kit: what a declaration derives (form fields, route samples, typed backends), backend
// commands (rendered, routed, retried, never settling a save), and backends asking the router.
import { beforeEach, describe, expect, it } from "vitest";
import { z } from "zod";
import { BackendRegistry, type Backend } from "../lib/orchestration/backend";
import { Engine } from "../lib/orchestration/engine";
import { retryLog, runSelection } from "../lib/orchestration/manual";
import { renderScript } from "../lib/orchestration/script";
import { raw, sh } from "../lib/orchestration/shell";
import { serverLookup } from "../lib/orchestration/sync";
import { orchestrate } from "../lib/orchestration/unit-of-work";
import { runUnitOfWork } from "../lib/orchestration/dispatcher";
import { serverInfo } from "../lib/orchestration/types";
import { SERVICES, MODEL_SAMPLES, serviceBySlug, serviceModelsChildrenFirst } from "../lib/services";
import { defineBackend, sampleOf } from "../lib/services/kit";
import { systemUserBackend } from "../lib/services/system-users/backend";
import { resetDb, testDb } from "./db";

const db = testDb();
const server = { id: 1, name: "web1", address: "127.0.0.2", port: 22, sshUser: "root", hostKeyFingerprint: null, variables: {} };
const alice = { id: 7, username: "alice", uid: 2001, shell: "/bin/bash", home: "", groups: ["www"], active: true, description: "", passwordHash: null };
const op = (action: string, object: object | null) => ({ backend: "system-users", action, model: "SystemUser", objectId: "7", objectLabel: "alice", before: object as never, after: object as never });

describe("what a declaration derives", () => {
  it("route samples from the snapshot schema: every field with its JSON type", () => {
    expect(MODEL_SAMPLES.SystemUser).toMatchObject({ id: 0, username: "", uid: 0, groups: [""], active: true, passwordHash: "" });
    expect(MODEL_SAMPLES.Website).toMatchObject({ name: "", enabled: true, domains: [{ name: "" }] });
    expect(sampleOf(z.object({ a: z.enum(["x", "y"]), b: z.array(z.number()).optional() }))).toEqual({ a: "x", b: [0] });
  });

  it("form fields in the input schema's order, with labels and widgets from .meta()", () => {
    const fields = serviceBySlug("system-users")!.fields;
    expect(fields.map((f) => f.name)).toEqual(["username", "uid", "shell", "home", "groups", "description", "password", "active"]);
    expect(fields.find((f) => f.name === "password")).toMatchObject({ label: "Password", kind: "password" });
    expect(fields.find((f) => f.name === "active")).toMatchObject({ kind: "checkbox", initial: true });
  });

  it("one registry, menu and wipe order from the list of services", () => {
    // (services registered later follow these three; a service refers only to earlier ones, so the wipe
    // order — children and later services first — ends with the first services' models)
    expect(SERVICES.map((s) => s.slug).slice(0, 3)).toEqual(["system-users", "web-apps", "websites"]);
    const order = serviceModelsChildrenFirst();
    expect(order.slice(-5)).toEqual(["WebsiteDomain", "WebsiteMount", "Website", "WebApp", "SystemUser"]);
    expect(new Set(order)).toEqual(new Set(SERVICES.flatMap((s) => [s.model, ...(s.related ?? []).map((r) => r.model)])));
    // backends inherit the service's model facts
    const nginx = serviceBySlug("websites")!.backends.find((b) => b.name === "nginx-websites")!;
    expect(nginx.include).toMatchObject({ domains: true, mounts: { select: { path: true } } });
    expect(nginx.relatedModels?.map((r) => r.model)).toEqual(["WebsiteDomain", "WebsiteMount", "WebApp"]);
    expect(serviceBySlug("system-users")!.backends[0].secretFields).toEqual(["passwordHash"]);
  });

  it("the hard floor is part of the service's form schema", () => {
    const parsed = serviceBySlug("system-users")!.createSchema.safeParse({ username: "mallory", uid: "0", groups: "sudo", home: "/root" });
    expect(parsed.success).toBe(false);
    expect(new Set(parsed.error!.issues.map((i) => i.path[0]))).toEqual(new Set(["uid", "groups", "home"]));
  });
});

describe("typed backends", () => {
  it("a row of the wrong shape is refused before anything is rendered, naming the field", () => {
    expect(() => renderScript(systemUserBackend, server, [op("save", { ...alice, groups: "www,root" })])).toThrow(/refusing to render SystemUser "alice": groups is not valid \(A list\)/);
    expect(() => renderScript(systemUserBackend, server, [op("save", { ...alice, active: "yes" })])).toThrow(/active is not valid/);
  });

  it("a variable must be declared; a command variable is split into quoted words", () => {
    const probe = defineBackend(z.object({ id: z.number(), name: z.string() }), {
      name: "probe", title: "probe", model: "Probe", actions: ["save"], method: "ssh",
      variables: { PROBE_CMD: { default: "echo hello world", description: "a command", command: true } },
      save(ctx, o) {
        ctx.append(sh`${ctx.command("PROBE_CMD")} ${o.name}`);
        if (o.name === "undeclared") ctx.variable("NOPE");
      },
    });
    const rendered = renderScript(probe, { ...server, variables: { PROBE_CMD: "printf %s; reboot" } }, [{ ...op("save", { id: 1, name: "x" }), backend: "probe", model: "Probe" }]);
    expect(rendered.text).toContain("printf '%s;' reboot x");
    expect(() => renderScript(probe, server, [{ ...op("save", { id: 1, name: "undeclared" }), backend: "probe", model: "Probe" }])).toThrow(/reads variable NOPE but does not declare it/);
  });

  it("a command renders its own block; an unknown one is refused; names are plain", () => {
    const script = renderScript(systemUserBackend, server, [op("expire-password", alice)]);
    expect(script.text).toContain("# expire-password SystemUser alice");
    expect(script.text).toContain(`chage "\${chroot[@]}" --lastday 0 -- alice`);
    expect(() => renderScript(systemUserBackend, server, [op("reboot", alice)])).toThrow(/has no command "reboot"/);
    expect(() => renderScript(systemUserBackend, server, [op("expire-password", { ...alice, username: "root" })])).toThrow(/expire the password of system user "root"/);
    const bad: Backend = { name: "bad", title: "bad", model: "X", actions: ["save"], method: "ssh", commands: { "rm -rf": { title: "x", run: () => {} } } };
    expect(() => new BackendRegistry([bad])).toThrow(/not a plain name/);
    const shadow: Backend = { ...bad, commands: { delete: { title: "x", run: () => {} } } };
    expect(() => new BackendRegistry([shadow])).toThrow(/not a plain name/);
  });
});

describe("with the database", () => {
  beforeEach(() => resetDb());

  /** A local backend that records what ran, so the engine's real routing, lanes and retries are used. */
  function recorder(ran: string[], fail: { next: boolean }) {
    const backend: Backend = {
      name: "rec", title: "rec", model: "SystemUser", actions: ["save", "delete"], method: "local",
      identity: (o) => String(o.username),
      commands: { poke: { title: "Poke", run: () => {} } },
      runLocal: async (_ctx, operations) => {
        ran.push(...operations.map((o) => `${o.action} ${o.objectLabel}`));
        if (fail.next) { fail.next = false; throw new Error("the server said no"); }
      },
    };
    return new Engine({ db, registry: new BackendRegistry([backend]), executor: () => { throw new Error("no SSH here"); } });
  }

  it("a command is routed like a save, retried on the current row, and never settles or is settled by a save", async () => {
    const ran: string[] = [];
    const fail = { next: false };
    const engine = recorder(ran, fail);
    const web = await db.server.create({ data: { name: "k1", address: "127.0.0.61" } });
    await db.route.create({ data: { backend: "rec", serverId: web.id, match: 'object.username != "skip"' } });
    const unit = await orchestrate(engine, async (tx) => {
      await tx.systemUser.create({ data: { username: "bob" } });
      await tx.systemUser.create({ data: { username: "skip" } });
    });
    const [bob, skip] = await db.systemUser.findMany({ orderBy: { id: "asc" } });
    expect(unit.unrouted.map((o) => o.objectLabel)).toEqual(["skip"]);
    expect((await runUnitOfWork(engine, unit)).map((r) => r.state)).toEqual(["SUCCESS"]);

    fail.next = true;
    const first = await runSelection(engine, { model: "SystemUser", ids: [String(bob.id), String(skip.id)], command: "poke" });
    expect(first.reports.map((r) => r.state)).toEqual(["FAILURE"]);
    expect(first.unrouted.map((o) => `${o.action} ${o.objectLabel}`)).toEqual(["poke skip"]);
    const failed = await db.operation.findFirstOrThrow({ where: { action: "poke" } });

    // a later successful save of bob does not make the failed command moot
    const save = await runSelection(engine, { model: "SystemUser", ids: [String(bob.id)] });
    expect(save.reports.map((r) => r.state)).toEqual(["SUCCESS"]);
    expect((await db.operation.findUniqueOrThrow({ where: { id: failed.id } })).state).toBe("FAILURE");

    // its retry runs the command again, on the row as it is now
    await db.systemUser.update({ where: { id: bob.id }, data: { username: "bobby" } });
    const retried = await retryLog(engine, first.reports[0].logId);
    expect(retried.superseded).toEqual([]);
    expect(retried.report?.state).toBe("SUCCESS");
    expect(ran.slice(-1)).toEqual(["poke bobby"]);

    // a command on no object with it is refused in words
    await expect(runSelection(engine, { model: "SystemUser", ids: [String(bob.id)], command: "nope" })).rejects.toThrow(/has a command "nope"/);
  });

  it("a backend asks the router which other servers run a backend for an object", async () => {
    const [a, b, c, archived, d] = await Promise.all(
      ["ns1", "ns2", "ns3", "ns-old", "ns4"].map((name, i) => db.server.create({ data: { name, address: `127.0.0.${70 + i}`, ...(name === "ns-old" ? { archivedAt: new Date() } : {}) } })),
    );
    await db.route.createMany({
      data: [
        { backend: "system-users", serverId: a.id, match: "true" },
        { backend: "system-users", serverId: b.id, match: 'object.username.startsWith("a")' },
        { backend: "system-users", serverId: c.id, match: 'object.username.startsWith("z")' },
        { backend: "system-users", serverId: archived.id, match: "true" },
        { backend: "system-users", serverId: d.id, match: "true", active: false },
      ],
    });
    const engine = new Engine({ db, registry: new BackendRegistry([systemUserBackend]), executor: () => { throw new Error("no SSH here"); } });
    const lookup = await serverLookup(engine, ["system-users"]);
    expect(lookup("system-users", alice).map((s) => s.name).sort()).toEqual(["ns1", "ns2"]);
    expect(lookup("system-users", { ...alice, username: "zed" }).map((s) => s.name).sort()).toEqual(["ns1", "ns3"]);

    const asking = defineBackend(z.object({ id: z.number(), username: z.string() }), {
      name: "asking", title: "asking", model: "SystemUser", actions: ["save"], method: "ssh", asksRouter: ["system-users"],
      save(ctx, o) {
        ctx.append(raw(`# also on: ${ctx.serversFor("system-users", o).map((s) => s.name).join(" ")}`));
      },
    });
    const text = renderScript(asking, serverInfo(a), [{ ...op("save", alice), backend: "asking" }], [], lookup).text;
    expect(text).toContain("# also on: ns2"); // itself left out
  });
});
