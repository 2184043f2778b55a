import { beforeEach, describe, expect, it } from "vitest";
import { MASK, MASK_CHANGED, auditing } from "../lib/audit";
import { orchestrate } from "../lib/orchestration/unit-of-work";
import { resetDb, testDb } from "./db";
import { testEngine } from "./support/engine";

const db = testDb();
const actor = { id: 7, email: "admin@x.test" };
const settings = { secretFields: (model: string) => (model === "SystemUser" ? ["passwordHash"] : []) };

describe("audit trail", () => {
  beforeEach(() => resetDb());

  it("records creates, updates and deletes with who, what, before and after, secrets masked", async () => {
    await db.$transaction(async (tx) => {
      const audited = auditing(tx, actor, settings);
      const server = await audited.server.create({ data: { name: "web1", address: "10.0.0.1", variables: { db_password: "hunter2", php: "8.3" } } });
      await audited.server.update({ where: { id: server.id }, data: { port: 2222 } });
      await audited.server.update({ where: { id: server.id }, data: { port: 2222 } }); // no change, no row
      const user = await audited.user.create({ data: { email: "u@x.test", passwordHash: "$2b$12$abc" } });
      await audited.user.update({ where: { id: user.id }, data: { passwordHash: "$2b$12$def", sessionVersion: { increment: 1 } } });
      await audited.user.update({ where: { id: user.id }, data: { sessionVersion: { increment: 1 } } });
      await audited.server.update({ where: { id: server.id }, data: { archivedAt: new Date() } });
      await audited.server.delete({ where: { id: server.id } });
    });
    const rows = await db.auditLog.findMany({ orderBy: { id: "asc" } });
    expect(rows.map((r) => [r.action, r.entity])).toEqual([
      ["create", "Server"],
      ["update", "Server"],
      ["create", "User"],
      ["update", "User"],
      ["end-sessions", "User"],
      ["archive", "Server"],
      ["delete", "Server"],
    ]);
    expect(rows.every((r) => r.userId === 7 && r.userEmail === "admin@x.test")).toBe(true);
    expect(rows[1]).toMatchObject({ summary: "web1 (port)", before: { port: 22 }, after: { port: 2222 } });
    const text = JSON.stringify(rows);
    expect(text).not.toContain("hunter2");
    expect(text).not.toContain("$2b$12$");
    expect(rows[0].after).toMatchObject({ variables: { db_password: MASK, php: "8.3" } });
    expect(rows[3]).toMatchObject({ before: { passwordHash: MASK }, after: { passwordHash: MASK_CHANGED }, summary: "u@x.test (passwordHash, sessionVersion)" });
  });

  it("records many-row writes row by row", async () => {
    const server = await db.server.create({ data: { name: "web2", address: "10.0.0.2" } });
    await db.route.createMany({ data: [{ serverId: server.id, backend: "a" }, { serverId: server.id, backend: "b" }] });
    await db.$transaction(async (tx) => {
      const audited = auditing(tx, actor);
      await audited.route.updateMany({ where: { serverId: server.id }, data: { active: false } });
      await audited.route.deleteMany({ where: { serverId: server.id } });
    });
    const rows = await db.auditLog.findMany({ orderBy: { id: "asc" } });
    expect(rows.map((r) => `${r.action} ${r.entity} ${r.summary}`)).toEqual(["update Route a (active)", "update Route b (active)", "delete Route a", "delete Route b"]);
  });

  it("leaves no audit row when the change rolls back", async () => {
    await expect(
      db.$transaction(async (tx) => {
        await auditing(tx, actor).server.create({ data: { name: "web3", address: "10.0.0.3" } });
        throw new Error("boom");
      }),
    ).rejects.toThrow("boom");
    expect(await db.server.count()).toBe(0);
    expect(await db.auditLog.count()).toBe(0);
  });

  it("outside a transaction, writes each change and its row atomically", async () => {
    const audited = auditing(db, actor, { transaction: (write) => db.$transaction((tx) => write(tx)) });
    const server = await audited.server.create({ data: { name: "web4", address: "10.0.0.4" } });
    expect(await db.auditLog.findMany()).toMatchObject([{ action: "create", entity: "Server", entityId: String(server.id) }]);
    // reads and engine bookkeeping pass through untouched
    expect(await audited.server.findMany()).toHaveLength(1);
    await audited.notification.create({ data: { title: "x" } });
    expect(await db.auditLog.count()).toBe(1);
  });

  it("inside a unit of work: the engine still sees the change, and the audit row commits with it", async () => {
    const engine = testEngine();
    const server = await db.server.create({ data: { name: "s1", address: "127.0.0.2" } });
    await db.route.create({ data: { backend: "system-users", serverId: server.id } });
    const secretFields = (model: string) => engine.registry.forModel(model).flatMap((b) => b.secretFields ?? []);
    await orchestrate(engine, async (tx) => {
      const audited = auditing(tx, actor, { include: (m) => engine.registry.includeFor(m), secretFields });
      const u = await audited.systemUser.create({ data: { username: "alice", passwordHash: "$6$salt$hash" } });
      await audited.systemUser.update({ where: { id: u.id }, data: { shell: "/bin/sh" } });
    });
    expect(await db.operation.findMany()).toMatchObject([{ model: "SystemUser", action: "save" }]);
    const rows = await db.auditLog.findMany({ orderBy: { id: "asc" } });
    expect(rows.map((r) => `${r.action} ${r.entity} ${r.summary}`)).toEqual(["create SystemUser alice", "update SystemUser alice (shell)"]);
    expect(JSON.stringify(rows)).not.toContain("$6$salt");
  });
});
