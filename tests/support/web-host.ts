// A real sshd with its own nginx on loopback, and an engine that runs over SSH there: what the engine
// tests that end on a server's real files share (one per test file, on its own ports).
import os from "node:os";
import path from "node:path";
import type { Db } from "../../lib/db-client";
import { Engine } from "../../lib/orchestration/engine";
import { SshExecutor } from "../../lib/orchestration/executors/ssh";
import { runUnitOfWork } from "../../lib/orchestration/dispatcher";
import { orchestrate, type TxDb } from "../../lib/orchestration/unit-of-work";
import { createRegistry } from "../../lib/services/registry";
import { clientKey, startSshHost } from "./ssh-host";
import { startNginx } from "./nginx";

export async function startWebHost(db: Db, { address, sshPort, nginxPort }: { address: string; sshPort: number; nginxPort: number }) {
  const key = clientKey(path.join(os.tmpdir(), "orchestra-test-keys"));
  const ssh = await startSshHost({ address, port: sshPort, clientKeyFile: key });
  const nginx = startNginx({ address, port: nginxPort });
  const executor = SshExecutor.fromKeyFile(key);
  const engine = new Engine({ db, registry: createRegistry(), executor: () => executor });
  return {
    ssh,
    nginx,
    executor,
    engine,
    /** One unit of work, its synchronous runs done. */
    change: async (fn: (tx: TxDb) => Promise<unknown>) => runUnitOfWork(engine, await orchestrate(engine, fn)),
    async stop() {
      await executor.close();
      await nginx.stop();
      await ssh.stop();
    },
  };
}

export type WebHost = Awaited<ReturnType<typeof startWebHost>>;
