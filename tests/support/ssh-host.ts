// Real sshd processes on loopback addresses (127.0.0.2, 127.0.0.3…) playing servers in tests. Each has
// its own host key, config, authorized key and temp dir; the system sshd and port 22 are never touched.
import { execFileSync, spawn, type ChildProcess } from "node:child_process";
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { fingerprint } from "../../lib/orchestration/executors/ssh";

export type SshHost = {
  address: string;
  port: number;
  dir: string;
  /** "SHA256:…" of the host key, as the engine pins it. */
  fingerprint: string;
  /** A root for the shadow tools (etc/passwd, etc/group…) that the system-users backend may use. */
  sandbox: string;
  stop(): Promise<void>;
};

/** A client key pair for a test run (OpenSSH ed25519). */
export function clientKey(dir: string): string {
  mkdirSync(dir, { recursive: true });
  const key = path.join(dir, "id_ed25519");
  if (!existsSync(key)) execFileSync("ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-C", "orchestra-test", "-f", key]);
  return key;
}

function hostKeyFingerprint(publicKeyFile: string): string {
  const [, base64] = readFileSync(publicKeyFile, "utf8").trim().split(/\s+/);
  return fingerprint(Buffer.from(base64, "base64"));
}

async function waitForPort(address: string, port: number, timeoutMs: number, child: ChildProcess) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`sshd exited with ${child.exitCode}`);
    const open = await new Promise<boolean>((resolve) => {
      const socket = net.connect({ host: address, port }, () => {
        socket.end();
        resolve(true);
      });
      socket.on("error", () => resolve(false));
    });
    if (open) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`sshd on ${address}:${port} did not start`);
}

export async function startSshHost(options: { address: string; port: number; clientKeyFile: string; root?: string }): Promise<SshHost> {
  const dir = mkdtempSync(path.join(options.root ?? os.tmpdir(), `sshd-${options.address}-`));
  mkdirSync("/run/sshd", { recursive: true });
  const hostKey = path.join(dir, "host_ed25519");
  execFileSync("ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-f", hostKey]);
  writeFileSync(path.join(dir, "authorized_keys"), readFileSync(`${options.clientKeyFile}.pub`));
  const sandbox = path.join(dir, "sandbox");
  mkdirSync(path.join(sandbox, "etc"), { recursive: true });
  mkdirSync(path.join(sandbox, "home"), { recursive: true });
  for (const file of ["passwd", "group", "shadow", "gshadow"]) cpSync(`/etc/${file}`, path.join(sandbox, "etc", file));
  const config = path.join(dir, "sshd_config");
  writeFileSync(
    config,
    [
      `ListenAddress ${options.address}:${options.port}`,
      `HostKey ${hostKey}`,
      `PidFile ${dir}/sshd.pid`,
      `AuthorizedKeysFile ${dir}/authorized_keys`,
      "PermitRootLogin prohibit-password",
      "PasswordAuthentication no",
      "KbdInteractiveAuthentication no",
      "UsePAM no",
      "StrictModes no",
      "MaxSessions 100",
      // A login shell started by sshd reads ~/.bashrc (Debian's bash does, for ssh sessions at shell
      // level 1); this machine's may be slow (pyenv init: ~0.5 s of CPU per exec). The hosts stand in
      // for servers, not for this machine's root account: start sessions one level deeper.
      "SetEnv SHLVL=1",
      "MaxStartups 100:30:200",
      "LogLevel ERROR",
      "",
    ].join("\n"),
  );
  const child = spawn("/usr/sbin/sshd", ["-D", "-e", "-f", config], { stdio: ["ignore", "ignore", "pipe"] });
  let stderr = "";
  child.stderr?.on("data", (d) => (stderr += d));
  try {
    await waitForPort(options.address, options.port, 10_000, child);
  } catch (error) {
    child.kill("SIGKILL");
    throw new Error(`${(error as Error).message}: ${stderr}`);
  }
  return {
    address: options.address,
    port: options.port,
    dir,
    sandbox,
    fingerprint: hostKeyFingerprint(`${hostKey}.pub`),
    async stop() {
      if (child.exitCode === null) {
        const exited = new Promise((r) => child.once("exit", r));
        child.kill("SIGTERM");
        await exited;
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** A loopback port nobody listens on (for "unreachable" tests). */
export async function closedPort(address = "127.0.0.1"): Promise<number> {
  return new Promise((resolve) => {
    const server = net.createServer();
    server.listen(0, address, () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}
