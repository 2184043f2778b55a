// The outbox's rules in isolation: which later operation settles an earlier failure, and that a run
// whose owner lost its lease does not start (someone else may hold its operations now).
import { beforeEach, describe, expect, it } from "vitest";
import { BackendRegistry, type Backend } from "../lib/orchestration/backend";
import { Engine } from "../lib/orchestration/engine";
import { claim, covers, identityOf, newOwner } from "../lib/orchestration/outbox";
import { groupOperation, runGroup } from "../lib/orchestration/runner";
import { orchestrate } from "../lib/orchestration/unit-of-work";
import { resetDb, testDb } from "./db";

const db = testDb();
beforeEach(() => resetDb());

const users: Pick<Backend, "identity"> = { identity: (o) => String(o.username) };
const id = (objectId: string, before: string | null, after: string | null) =>
  identityOf(users as Backend, { model: "SystemUser", objectId, before: before ? { username: before } : null, after: after ? { username: after } : null });

describe("which later operation settles an earlier one", () => {
  it("the same object, or a new object that owns every name the earlier one touched", () => {
    expect(covers(id("1", "foo", "foo"), id("1", "foo", "foo"))).toBe(true); // same object
    expect(covers(id("2", null, "shop"), id("1", "shop", null))).toBe(true); // a new "shop" after a failed delete of the old one
    expect(covers(id("2", null, "foo"), id("1", "foo", "bar"))).toBe(false); // a failed rename foo → bar is not settled by a new foo
    expect(covers(id("3", null, "baz"), id("1", "foo", "foo"))).toBe(false); // unrelated
  });
});

describe("leases", () => {
  it("a run whose owner lost its operations to someone else does not start", async () => {
    let ran = 0;
    const backend: Backend = { name: "count", title: "count", model: "SystemUser", actions: ["save"], method: "local", runLocal: async () => void ran++ };
    const engine = new Engine({ db, registry: new BackendRegistry([backend]), executor: () => { throw new Error("no SSH here"); }, leaseMs: 1000 });
    const server = await db.server.create({ data: { name: "l1", address: "127.0.0.60" } });
    await db.route.create({ data: { backend: "count", serverId: server.id, async: true } });
    const unit = await orchestrate(engine, (tx) => tx.systemUser.create({ data: { username: "leased" } }));
    const ids = unit.operations.map((o) => o.id);
    const stalled = newOwner("worker");
    expect(await claim(engine, ids, stalled)).toEqual(ids);
    // the stalled owner's lease expires and another owner takes the operations
    await db.operation.updateMany({ where: { id: { in: ids } }, data: { leaseUntil: new Date(Date.now() - 1) } });
    expect(await claim(engine, ids, newOwner("worker"))).toEqual(ids);
    const rows = await db.operation.findMany({ where: { id: { in: ids } } });
    const report = await runGroup(engine, server, "count", rows.map(groupOperation), { owner: stalled });
    expect(report.state).toBe("ABORTED");
    expect(ran).toBe(0);
    const log = await db.scriptLog.findUniqueOrThrow({ where: { id: report.logId } });
    expect(log.stderr).toMatch(/not started: this run no longer held all of its operations/);
    expect((await db.operation.findMany({ where: { id: { in: ids } } })).map((o) => o.state)).toEqual(["PENDING"]);
  });
});
