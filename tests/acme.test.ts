// HTTPS for websites end to end: pebble (Let's Encrypt's test ACME server) as the authority, certbot on a
// real sshd host, the host's real nginx answering the HTTP-01 challenge and then serving HTTPS. Pebble's
// roots are trusted only by this test (curl --cacert, REQUESTS_CA_BUNDLE in the server's ACME_CLIENT).
import { execFile } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import tls from "node:tls";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { renderScript } from "../lib/orchestration/script";
import { scheduleKind } from "../lib/orchestration/schedules/kinds";
import { websiteBackend } from "../lib/services/websites/backend";
import { certificateLines } from "../lib/services/websites/certificates";
import { fetchExpiringCertificates } from "../lib/data/certificates";
import { websites } from "../lib/services/websites";
import { resetDb, testDb } from "./db";
import { fetchSite } from "./support/nginx";
import { startPebble, type Pebble } from "./support/pebble";
import { startWebHost, type WebHost } from "./support/web-host";

const db = testDb();
const ADDRESS = "127.0.8.2";
const HTTP_PORT = 24380;
const TLS_PORT = 24381;
let host: WebHost;
let pebble: Pebble;
let acmeDir: string;
let root: string;

const run = promisify(execFile);

/** GET / over HTTPS with curl, trusting only pebble's issuing root. */
async function curlHttps(hostname: string): Promise<{ status: number; body: string }> {
  const { stdout } = await run("curl", ["-sS", "--max-time", "5", "--cacert", pebble.issuingRoot, "--resolve", `${hostname}:${TLS_PORT}:${ADDRESS}`, "-w", "\n%{http_code}", `https://${hostname}:${TLS_PORT}/`]);
  const at = stdout.lastIndexOf("\n");
  return { status: Number(stdout.slice(at + 1)), body: stdout.slice(0, at) };
}

/** The certificate nginx presents for a name (verified against pebble's root). */
function peerCertificate(hostname: string): Promise<{ serial: string; names: string[]; validTo: Date }> {
  return new Promise((resolve, reject) => {
    const socket = tls.connect({ host: ADDRESS, port: TLS_PORT, servername: hostname, ca: readFileSync(pebble.issuingRoot), timeout: 5000 }, () => {
      const cert = socket.getPeerCertificate();
      socket.end();
      resolve({ serial: cert.serialNumber, names: (cert.subjectaltname ?? "").split(", ").map((n) => n.replace(/^DNS:/, "")).sort(), validTo: new Date(cert.valid_to) });
    });
    socket.on("error", reject);
  });
}

async function httpAnswer(hostname: string): Promise<{ status: number; location?: string }> {
  return new Promise((resolve, reject) => {
    import("node:http").then(({ default: http }) => {
      const req = http.get({ host: ADDRESS, port: HTTP_PORT, path: "/a/page?x=1", headers: { host: hostname }, timeout: 5000 }, (res) => {
        res.resume();
        resolve({ status: res.statusCode ?? 0, location: res.headers.location });
      });
      req.on("error", reject);
    }, reject);
  });
}

async function siteId(name: string) {
  return (await db.website.findUniqueOrThrow({ where: { name } })).id;
}

async function logOf(logId: number) {
  return db.scriptLog.findUniqueOrThrow({ where: { id: logId } });
}

beforeAll(async () => {
  [host, pebble] = await Promise.all([
    startWebHost(db, { address: ADDRESS, sshPort: 24322, nginxPort: HTTP_PORT }),
    startPebble({ address: "127.0.8.1", port: 24340, dnsPort: 24353, httpPort: HTTP_PORT, tlsPort: TLS_PORT, defaultAddress: ADDRESS }),
  ]);
  acmeDir = mkdtempSync(path.join(os.tmpdir(), "acme-client-"));
  root = path.join(acmeDir, "config");
  await resetDb();
  const server = await db.server.create({
    data: {
      name: "web",
      address: host.ssh.address,
      port: host.ssh.port,
      variables: {
        ...host.nginx.variables,
        NGINX_LISTEN_TLS: `${ADDRESS}:${TLS_PORT} ssl`,
        ACME_DIRECTORY: pebble.directory,
        ACME_CLIENT: `env REQUESTS_CA_BUNDLE=${pebble.listenerCa} certbot`,
        ACME_CONFIG_DIR: root,
        ACME_WORK_DIR: path.join(acmeDir, "work"),
        ACME_LOGS_DIR: path.join(acmeDir, "logs"),
        ACME_WEBROOT: path.join(acmeDir, "challenges"),
      },
    },
  });
  await db.route.create({ data: { backend: "nginx-websites", serverId: server.id } });
}, 30_000);

afterAll(async () => {
  await host?.stop();
  await pebble?.stop();
  if (acmeDir) rmSync(acmeDir, { recursive: true, force: true });
});

describe("websites over HTTPS with ACME certificates", () => {
  let firstSerial = "";

  it("a site asks for a certificate: nginx answers the challenge, then serves HTTPS with it", async () => {
    const [report] = await host.change((tx) => tx.website.create({ data: { name: "shop", https: "on", domains: { create: [{ name: "shop.test" }, { name: "www.shop.test" }] } } }));
    const log = await logOf(report.logId);
    expect(report.state, log.stderr).toBe("SUCCESS");
    await expect.poll(() => curlHttps("www.shop.test").catch(() => ({ status: 0, body: "" })), { timeout: 10_000 }).toMatchObject({ status: 200 });
    expect((await curlHttps("shop.test")).body).toContain("<h1>shop</h1>");
    const cert = await peerCertificate("shop.test");
    expect(cert.names).toEqual(["shop.test", "www.shop.test"]);
    firstSerial = cert.serial;
    // HTTP keeps serving the site (mode "on")
    expect((await fetchSite(host.nginx, "shop.test")).body).toContain("<h1>shop</h1>");
    // Orchestra knows the certificate and its expiry, from the run's report
    const row = await db.certificate.findFirstOrThrow({ where: { websiteId: await siteId("shop") } });
    expect(row.domains).toEqual(["shop.test", "www.shop.test"]);
    expect(Math.abs(row.notAfter!.getTime() - cert.validTo.getTime())).toBeLessThan(2000);
    expect(row.lastError).toBe("");
    // the admin's "expiring within 30 days" list: not yet, but 30 days before its end it is
    expect(await fetchExpiringCertificates(db, 30)).toEqual([]);
    const soon = await fetchExpiringCertificates(db, 30, new Date(cert.validTo.getTime() - 29 * 86_400_000));
    expect(soon.map((c) => [c.website.name, c.server.name, c.domains])).toEqual([["shop", "web", ["shop.test", "www.shop.test"]]]);
  }, 40_000);

  it("an HTTPS configuration nginx rejects is rolled back; redirects HTTP to HTTPS when asked, without asking for another certificate", async () => {
    const id = await siteId("shop");
    const server = await db.server.findFirstOrThrow();
    const variables = server.variables as Record<string, string>;
    const file = path.join(host.nginx.sitesDir, "orchestra-shop.conf");
    const running = readFileSync(file, "utf8");
    await db.server.update({ where: { id: server.id }, data: { variables: { ...variables, NGINX_LISTEN_TLS: `${ADDRESS}:99999 ssl` } } });
    const [rejected] = await host.change((tx) => tx.website.update({ where: { id }, data: { https: "redirect" } }));
    expect(rejected.state).toBe("FAILURE");
    expect((await logOf(rejected.logId)).stderr).toMatch(/invalid port[\s\S]*previous files were restored/);
    expect(readFileSync(file, "utf8")).toBe(running);
    expect((await peerCertificate("shop.test")).serial).toBe(firstSerial);
    await db.server.update({ where: { id: server.id }, data: { variables } });

    const [report] = await host.change((tx) => tx.website.update({ where: { id }, data: { https: "redirect" } }));
    expect(report.state).toBe("SUCCESS");
    expect((await logOf(report.logId)).stdout).not.toMatch(/Requesting a certificate/);
    await expect.poll(() => httpAnswer("shop.test").catch(() => ({ status: 0 })), { timeout: 10_000 }).toEqual({ status: 301, location: `https://shop.test:${TLS_PORT}/a/page?x=1` });
    expect((await curlHttps("shop.test")).status).toBe(200);
    expect((await peerCertificate("shop.test")).serial).toBe(firstSerial);
  }, 20_000);

  it("the renew-certificates schedule renews what expires soon: a new certificate, no request refused meanwhile", async () => {
    const kind = scheduleKind("renew-certificates");
    const none = await kind.run(host.engine, kind.params.parse({ withinDays: 30 }), { scheduleName: "renewals" });
    expect(none).toMatchObject({ ok: true, message: expect.stringMatching(/No certificate expires within 30 days/) });

    let requests = 0;
    const failures: string[] = [];
    let probing = true;
    const probe = (async () => {
      while (probing) {
        requests++;
        await curlHttps("shop.test").then(
          (r) => r.status !== 200 && failures.push(`status ${r.status}`),
          (e: Error) => failures.push(e.message),
        );
        await new Promise((r) => setTimeout(r, 50));
      }
    })();
    // pebble's certificates last five years: "within 3650 days" makes this one due
    const result = await kind.run(host.engine, kind.params.parse({ withinDays: 3650 }), { scheduleName: "renewals" });
    await expect.poll(() => peerCertificate("shop.test").then((c) => c.serial), { timeout: 10_000 }).not.toBe(firstSerial);
    probing = false;
    await probe;
    expect(result.ok, result.message).toBe(true);
    expect(failures).toEqual([]);
    expect(requests).toBeGreaterThan(5);
    const row = await db.certificate.findFirstOrThrow({ where: { websiteId: await siteId("shop") } });
    expect(Math.abs(row.notAfter!.getTime() - (await peerCertificate("shop.test")).validTo.getTime())).toBeLessThan(2000);
  }, 40_000);

  it("a domain that cannot be validated fails with the client's message and leaves HTTPS as it was; a failed renewal notifies", async () => {
    await pebble.addA("nowhere.test", "127.0.8.19"); // nothing listens there
    const before = await peerCertificate("shop.test");
    const id = await siteId("shop");
    const [report] = await host.change((tx) => tx.websiteDomain.create({ data: { websiteId: id, name: "nowhere.test" } }));
    expect(report.state).toBe("FAILURE");
    const log = await logOf(report.logId);
    expect(log.stderr).toMatch(/Certbot failed to authenticate some domains/);
    expect(log.stderr).toMatch(/nowhere\.test/);
    expect(log.stderr).toMatch(/no certificate was obtained/);
    // the running HTTPS configuration still serves the same certificate
    expect((await curlHttps("shop.test")).status).toBe(200);
    expect((await peerCertificate("shop.test")).serial).toBe(before.serial);
    expect(readdirSync(host.nginx.sitesDir).sort()).toEqual(["orchestra-shop.conf"]);
    const row = await db.certificate.findFirstOrThrow({ where: { websiteId: id } });
    expect(row.lastError).toMatch(new RegExp(`#${report.logId}`));
    expect(row.domains).toEqual(["shop.test", "www.shop.test"]);

    // the schedule retries a certificate whose last request failed, and tells admins it failed again
    const kind = scheduleKind("renew-certificates");
    const result = await kind.run(host.engine, kind.params.parse({}), { scheduleName: "renewals" });
    expect(result.ok).toBe(false);
    const notification = await db.notification.findFirstOrThrow({ where: { event: "certificate-renewal" } });
    expect(notification.title).toMatch(/Certificate renewal failed on web for shop/);
  }, 40_000);

  it("removing HTTPS removes the HTTPS block and the certificate; private keys never reach a log", async () => {
    const id = await siteId("shop");
    const key = readFileSync(path.join(root, "live", "orchestra-shop", "privkey.pem"), "utf8");
    await db.websiteDomain.deleteMany({ where: { name: "nowhere.test" } });
    const [report] = await host.change((tx) => tx.website.update({ where: { id }, data: { https: "off" } }));
    expect(report.state, (await logOf(report.logId)).stderr).toBe("SUCCESS");
    expect(existsSync(path.join(root, "live", "orchestra-shop"))).toBe(false);
    expect(existsSync(path.join(root, "renewal", "orchestra-shop.conf"))).toBe(false);
    expect(readFileSync(path.join(host.nginx.sitesDir, "orchestra-shop.conf"), "utf8")).not.toMatch(/ssl/);
    await expect.poll(() => curlHttps("shop.test").then(() => "answered", () => "refused"), { timeout: 10_000 }).toBe("refused");
    await expect.poll(() => fetchSite(host.nginx, "shop.test").then((r) => r.status, () => 0), { timeout: 10_000 }).toBe(200);
    expect(await db.certificate.count({ where: { websiteId: id } })).toBe(0);

    const body = key.split("\n").filter((l) => l && !l.startsWith("-----"))[0];
    for (const log of await db.scriptLog.findMany()) {
      for (const text of [log.script, log.stdout, log.stderr]) {
        expect(text).not.toMatch(/PRIVATE KEY/);
        expect(text).not.toContain(body);
      }
    }
  }, 30_000);

  it("deleting a site with HTTPS removes its certificate; a site with HTTPS off renders no ACME step and cannot be encrypted", () => {
    const site = { id: 1, name: "gone", documentRoot: "", enabled: true, https: "on", httpsDomains: [], description: "", domains: [{ name: "gone.test" }] };
    const server = { id: 1, name: "web", address: ADDRESS, port: 22, sshUser: "root", hostKeyFingerprint: null, os: "linux", variables: {} } as never;
    const deleted = renderScript(websiteBackend, server, [{ backend: "nginx-websites", action: "delete", model: "Website", objectId: "1", objectLabel: "gone", before: site as never, after: null }]).text;
    expect(deleted).toMatch(/^remove_certificate gone$/m);
    // a rename: the old name's certificate goes, the new name gets its own
    const renamed = renderScript(websiteBackend, server, [{ backend: "nginx-websites", action: "save", model: "Website", objectId: "1", objectLabel: "kept", before: site as never, after: { ...site, name: "kept" } as never }]).text;
    expect(renamed).toMatch(/^remove_certificate gone$/m);
    expect(renamed).toMatch(/^covers \/etc\/letsencrypt\/live\/orchestra-kept gone\.test \|\| wanted\[kept\]=1$/m);
    const plain = renderScript(websiteBackend, server, [{ backend: "nginx-websites", action: "save", model: "Website", objectId: "1", objectLabel: "gone", before: null, after: { ...site, https: "off" } as never }]).text;
    expect(plain).not.toMatch(/certbot|acme/i);
    // the encrypt command of a site without HTTPS fails and says why, before anything runs
    const encrypt = renderScript(websiteBackend, server, [{ backend: "nginx-websites", action: "encrypt", model: "Website", objectId: "1", objectLabel: "gone", before: { ...site, https: "off" } as never, after: { ...site, https: "off" } as never }]).text;
    expect(encrypt).toMatch(/^echo 'website gone: HTTPS is off, .*' >&2; exit 1$/m);
  });

  it("refuses ACME settings that cannot enter nginx's configuration or certbot's arguments; reads only well-formed report lines", () => {
    const site = { id: 1, name: "shop", documentRoot: "", enabled: true, https: "on", httpsDomains: [], description: "", domains: [{ name: "shop.test" }] };
    const op = [{ backend: "nginx-websites", action: "save", model: "Website", objectId: "1", objectLabel: "shop", before: null, after: site as never }];
    const server = (variables: Record<string, string>) => ({ id: 1, name: "web", address: ADDRESS, port: 22, sshUser: "root", hostKeyFingerprint: null, os: "linux", variables }) as never;
    expect(() => renderScript(websiteBackend, server({ ACME_WEBROOT: "/var/www/acme; include /etc/shadow" }), op)).toThrow(/ACME_WEBROOT/);
    expect(() => renderScript(websiteBackend, server({ ACME_CONFIG_DIR: "/etc/../root" }), op)).toThrow(/ACME_CONFIG_DIR/);
    expect(() => renderScript(websiteBackend, server({ NGINX_LISTEN_TLS: "443" }), op)).toThrow(/NGINX_LISTEN_TLS/);
    expect(() => renderScript(websiteBackend, server({ NGINX_LISTEN_TLS: "443 ssl; return 200" }), op)).toThrow(/NGINX_LISTEN_TLS/);
    // the directory and the e-mail are certbot arguments: quoted words, whatever they hold
    const text = renderScript(websiteBackend, server({ ACME_DIRECTORY: "https://x/$(reboot)", ACME_EMAIL: "a'b@x.test" }), op).text;
    expect(text).toContain(`--server 'https://x/$(reboot)'`);
    expect(text).toContain(`--email 'a'\\''b@x.test'`);
    // the form: certificate domains must be the site's own, wildcards need a DNS challenge
    const form = (fields: Record<string, string>) => websites.createSchema.safeParse({ name: "shop", domains: "shop.test www.shop.test", ...fields });
    expect(form({ https: "redirect", httpsDomains: "www.shop.test" }).success).toBe(true);
    expect(form({ https: "on", httpsDomains: "other.test" }).error?.issues[0]).toMatchObject({ path: ["httpsDomains"], message: "Not a domain of this site: other.test." });
    expect(form({ https: "sometimes" }).error?.issues[0]).toMatchObject({ path: ["https"] });
    expect(form({ domains: "*.shop.test", https: "on" }).error?.issues[0]).toMatchObject({ path: ["httpsDomains"], message: expect.stringMatching(/wildcard/) });
    expect(certificateLines("orchestra-certificate site=a state=valid notAfter=2031-01-01T00:00:00Z domains=a.test,b.test\norchestra-certificate site=../x state=valid\n  orchestra-certificate site=b state=absent\norchestra-certificate site=c state=valid notAfter=soon domains=x")).toEqual([
      { site: "a", state: "valid", notAfter: new Date("2031-01-01T00:00:00Z"), domains: ["a.test", "b.test"] },
      { site: "b", state: "absent", notAfter: null, domains: [] },
    ]);
  });
});
