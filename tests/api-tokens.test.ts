// API tokens on the database under test: only the hash is stored, the effective role is the lower of
// the token's and the user's at each request, and expired, revoked, unknown and malformed tokens are
// told apart; the rate limit is a sliding minute per token.
import { beforeEach, describe, expect, it } from "vitest";
import { authenticateToken, createToken, hashToken, RateLimiter } from "../lib/api/tokens";
import { resetDb, testDb } from "./db";

const db = testDb();
beforeEach(() => resetDb());

describe("API tokens", () => {
  it("stores only a hash, and acts as its user with the lower of the two roles", async () => {
    const user = await db.user.create({ data: { email: "ops@x.test", passwordHash: "x", role: "operator" } });
    const { token, row } = await createToken(db, { id: user.id, role: "operator" }, { name: "ci", role: "operator", days: 30 });
    expect(token).toMatch(/^orc_[A-Za-z0-9_-]{43}$/);
    expect(row.tokenHash).toBe(hashToken(token));
    expect(JSON.stringify(await db.apiToken.findMany())).not.toContain(token.slice(4));
    expect(await authenticateToken(db, `Bearer ${token}`)).toMatchObject({ id: user.id, role: "operator" });
    // the user is demoted: the token follows at once
    await db.user.update({ where: { id: user.id }, data: { role: "viewer" } });
    expect(await authenticateToken(db, `Bearer ${token}`)).toMatchObject({ role: "viewer" });
    await expect(createToken(db, { id: user.id, role: "viewer" }, { name: "up", role: "admin", days: 1 })).rejects.toThrow(/cannot make a token with the admin role/);
  });

  it("tells missing, malformed, unknown, expired and revoked apart, and records last use", async () => {
    const user = await db.user.create({ data: { email: "v@x.test", passwordHash: "x", role: "viewer" } });
    const { token, row } = await createToken(db, { id: user.id, role: "viewer" }, { name: "t", role: "viewer", days: 1 });
    expect(await authenticateToken(db, null)).toBe("missing");
    expect(await authenticateToken(db, "Basic abc")).toBe("malformed");
    expect(await authenticateToken(db, `Bearer ${token}x`)).toBe("unknown");
    expect((await db.apiToken.findUniqueOrThrow({ where: { id: row.id } })).lastUsedAt).toBeNull();
    await authenticateToken(db, `Bearer ${token}`);
    expect((await db.apiToken.findUniqueOrThrow({ where: { id: row.id } })).lastUsedAt).not.toBeNull();
    expect(await authenticateToken(db, `Bearer ${token}`, new Date(Date.now() + 2 * 86_400_000))).toBe("expired");
    await db.apiToken.update({ where: { id: row.id }, data: { revokedAt: new Date() } });
    expect(await authenticateToken(db, `Bearer ${token}`)).toBe("revoked");
  });

  it("limits each token to its share of a sliding minute", () => {
    const limiter = new RateLimiter(3);
    const t = 1_000_000;
    expect([limiter.take(1, t), limiter.take(1, t + 1), limiter.take(1, t + 2)]).toEqual([0, 0, 0]);
    expect(limiter.take(1, t + 3)).toBe(60);
    expect(limiter.take(2, t + 3)).toBe(0); // another token is not affected
    expect(limiter.take(1, t + 60_001)).toBe(0);
  });
});
