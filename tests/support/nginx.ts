// A real nginx (Debian's package) on a loopback address for tests: its own config, pid, logs and a
// sites directory that the nginx-websites backend writes into.
import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import http from "node:http";
import os from "node:os";
import path from "node:path";

export type NginxHost = {
  address: string;
  port: number;
  dir: string;
  sitesDir: string;
  webRoot: string;
  config: string;
  /** Server variables pointing the websites backend at this nginx. */
  variables: Record<string, string>;
  stop(): Promise<void>;
};

export function startNginx(options: { address: string; port: number; root?: string }): NginxHost {
  const dir = mkdtempSync(path.join(options.root ?? os.tmpdir(), `nginx-${options.address}-`));
  const sitesDir = path.join(dir, "sites");
  const webRoot = path.join(dir, "www");
  for (const d of [sitesDir, webRoot, path.join(dir, "tmp")]) mkdirSync(d, { recursive: true });
  const config = path.join(dir, "nginx.conf");
  const tmp = path.join(dir, "tmp");
  writeFileSync(
    config,
    `user root;
worker_processes 1;
daemon on;
pid ${dir}/nginx.pid;
error_log ${dir}/error.log warn;
events { worker_connections 64; }
http {
  access_log off;
  client_body_temp_path ${tmp}/body;
  proxy_temp_path ${tmp}/proxy;
  fastcgi_temp_path ${tmp}/fastcgi;
  uwsgi_temp_path ${tmp}/uwsgi;
  scgi_temp_path ${tmp}/scgi;
  include ${sitesDir}/*.conf;
  server { listen ${options.address}:${options.port} default_server; return 404; }
}
`,
  );
  execFileSync("/usr/sbin/nginx", ["-c", config, "-e", `${dir}/error.log`], { stdio: "pipe" });
  return {
    address: options.address,
    port: options.port,
    dir,
    sitesDir,
    webRoot,
    config,
    variables: {
      NGINX_SITES_DIR: sitesDir,
      NGINX_LISTEN: `${options.address}:${options.port}`,
      NGINX_TEST: `/usr/sbin/nginx -t -q -c ${config} -e ${dir}/error.log`,
      NGINX_RELOAD: `/usr/sbin/nginx -s reload -c ${config} -e ${dir}/error.log`,
      WEBSITES_ROOT: webRoot,
    },
    async stop() {
      try {
        execFileSync("/usr/sbin/nginx", ["-s", "stop", "-c", config, "-e", `${dir}/error.log`], { stdio: "pipe" });
      } catch {
        /* already stopped */
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** GET / from nginx for a host name: the status and body. */
export function fetchSite(nginx: { address: string; port: number }, hostname: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = http.get({ host: nginx.address, port: nginx.port, path: "/", headers: { host: hostname }, timeout: 5000 }, (res) => {
      let body = "";
      res.setEncoding("utf8");
      res.on("data", (c) => (body += c));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on("error", reject);
  });
}

/** The status nginx answers for a host name, or 0 when the connection drops (as during a reload). */
export async function statusOf(nginx: { address: string; port: number }, hostname: string): Promise<number> {
  try {
    return (await fetchSite(nginx, hostname)).status;
  } catch {
    return 0;
  }
}
