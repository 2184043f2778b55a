import { beforeEach, describe, expect, it } from "vitest";
import { orchestrate } from "../lib/orchestration/unit-of-work";
import { resetDb, testDb } from "./db";
import { testEngine } from "./support/engine";

const db = testDb();
const engine = testEngine();
let serverId: number;

async function operations() {
  return db.operation.findMany({ orderBy: { id: "asc" } });
}

describe("unit of work: collection rules", () => {
  beforeEach(async () => {
    await resetDb();
    const server = await db.server.create({ data: { name: "s1", address: "127.0.0.2" } });
    serverId = server.id;
    await db.route.createMany({ data: [{ backend: "system-users", serverId }, { backend: "nginx-websites", serverId }] });
  });

  it("collects writes of a watched model without the action listing them", async () => {
    const unit = await orchestrate(engine, (tx) => tx.systemUser.create({ data: { username: "alice", groups: ["www"] } }));
    const ops = await operations();
    expect(ops).toHaveLength(1);
    expect(ops[0]).toMatchObject({ backend: "system-users", action: "save", model: "SystemUser", objectId: String(unit.result.id), objectLabel: "alice", serverId, state: "PENDING", before: null });
    expect(ops[0].after).toMatchObject({ username: "alice", groups: ["www"], shell: "/bin/bash" });
    expect(unit.operations.map((o) => o.id)).toEqual(ops.map((o) => o.id));
  });

  it("a delete cancels a pending save of the same object and keeps its last snapshot", async () => {
    await orchestrate(engine, async (tx) => {
      const u = await tx.systemUser.create({ data: { username: "temp" } });
      await tx.systemUser.update({ where: { id: u.id }, data: { shell: "/bin/sh" } });
      await tx.systemUser.delete({ where: { id: u.id } });
    });
    const ops = await operations();
    expect(ops.map((o) => o.action)).toEqual(["delete"]);
    expect(ops[0].before).toMatchObject({ username: "temp", shell: "/bin/sh" });
    expect(ops[0].after).toBeNull();
  });

  it("a later save replaces an earlier one; operations keep first-seen order", async () => {
    await orchestrate(engine, async (tx) => {
      const a = await tx.systemUser.create({ data: { username: "a" } });
      await tx.systemUser.create({ data: { username: "b" } });
      await tx.systemUser.update({ where: { id: a.id }, data: { shell: "/bin/zsh" } });
    });
    const ops = await operations();
    expect(ops.map((o) => o.objectLabel)).toEqual(["a", "b"]);
    expect(ops[0].after).toMatchObject({ shell: "/bin/zsh" });
    expect(ops[0].before).toBeNull(); // the server has never seen it
  });

  it("a change to a related row is a save of the main object, additions and removals alike", async () => {
    const site = await db.website.create({ data: { name: "shop", domains: { create: [{ name: "shop.test" }] } } });
    await orchestrate(engine, (tx) => tx.websiteDomain.create({ data: { websiteId: site.id, name: "www.shop.test" } }));
    await orchestrate(engine, (tx) => tx.websiteDomain.deleteMany({ where: { name: "shop.test" } }));
    const ops = await operations();
    expect(ops.map((o) => [o.backend, o.action, o.objectLabel])).toEqual([
      ["nginx-websites", "save", "shop"],
      ["nginx-websites", "save", "shop"],
    ]);
    const domains = (o: (typeof ops)[number]) => (o.after as { domains: { name: string }[] }).domains.map((d) => d.name).sort();
    expect(domains(ops[0])).toEqual(["shop.test", "www.shop.test"]);
    expect(domains(ops[1])).toEqual(["www.shop.test"]);
  });

  it("a save through related rows keeps the main object's state before the unit as `before`", async () => {
    const site = await db.website.create({ data: { name: "docs", domains: { create: [{ name: "old.docs.test" }, { name: "kept.docs.test" }] } } });
    const names = (snapshot: unknown) => ((snapshot as { domains: { name: string }[] }).domains ?? []).map((d) => d.name).sort();

    // only related rows change (the domains), as an edit that leaves the site's own fields alone
    await orchestrate(engine, async (tx) => {
      await tx.websiteDomain.deleteMany({ where: { websiteId: site.id, name: "old.docs.test" } });
      await tx.websiteDomain.createMany({ data: [{ websiteId: site.id, name: "new.docs.test" }] });
    });
    // related rows first, then the site itself, as the website form saves
    await orchestrate(engine, async (tx) => {
      await tx.websiteDomain.create({ data: { websiteId: site.id, name: "www.docs.test" } });
      await tx.website.update({ where: { id: site.id }, data: { documentRoot: "/srv/docs" } });
    });

    const ops = await db.operation.findMany({ where: { backend: "nginx-websites" }, orderBy: { id: "asc" } });
    expect(ops).toHaveLength(2);
    expect(names(ops[0].before)).toEqual(["kept.docs.test", "old.docs.test"]);
    expect(names(ops[0].after)).toEqual(["kept.docs.test", "new.docs.test"]);
    expect(names(ops[1].before)).toEqual(["kept.docs.test", "new.docs.test"]);
    expect(names(ops[1].after)).toEqual(["kept.docs.test", "new.docs.test", "www.docs.test"]);
    expect(ops[1].before).toMatchObject({ documentRoot: "" });
    expect(ops[1].after).toMatchObject({ documentRoot: "/srv/docs" });
  });

  it("a related change of an object deleted in the same unit is only that delete", async () => {
    const site = await db.website.create({ data: { name: "gone", domains: { create: [{ name: "gone.test" }] } } });
    await orchestrate(engine, async (tx) => {
      await tx.websiteDomain.deleteMany({ where: { websiteId: site.id } });
      await tx.website.delete({ where: { id: site.id } });
    });
    const ops = await operations();
    expect(ops.map((o) => o.action)).toEqual(["delete"]);
  });

  it("the main object saved earlier in the unit gets its newest state after a related change", async () => {
    const site = await db.website.create({ data: { name: "blog" } });
    await orchestrate(engine, async (tx) => {
      await tx.website.update({ where: { id: site.id }, data: { documentRoot: "/srv/blog" } });
      await tx.websiteDomain.create({ data: { websiteId: site.id, name: "blog.test" } });
    });
    const ops = await operations();
    expect(ops).toHaveLength(1);
    expect(ops[0].after).toMatchObject({ documentRoot: "/srv/blog", domains: [{ name: "blog.test" }] });
  });

  it("an update touching only ignored fields produces nothing", async () => {
    const u = await db.systemUser.create({ data: { username: "carol" } });
    await orchestrate(engine, (tx) => tx.systemUser.update({ where: { id: u.id }, data: { description: "on leave" } }));
    expect(await operations()).toHaveLength(0);
    await orchestrate(engine, (tx) => tx.systemUser.update({ where: { id: u.id }, data: { description: "back", shell: "/bin/sh" } }));
    expect((await operations()).map((o) => o.action)).toEqual(["save"]);
  });

  it("collects the *Many forms and upsert", async () => {
    await orchestrate(engine, (tx) => tx.systemUser.createMany({ data: [{ username: "m1" }, { username: "m2" }, { username: "m3" }] }));
    await orchestrate(engine, (tx) => tx.systemUser.updateMany({ where: { username: { in: ["m1", "m2"] } }, data: { shell: "/bin/sh" } }));
    await orchestrate(engine, (tx) => tx.systemUser.deleteMany({ where: { username: "m3" } }));
    await orchestrate(engine, (tx) => tx.systemUser.upsert({ where: { username: "m4" }, create: { username: "m4" }, update: {} }));
    await orchestrate(engine, (tx) => tx.systemUser.upsert({ where: { username: "m4" }, create: { username: "m4" }, update: { shell: "/bin/zsh" } }));
    const ops = await operations();
    expect(ops.map((o) => `${o.action} ${o.objectLabel}`)).toEqual(["save m1", "save m2", "save m3", "save m1", "save m2", "delete m3", "save m4", "save m4"]);
    expect(ops[7].before).toMatchObject({ shell: "/bin/bash" });
    expect(ops[7].after).toMatchObject({ shell: "/bin/zsh" });
  });

  it("an exception inside the unit rolls back model rows and operations", async () => {
    await expect(
      orchestrate(engine, async (tx) => {
        await tx.systemUser.create({ data: { username: "doomed" } });
        throw new Error("validation failed late");
      }),
    ).rejects.toThrow("validation failed late");
    expect(await db.systemUser.count()).toBe(0);
    expect(await operations()).toHaveLength(0);
  });

  it("writes outside a unit of work are not collected", async () => {
    await engine.capturing.systemUser.create({ data: { username: "outside" } });
    expect(await operations()).toHaveLength(0);
  });
});

describe("unit of work: routing", () => {
  beforeEach(async () => {
    await resetDb();
  });

  it("runs an operation on every server whose route matches, ignores inactive routes, drops unrouted ones", async () => {
    const [s1, s2, s3] = await Promise.all(["a", "b", "c"].map((n, i) => db.server.create({ data: { name: n, address: `127.0.0.${i + 2}` } })));
    await db.route.createMany({
      data: [
        { backend: "system-users", serverId: s1.id, match: 'object.username.startsWith("a")' },
        { backend: "system-users", serverId: s2.id, match: "object.uid >= 2000", async: true },
        { backend: "system-users", serverId: s3.id, match: "true", active: false },
      ],
    });
    const unit = await orchestrate(engine, async (tx) => {
      await tx.systemUser.create({ data: { username: "anna", uid: 2500 } });
      await tx.systemUser.create({ data: { username: "bob", uid: 1500 } });
      await tx.systemUser.create({ data: { username: "abe", uid: 1001 } });
    });
    const ops = await operations();
    expect(ops.map((o) => `${o.objectLabel}@${o.serverId}${o.async ? " async" : ""}`)).toEqual([`anna@${s1.id}`, `anna@${s2.id} async`, `abe@${s1.id}`]);
    expect(unit.unrouted.map((o) => o.objectLabel)).toEqual(["bob"]);
  });

  it("deletes route on the object's last snapshot and asyncActions send only that action to the worker", async () => {
    const s1 = await db.server.create({ data: { name: "a", address: "127.0.0.2" } });
    await db.route.create({ data: { backend: "system-users", serverId: s1.id, match: 'object.shell == "/bin/bash"', asyncActions: ["delete"] } });
    const u = await db.systemUser.create({ data: { username: "dora" } });
    await orchestrate(engine, (tx) => tx.systemUser.update({ where: { id: u.id }, data: { uid: 3000 } }));
    await orchestrate(engine, (tx) => tx.systemUser.delete({ where: { id: u.id } }));
    const ops = await operations();
    expect(ops.map((o) => `${o.action}${o.async ? " async" : ""}`)).toEqual(["save", "delete async"]);
  });
});
