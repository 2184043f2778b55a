// The dashboard lists failures still waiting for someone: a failure that a later run fixed on the same
// server (its object applied since) is history, not a current failure.
import { beforeEach, describe, expect, it } from "vitest";
import { BackendRegistry, type Backend } from "../lib/orchestration/backend";
import { Engine } from "../lib/orchestration/engine";
import { runOperations } from "../lib/orchestration/dispatcher";
import { orchestrate, ownerOf } from "../lib/orchestration/unit-of-work";
import { fetchLatestFailures, fetchNotifications } from "../lib/data/dashboard";
import { resetDb, testDb } from "./db";

const db = testDb();
beforeEach(() => resetDb());

/** Users whose names are in `broken` fail on the server; the rest apply. */
const broken = new Set<string>();
const fail = async (_ctx: unknown, operations: ReadonlyArray<{ objectLabel: string }>) => {
  const bad = operations.filter((o) => broken.has(o.objectLabel));
  if (bad.length) throw new Error(`cannot apply ${bad.map((o) => o.objectLabel).join(", ")}`);
};
const perObject: Backend = { name: "accounts", title: "accounts", model: "SystemUser", actions: ["save", "delete"], method: "local", identity: (o) => String(o.username), runLocal: fail };
const wholeFile: Backend = { name: "accounts-file", title: "accounts file", model: "SystemUser", kind: "sync", actions: ["save", "delete"], method: "local", runLocal: fail };

const engine = new Engine({ db, registry: new BackendRegistry([perObject, wholeFile]), executor: () => { throw new Error("no SSH here"); } });
/** The worker's policy, out of attempts at the first failure: it notifies at once. */
const noRetry = { retryFailures: true, maxAttempts: 1, backoffMs: 0 };

async function save(write: Parameters<typeof orchestrate>[1]) {
  const unit = await orchestrate(engine, write);
  return runOperations(engine, unit.operations.map((o) => o.id), { heldBy: ownerOf(unit.unitOfWork), policy: noRetry });
}

describe("dashboard failures", () => {
  it("a failure fixed by a later run of its object is no longer listed, nor is its notification", async () => {
    const server = await db.server.create({ data: { name: "d1", address: "127.0.0.70" } });
    await db.route.create({ data: { backend: "accounts", serverId: server.id } });

    broken.add("ada");
    const [failed] = await save((tx) => tx.systemUser.create({ data: { username: "ada" } }));
    expect(failed.state).toBe("FAILURE");
    expect((await fetchLatestFailures(db)).map((l) => l.id)).toEqual([failed.logId]);
    expect((await fetchNotifications(db)).map((n) => n.scriptLogId)).toEqual([failed.logId]);

    // the cause is fixed and the object saved again: it is applied on the same server
    broken.delete("ada");
    const [fixed] = await save((tx) => tx.systemUser.update({ where: { username: "ada" }, data: { shell: "/bin/sh" } }));
    expect(fixed.state).toBe("SUCCESS");
    expect(await fetchLatestFailures(db)).toEqual([]);
    expect(await fetchNotifications(db)).toEqual([]);
  });

  it("a failure of another object stays listed", async () => {
    const server = await db.server.create({ data: { name: "d2", address: "127.0.0.71" } });
    await db.route.create({ data: { backend: "accounts", serverId: server.id } });
    broken.add("bob");
    const [failed] = await save((tx) => tx.systemUser.create({ data: { username: "bob" } }));
    const [other] = await save((tx) => tx.systemUser.create({ data: { username: "cy" } }));
    expect([failed.state, other.state]).toEqual(["FAILURE", "SUCCESS"]);
    expect((await fetchLatestFailures(db)).map((l) => l.id)).toEqual([failed.logId]);
    expect((await fetchNotifications(db)).map((n) => n.scriptLogId)).toEqual([failed.logId]);
    broken.clear();
  });

  it("a sync-kind backend's later success applied every object of the server: earlier failures are settled", async () => {
    const server = await db.server.create({ data: { name: "d3", address: "127.0.0.72" } });
    await db.route.create({ data: { backend: "accounts-file", serverId: server.id } });
    broken.add("dee");
    const [failed] = await save((tx) => tx.systemUser.create({ data: { username: "dee" } }));
    expect(failed.state).toBe("FAILURE");
    expect((await fetchLatestFailures(db)).map((l) => l.id)).toEqual([failed.logId]);

    // the whole file is written again for another user's change, dee's entry with it
    broken.clear();
    const [whole] = await save((tx) => tx.systemUser.create({ data: { username: "eve" } }));
    expect(whole.state).toBe("SUCCESS");
    expect(await fetchLatestFailures(db)).toEqual([]);
    expect(await fetchNotifications(db)).toEqual([]);
  });
});
