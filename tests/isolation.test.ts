import { beforeEach, describe, expect, it } from "vitest";
import { resetDb, testDb } from "./db";

const db = testDb();

describe("concurrent requests on one client", () => {
  beforeEach(() => resetDb());

  it("a plain write during another request's transaction is neither seen by it nor rolled back with it", async () => {
    let inside!: () => void;
    const txStarted = new Promise<void>((r) => (inside = r));
    let proceed!: () => void;
    const mayFinish = new Promise<void>((r) => (proceed = r));

    const failing = db
      .$transaction(async (tx) => {
        await tx.server.create({ data: { name: "in-tx", address: "127.0.0.2" } });
        inside();
        await mayFinish;
        throw new Error("roll back");
      })
      .catch((e: Error) => e.message);

    await txStarted;
    // (.then() starts a Prisma query at once; a bare call is lazy)
    const outside = db.server.create({ data: { name: "outside", address: "127.0.0.3" } }).then((s) => s);
    const seen = db.server.findMany({ select: { name: true } }).then((s) => s);
    await new Promise((r) => setTimeout(r, 50));
    proceed();
    expect(await failing).toBe("roll back");
    await outside;
    expect((await seen).map((s) => s.name)).not.toContain("in-tx");
    expect((await db.server.findMany({ select: { name: true } })).map((s) => s.name)).toEqual(["outside"]);
  });
});
