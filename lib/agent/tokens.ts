// Agent tokens: `oag_` + 32 random bytes (base64url), one per server, stored as a SHA-256 hash like API
// tokens. A token names its server: the agent API never takes a server from the request, so a token
// can read its own server's configuration and nothing else. Making a new one replaces the old.
import { createHash, randomBytes } from "node:crypto";
import type { Db } from "../db-client";

type Client = Pick<Db, "agent">;

export const AGENT_TOKEN_PREFIX = "oag_";

export function hashAgentToken(token: string): string {
  return createHash("sha256").update(token).digest("hex");
}

/** A new token for a server's agent (shown once: the install writes it into the agent's config). */
export async function provisionAgentToken(db: Client, serverId: number): Promise<string> {
  const token = `${AGENT_TOKEN_PREFIX}${randomBytes(32).toString("base64url")}`;
  const data = { prefix: token.slice(0, AGENT_TOKEN_PREFIX.length + 6), tokenHash: hashAgentToken(token) };
  await db.agent.upsert({ where: { serverId }, create: { serverId, ...data }, update: data });
  return token;
}

export type AgentIdentity = { agentId: number; serverId: number; configVersion: number };

/** The agent a request's `Authorization: Bearer oag_…` belongs to, or null (no detail for a stranger). */
export async function authenticateAgent(db: Client, header: string | null): Promise<AgentIdentity | null> {
  const match = /^Bearer\s+(\S+)$/i.exec((header ?? "").trim());
  if (!match || !match[1].startsWith(AGENT_TOKEN_PREFIX) || match[1].length > 200) return null;
  const row = await db.agent.findUnique({ where: { tokenHash: hashAgentToken(match[1]) }, select: { id: true, serverId: true, configVersion: true } });
  return row && { agentId: row.id, serverId: row.serverId, configVersion: row.configVersion };
}
