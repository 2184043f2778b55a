// Real BIND 9 (Debian's named) on a loopback address for tests: its own config, key, pid, log, and the
// include files and zone directories the bind9-primary / bind9-secondary backends write. named only
// listens on addresses it finds on an interface, so the address is added to lo (and removed on stop).
import { execFile, execFileSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";

export type BindServer = {
  address: string;
  port: number;
  rndcPort: number;
  dir: string;
  conf: string;
  /** Server variables pointing both BIND backends at this named (not BIND_PEER_ADDRESS). */
  variables: Record<string, string>;
  /** Files the backends wrote: include files and zone directories. */
  files(): Record<string, string>;
  /** Empties the include files and zone directories and reloads the configuration. */
  reset(): Promise<void>;
  stop(): Promise<void>;
};

function onLoopback(address: string): boolean {
  return execFileSync("ip", ["-4", "addr", "show", "dev", "lo"], { encoding: "utf8" }).includes(` ${address}/`);
}

async function waitForPort(address: string, port: number, timeoutMs: number) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
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
  throw new Error(`named on ${address}:${port} did not start`);
}

export async function startBind(options: { address: string; port?: number; rndcPort?: number; root?: string }): Promise<BindServer> {
  const { address, port = 24401, rndcPort = 24453 } = options;
  const dir = mkdtempSync(path.join(options.root ?? os.tmpdir(), `named-${address}-`));
  const added = !onLoopback(address);
  if (added) execFileSync("ip", ["addr", "add", `${address}/32`, "dev", "lo"]);
  const key = path.join(dir, "rndc.key");
  writeFileSync(key, execFileSync("tsig-keygen", ["-a", "hmac-sha256", "rndc-key"]));
  const include = { primary: path.join(dir, "primary.conf"), secondary: path.join(dir, "secondary.conf") };
  const zones = { primary: path.join(dir, "primary"), secondary: path.join(dir, "secondary") };
  const emptyIncludes = () => Object.values(include).forEach((f) => writeFileSync(f, ""));
  emptyIncludes();
  const conf = path.join(dir, "named.conf");
  writeFileSync(
    conf,
    `include "${key}";
controls { inet ${address} port ${rndcPort} allow { 127.0.0.0/8; } keys { "rndc-key"; }; };
options {
  directory "${dir}";
  pid-file "${dir}/named.pid";
  session-keyfile "${dir}/session.key";
  managed-keys-directory "${dir}";
  listen-on port ${port} { ${address}; };
  listen-on-v6 { none; };
  recursion no;
  dnssec-validation no;
  allow-transfer { none; };
  notify-delay 0;
  notify-source ${address};
  transfer-source ${address};
};
logging { channel f { file "${dir}/named.log"; severity info; print-time yes; }; category default { f; }; };
include "${include.primary}";
include "${include.secondary}";
`,
  );
  const pidFile = path.join(dir, "named.pid");
  try {
    execFileSync("/usr/sbin/named", ["-c", conf, "-u", "root"], { stdio: "pipe" });
    await waitForPort(address, port, 10_000);
  } catch (error) {
    if (added) execFileSync("ip", ["addr", "del", `${address}/32`, "dev", "lo"]);
    throw new Error(`${(error as Error).message}\n${existsSync(`${dir}/named.log`) ? readFileSync(`${dir}/named.log`, "utf8") : ""}`);
  }
  const rndc = ["/usr/sbin/rndc", "-k", key, "-s", address, "-p", String(rndcPort)];
  return {
    address,
    port,
    rndcPort,
    dir,
    conf,
    variables: {
      BIND_PRIMARY_DIR: zones.primary,
      BIND_PRIMARY_INCLUDE: include.primary,
      BIND_SECONDARY_DIR: zones.secondary,
      BIND_SECONDARY_INCLUDE: include.secondary,
      BIND_RNDC: rndc.join(" "),
      BIND_CHECKCONF: `/usr/bin/named-checkconf ${conf}`,
      BIND_CHECKZONE: "/usr/bin/named-checkzone",
      // only the secondaries the routes give (the test zones' NS names are nobody's)
      BIND_NOTIFY: "explicit",
      BIND_USER: "root",
      BIND_PEER_PORT: String(port),
    },
    files() {
      const out: Record<string, string> = {};
      for (const f of Object.values(include)) out[path.basename(f)] = readFileSync(f, "utf8");
      for (const d of Object.values(zones)) if (existsSync(d)) for (const f of readdirSync(d)) out[`${path.basename(d)}/${f}`] = readFileSync(path.join(d, f), "latin1");
      return out;
    },
    async reset() {
      emptyIncludes();
      Object.values(zones).forEach((d) => rmSync(d, { recursive: true, force: true }));
      await new Promise<void>((resolve, reject) => execFile(rndc[0], [...rndc.slice(1), "reconfig"], (e) => (e ? reject(e) : resolve())));
    },
    async stop() {
      const pid = existsSync(pidFile) ? Number(readFileSync(pidFile, "utf8").trim()) : 0;
      if (pid > 0) {
        try {
          process.kill(pid, "SIGTERM");
          for (let i = 0; i < 100; i++) {
            process.kill(pid, 0);
            await new Promise((r) => setTimeout(r, 50));
          }
        } catch {
          /* gone */
        }
      }
      if (added) execFileSync("ip", ["addr", "del", `${address}/32`, "dev", "lo"]);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export type DigAnswer = { status: string; answers: string[] };

/** Asks a named directly (no recursion): the status and the answer section's rdata. */
export function dig(server: { address: string; port: number }, name: string, type = "A"): Promise<DigAnswer> {
  return new Promise((resolve, reject) => {
    execFile("/usr/bin/dig", ["+time=2", "+tries=1", "+norecurse", "+noall", "+comments", "+answer", "-p", String(server.port), `@${server.address}`, name, type], (error, stdout) => {
      if (error && !stdout) return reject(error);
      const status = /status: ([A-Z]+)/.exec(stdout)?.[1] ?? "NO ANSWER";
      const answers = stdout
        .split("\n")
        .filter((l) => l && !l.startsWith(";"))
        .map((l) => l.split(/\s+/).slice(4).join(" "))
        .filter(Boolean);
      resolve({ status, answers });
    });
  });
}

/** The serial a named serves for a zone (0 when it does not). */
export async function servedSerial(server: { address: string; port: number }, zone: string): Promise<number> {
  const { status, answers } = await dig(server, zone, "SOA");
  return status === "NOERROR" && answers[0] ? Number(answers[0].split(" ")[2]) : 0;
}
