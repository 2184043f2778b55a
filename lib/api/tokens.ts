// API tokens: `orc_` + 32 random bytes (base64url), shown once when made, stored as a SHA-256 hash
// (a token is random and long: a fast hash is enough, and lookups are by hash). A token acts as its
// user with the lower of the token's role and the user's role at each request, until it expires or
// is revoked; deleting the user deletes its tokens.
import { createHash, randomBytes } from "node:crypto";
import type { Db } from "../db-client";
import { hasRole, isRole, ROLES, type Role } from "../roles";

type Client = Pick<Db, "apiToken">;

export const TOKEN_PREFIX = "orc_";
export const MAX_TOKEN_DAYS = 365;

export function hashToken(token: string): string {
  return createHash("sha256").update(token).digest("hex");
}

export async function createToken(db: Client, user: { id: number; role: Role }, input: { name: string; role: Role; days: number }) {
  if (!hasRole(user.role, input.role)) throw new Error(`a ${user.role} cannot make a token with the ${input.role} role`);
  const token = `${TOKEN_PREFIX}${randomBytes(32).toString("base64url")}`;
  const row = await db.apiToken.create({
    data: { userId: user.id, name: input.name, prefix: token.slice(0, TOKEN_PREFIX.length + 6), tokenHash: hashToken(token), role: input.role, expiresAt: new Date(Date.now() + input.days * 86_400_000) },
  });
  return { token, row };
}

function lower(a: Role, b: Role): Role {
  return ROLES.indexOf(a) <= ROLES.indexOf(b) ? a : b;
}

export type TokenUser = { id: number; email: string; name: string; role: Role; tokenId: number };

/** Why a request's token is refused, in words safe to return (never whether an account exists). */
export type TokenRefusal = "missing" | "malformed" | "unknown" | "expired" | "revoked";

export async function authenticateToken(db: Client, header: string | null, now = new Date()): Promise<TokenUser | TokenRefusal> {
  if (!header) return "missing";
  const match = /^Bearer\s+(\S+)$/i.exec(header.trim());
  if (!match || !match[1].startsWith(TOKEN_PREFIX) || match[1].length > 200) return "malformed";
  const row = await db.apiToken.findUnique({ where: { tokenHash: hashToken(match[1]) }, include: { user: true } });
  if (!row) return "unknown";
  if (row.revokedAt) return "revoked";
  if (row.expiresAt <= now) return "expired";
  const userRole = isRole(row.user.role) ? row.user.role : "viewer";
  const tokenRole = isRole(row.role) ? row.role : "viewer";
  // last use, at most once a minute per token (not a write per request)
  if (!row.lastUsedAt || now.getTime() - row.lastUsedAt.getTime() > 60_000) {
    await db.apiToken.update({ where: { id: row.id }, data: { lastUsedAt: now } });
  }
  return { id: row.user.id, email: row.user.email, name: row.user.name, role: lower(userRole, tokenRole), tokenId: row.id };
}

/** A sliding one-minute window per token, per process (each node limits its own share). */
export class RateLimiter {
  private readonly hits = new Map<number, number[]>();
  constructor(private readonly perMinute: number) {}

  /** Seconds to wait, or 0 when the request may go on. */
  take(key: number, now = Date.now()): number {
    const recent = (this.hits.get(key) ?? []).filter((t) => now - t < 60_000);
    if (recent.length >= this.perMinute) {
      this.hits.set(key, recent);
      return Math.ceil((60_000 - (now - recent[0])) / 1000);
    }
    recent.push(now);
    this.hits.set(key, recent);
    if (this.hits.size > 10_000) this.hits.clear();
    return 0;
  }
}
