// Removes what a spec made, so specs do not see each other's servers, routes and objects.
import { e2eDb } from "./db";

export async function removeServer(name: string, usernamePrefix?: string) {
  const db = e2eDb();
  const server = await db.server.findUnique({ where: { name } });
  if (server) {
    const ops = await db.operation.findMany({ where: { serverId: server.id }, select: { id: true } });
    await db.scriptLogOperation.deleteMany({ where: { operationId: { in: ops.map((o) => o.id) } } });
    await db.scriptLog.deleteMany({ where: { serverId: server.id } });
    await db.operation.deleteMany({ where: { serverId: server.id } });
    await db.server.delete({ where: { id: server.id } });
  }
  if (usernamePrefix) await db.systemUser.deleteMany({ where: { username: { startsWith: usernamePrefix } } });
}
