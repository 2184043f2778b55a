// Let's Encrypt's test ACME server (Debian's `pebble`) on loopback, with `pebble-challtestsrv` as its
// DNS: every name resolves to the web host's address unless a test points it elsewhere. Pebble's own
// HTTPS listener gets a certificate from a throwaway CA made here; clients trust that CA (and pebble's
// issuing root, fetched from its management port) only inside the test.
import { execFileSync, spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import http from "node:http";
import https from "node:https";
import os from "node:os";
import path from "node:path";

export type Pebble = {
  /** The ACME directory URL. */
  directory: string;
  /** The CA of pebble's own HTTPS listener (for the ACME client: REQUESTS_CA_BUNDLE). */
  listenerCa: string;
  /** A file with the root that signs the certificates pebble issues (for curl --cacert). */
  issuingRoot: string;
  dir: string;
  /** Points a name at another address in the mock DNS (e.g. one where nothing answers). */
  addA(host: string, address: string): Promise<void>;
  stop(): Promise<void>;
};

function httpsGet(url: string, ca: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = https.get(url, { ca, timeout: 5000 }, (res) => {
      let body = "";
      res.setEncoding("utf8");
      res.on("data", (c) => (body += c));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on("error", reject);
  });
}

function httpPost(host: string, port: number, pathname: string, payload: unknown): Promise<number> {
  return new Promise((resolve, reject) => {
    const body = JSON.stringify(payload);
    const req = http.request({ host, port, path: pathname, method: "POST", headers: { "content-type": "application/json", "content-length": Buffer.byteLength(body) }, timeout: 5000 }, (res) => {
      res.resume();
      res.on("end", () => resolve(res.statusCode ?? 0));
    });
    req.on("error", reject);
    req.end(body);
  });
}

function spawnLogged(command: string, args: string[], env: Record<string, string>, log: string): ChildProcess {
  const child = spawn(command, args, { env: { ...process.env, ...env }, stdio: ["ignore", "pipe", "pipe"] });
  const append = (d: Buffer) => writeFileSync(log, d, { flag: "a" });
  child.stdout?.on("data", append);
  child.stderr?.on("data", append);
  return child;
}

async function stopChild(child: ChildProcess) {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((r) => child.once("exit", r));
  child.kill("SIGTERM");
  await exited;
}

/**
 * Starts pebble on `address:port` (management on port + 1) validating HTTP-01 on `httpPort`, and its
 * DNS on `address:dnsPort` (management on dnsPort + 1) answering `defaultAddress` for every A query.
 */
export async function startPebble(options: { address: string; port: number; dnsPort: number; httpPort: number; tlsPort: number; defaultAddress: string }): Promise<Pebble> {
  const dir = mkdtempSync(path.join(os.tmpdir(), "pebble-"));
  const file = (name: string) => path.join(dir, name);
  const openssl = (args: string[]) => execFileSync("openssl", args, { stdio: "pipe" });
  openssl(["req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-keyout", file("ca.key"), "-out", file("ca.pem"), "-days", "2", "-subj", "/CN=Orchestra test CA for pebble"]);
  openssl(["req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-keyout", file("listener.key"), "-out", file("listener.csr"), "-subj", `/CN=${options.address}`]);
  writeFileSync(file("san.ext"), `subjectAltName=IP:${options.address}\n`);
  openssl(["x509", "-req", "-in", file("listener.csr"), "-CA", file("ca.pem"), "-CAkey", file("ca.key"), "-CAcreateserial", "-out", file("listener.pem"), "-days", "2", "-extfile", file("san.ext")]);
  const management = options.port + 1;
  writeFileSync(
    file("pebble.json"),
    JSON.stringify({
      pebble: {
        listenAddress: `${options.address}:${options.port}`,
        managementListenAddress: `${options.address}:${management}`,
        certificate: file("listener.pem"),
        privateKey: file("listener.key"),
        httpPort: options.httpPort,
        tlsPort: options.tlsPort,
        ocspResponderURL: "",
        externalAccountBindingRequired: false,
      },
    }),
  );
  const dns = spawnLogged(
    "pebble-challtestsrv",
    ["-defaultIPv4", options.defaultAddress, "-defaultIPv6", "", "-dns01", `${options.address}:${options.dnsPort}`, "-http01", "", "-https01", "", "-tlsalpn01", "", "-management", `${options.address}:${options.dnsPort + 1}`],
    {},
    file("challtestsrv.log"),
  );
  // no random validation delays, no rejected nonces: fast and deterministic
  const pebble = spawnLogged("pebble", ["-config", file("pebble.json"), "-dnsserver", `${options.address}:${options.dnsPort}`], { PEBBLE_VA_NOSLEEP: "1", PEBBLE_WFE_NONCEREJECT: "0" }, file("pebble.log"));
  const listenerCa = file("ca.pem");
  const ca = readFileSync(listenerCa, "utf8");
  const directory = `https://${options.address}:${options.port}/dir`;
  const deadline = Date.now() + 15_000;
  let root = "";
  for (;;) {
    try {
      if ((await httpsGet(directory, ca)).status === 200) {
        const answer = await httpsGet(`https://${options.address}:${management}/roots/0`, ca);
        if (answer.status === 200) {
          root = answer.body;
          break;
        }
      }
    } catch {
      /* not listening yet */
    }
    if (Date.now() > deadline || pebble.exitCode !== null) {
      await Promise.all([stopChild(pebble), stopChild(dns)]);
      throw new Error(`pebble did not start: ${readFileSync(file("pebble.log"), "utf8")}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  writeFileSync(file("issuing-root.pem"), root);
  return {
    directory,
    listenerCa,
    issuingRoot: file("issuing-root.pem"),
    dir,
    async addA(host, address) {
      const status = await httpPost(options.address, options.dnsPort + 1, "/add-a", { host, addresses: [address] });
      if (status !== 200) throw new Error(`pebble-challtestsrv refused add-a (${status})`);
    },
    async stop() {
      await Promise.all([stopChild(pebble), stopChild(dns)]);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
