import { beforeEach, describe, expect, it } from "vitest";
import { fetchAuditLog } from "../lib/data/audit";
import { stringList, stringMap, snapshot } from "../lib/data/json";
import { fetchLogs } from "../lib/data/log-list";
import { fetchSystemUserPolicy } from "../lib/data/settings";
import { POLICY_KEY } from "../lib/services/system-users/policy";
import { resetDb, testDb } from "./db";

const db = testDb();

describe("Json columns read as typed values", () => {
  it("keeps what our schemas write and reads anything else as empty", () => {
    expect(stringList(["delete", 3, null, "save"])).toEqual(["delete", "save"]);
    expect(stringList({ 0: "save" })).toEqual([]);
    expect(stringMap({ PHP: "8.3", WORKERS: 4, FLAG: true })).toEqual({ PHP: "8.3", WORKERS: "4", FLAG: "true" });
    expect(stringMap(["a"])).toEqual({});
    expect(snapshot({ username: "u1" })).toEqual({ username: "u1" });
    expect([snapshot(null), snapshot("x"), snapshot([1])]).toEqual([null, null, null]);
  });
});

describe("readers take the database client", () => {
  beforeEach(() => resetDb());

  it("the log list pages by id, newest first", async () => {
    const server = await db.server.create({ data: { name: "pager", address: "127.0.0.5" } });
    await db.scriptLog.createMany({ data: Array.from({ length: 5 }, () => ({ backend: "b", serverId: server.id, state: "SUCCESS", script: "true" })) });
    const first = await fetchLogs(db, {}, 2);
    const second = await fetchLogs(db, { before: first.nextBefore! }, 2);
    const last = await fetchLogs(db, { before: second.nextBefore! }, 2);
    const ids = [...first.logs, ...second.logs, ...last.logs].map((l) => l.id);
    expect(ids).toEqual([...ids].sort((a, b) => b - a));
    expect(new Set(ids).size).toBe(5);
    expect(last.nextBefore).toBeNull();
  });

  it("the log list counts each log's operations", async () => {
    const server = await db.server.create({ data: { name: "counter", address: "127.0.0.6" } });
    const op = (objectId: string) => db.operation.create({ data: { unitOfWork: "u", backend: "b", action: "save", model: "SystemUser", objectId, serverId: server.id } });
    const [a, b, c] = [await op("1"), await op("2"), await op("3")];
    const two = await db.scriptLog.create({ data: { backend: "b", serverId: server.id, state: "SUCCESS", operations: { create: [{ operationId: a.id }, { operationId: b.id }] } } });
    const one = await db.scriptLog.create({ data: { backend: "b", serverId: server.id, state: "FAILURE", operations: { create: [{ operationId: c.id }] } } });
    const none = await db.scriptLog.create({ data: { backend: "b", serverId: server.id, state: "NOTHING" } });
    const counts = Object.fromEntries((await fetchLogs(db, {})).logs.map((l) => [l.id, l._count.operations]));
    expect(counts).toEqual({ [two.id]: 2, [one.id]: 1, [none.id]: 0 });
  });

  it("an audit entry lists the changed fields from its before and after", async () => {
    await db.auditLog.create({ data: { action: "update", entity: "Server", entityId: "1", before: { port: 22, name: "web1" }, after: { port: 2222, name: "web1" } } });
    await db.auditLog.create({ data: { action: "delete", entity: "Server", entityId: "2", before: { name: "old", variables: { PHP: "8.3" } }, after: "not an object" } });
    const { entries } = await fetchAuditLog(db, {});
    expect(entries.map((e) => e.changes)).toEqual([
      [
        { field: "name", before: "old", after: "" },
        { field: "variables", before: '{"PHP":"8.3"}', after: "" },
      ],
      [{ field: "port", before: "22", after: "2222" }],
    ]);
    expect(entries[0]).not.toHaveProperty("before");
  });

  it("reads inside a transaction what the transaction wrote", async () => {
    const policy = await db.$transaction(async (tx) => {
      await tx.setting.create({ data: { key: POLICY_KEY, value: { uidMin: 2000 } } });
      return fetchSystemUserPolicy(tx);
    });
    expect(policy.uidMin).toBe(2000);
  });
});
