// A real PHP-FPM master (Debian's php8.2-fpm) for tests, as in the shared recipe: its own config, pid
// and a pool directory the php-fpm-pools backend writes into; sockets in its own run directory.
import { spawn } from "node:child_process";
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";

export type PhpFpmHost = {
  dir: string;
  poolDir: string;
  socketDir: string;
  webRoot: string;
  /** Server variables pointing the php-fpm-pools backend at this master. */
  variables: Record<string, string>;
  stop(): Promise<void>;
};

export async function startPhpFpm(): Promise<PhpFpmHost> {
  const dir = mkdtempSync(path.join(os.tmpdir(), "php-fpm-"));
  chmodSync(dir, 0o755); // workers run as other users
  const poolDir = path.join(dir, "pool.d");
  const socketDir = path.join(dir, "run");
  const webRoot = path.join(dir, "www");
  for (const d of [poolDir, socketDir, webRoot]) mkdirSync(d, { recursive: true, mode: 0o755 });
  const config = path.join(dir, "php-fpm.conf");
  // one pool of its own: php-fpm refuses to start without any
  writeFileSync(
    config,
    `[global]
pid = ${dir}/php-fpm.pid
error_log = ${dir}/php-fpm.log
daemonize = no
[base]
user = www-data
listen = ${socketDir}/base.sock
pm = ondemand
pm.max_children = 1
include = ${poolDir}/*.conf
`,
  );
  const child = spawn("php-fpm8.2", ["-y", config, "-F"], { stdio: "ignore" });
  const deadline = Date.now() + 10_000;
  for (;;) {
    try {
      readFileSync(path.join(dir, "php-fpm.pid"));
      break;
    } catch {
      if (child.exitCode !== null || Date.now() > deadline) throw new Error(`php-fpm did not start: ${readFileSync(path.join(dir, "php-fpm.log"), "utf8")}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  }
  return {
    dir,
    poolDir,
    socketDir,
    webRoot,
    variables: {
      PHP_FPM_POOL_DIR: poolDir,
      PHP_FPM_SOCKET_DIR: socketDir,
      PHP_FPM_TEST: `php-fpm%v -t -y ${config}`,
      PHP_FPM_RELOAD: `kill -USR2 ${child.pid}`,
    },
    async stop() {
      if (child.exitCode === null) {
        const exited = new Promise((r) => child.once("exit", r));
        child.kill("SIGQUIT");
        await exited;
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
