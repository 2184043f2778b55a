// "Test connection": runs `true` on a server over SSH and reports the latency or the exact failure.
// The first successful connection pins the host key, as any run would.
import type { Engine } from "./engine";
import { serverInfo } from "./types";

export type ConnectionReport = { ok: boolean; ms: number; message: string; fingerprint: string | null };

export async function testConnection(engine: Engine, serverId: number): Promise<ConnectionReport> {
  const row = await engine.db.server.findUniqueOrThrow({ where: { id: serverId } });
  const server = serverInfo(row);
  let stderr = "";
  const started = performance.now();
  const result = await engine.executor.run(server, "true\n", {
    timeoutMs: 15_000,
    onOutput: (stream, chunk) => {
      if (stream === "stderr") stderr += chunk;
    },
  });
  const ms = Math.round(performance.now() - started);
  let fingerprint = row.hostKeyFingerprint;
  if (result.pinnedFingerprint) {
    await engine.db.server.updateMany({ where: { id: serverId, hostKeyFingerprint: null }, data: { hostKeyFingerprint: result.pinnedFingerprint } });
    fingerprint = result.pinnedFingerprint;
  }
  if (result.state === "SUCCESS") {
    return { ok: true, ms, fingerprint, message: `Connected to ${server.sshUser}@${server.address}:${server.port} in ${ms} ms${result.pinnedFingerprint ? `; host key pinned: ${result.pinnedFingerprint}` : ""}.` };
  }
  return { ok: false, ms, fingerprint, message: result.error ?? (stderr.trim() || `exit code ${result.exitCode}`) };
}
