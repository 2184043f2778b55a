// Websites on nginx: one server block per site in the sites directory, written only when it changed,
// checked with `nginx -t` and reloaded once per script (commit). A disabled site, a site without
// domains and a deleted site have no file. Variables are declared below (commands are split into words
// and each word quoted, so a variable cannot smuggle shell syntax). Command: reload.
// A new document root gets a placeholder index.html (never overwritten), so a site answers at once.
// A web app mounted at a path is served from its directory (WEB_APPS_ROOT/<app>), its PHP requests
// passed to the app's PHP-FPM socket (the php-fpm-pools backend's PHP_FPM_SOCKET_DIR, on this server).
// HTTPS (./https.ts): a site with HTTPS on gets a certificate from the server's ACME directory after the
// HTTP configuration is live, then its HTTPS block, tested and reloaded again; removing HTTPS or the
// site removes its certificate. Command: encrypt (obtain or renew now).
import { createHash } from "node:crypto";
import type { PendingOperation } from "@/lib/orchestration/types";
import type { ScriptContext, VariableSpec } from "@/lib/orchestration/backend";
import { raw, sh } from "@/lib/orchestration/shell";
import { CHECK_MARKER } from "@/lib/orchestration/script";
import { defineBackend } from "../kit";
import { socketOf } from "../web-apps/backend";
import { APP_NAME } from "../web-apps/schema";
import { MOUNT_PATH, websiteSnapshot, type WebsiteSnapshot } from "./schema";
import { recordCertificates } from "./certificates";
import { ACME_VARIABLES, certificateDomains, httpsBlocks, httpsPaths, involvesHttps, prepareHttps, sitesOf, wantsHttps } from "./https";

export type { WebsiteSnapshot };

export const NGINX_VARIABLES: Record<string, VariableSpec> = {
  NGINX_SITES_DIR: { default: "/etc/nginx/sites-enabled", description: "Where the sites' server blocks are written (orchestra-<name>.conf)." },
  NGINX_LISTEN: { default: "80", description: "The listen parameters of every site (a port, address:port, flags)." },
  NGINX_TEST: { default: "nginx -t", description: "Checks the configuration before a reload; a rejected change is rolled back.", command: true },
  NGINX_RELOAD: { default: "nginx -s reload", description: "Reloads nginx once per script when something changed.", command: true },
  WEBSITES_ROOT: { default: "/srv/www", description: "Document root of a site without one: WEBSITES_ROOT/<name>." },
  WEB_APPS_ROOT: { default: "/srv/webapps", description: "Where mounted web apps' files are: WEB_APPS_ROOT/<app>." },
  PHP_FPM_SOCKET_DIR: { default: "/run/php", description: "Where web apps' PHP-FPM pools listen (as for php-fpm-pools; %v is the PHP version)." },
  NGINX_FASTCGI_PARAMS: { default: "/etc/nginx/fastcgi_params", description: "The FastCGI parameters file included for mounted web apps." },
  ...ACME_VARIABLES,
  NGINX_ACCESS_LOG_DIR: { default: "", description: "Each site logs its requests to DIR/orchestra-<name>.access.log (the traffic monitor reads it); empty: nginx's default log, no traffic measured." },
};

/** A mounted web app as nginx serves it: the path, the app's files and the socket of its pool. */
export type MountedApp = { path: string; app: string; dir: string; socket: string };

/** The mounts of a site with their directories and sockets from this server's variables. */
export function mountsOf(ctx: Pick<ScriptContext, "variable">, site: WebsiteSnapshot): MountedApp[] {
  const appsRoot = ctx.variable("WEB_APPS_ROOT").replace(/\/+$/, "");
  return (site.mounts ?? []).map((m) => ({
    path: m.path,
    app: m.webApp?.name,
    dir: `${appsRoot}/${m.webApp?.name}`,
    socket: socketOf(ctx, { name: m.webApp?.name, phpVersion: m.webApp?.phpVersion }),
  }));
}

/** A site's own access log (NGINX_ACCESS_LOG_DIR), or "" when the server sets none. */
export function accessLogOf(ctx: Pick<ScriptContext, "variable">, name: string): string {
  const dir = ctx.variable("NGINX_ACCESS_LOG_DIR").replace(/\/+$/, "");
  return dir ? `${dir}/orchestra-${name}.access.log` : "";
}

export function documentRootOf(site: Pick<WebsiteSnapshot, "documentRoot" | "name">, root = "/srv/www"): string {
  return site.documentRoot || `${root.replace(/\/+$/, "")}/${site.name}`;
}

function siteFile(ctx: ScriptContext, name: string): string {
  return `${ctx.variable("NGINX_SITES_DIR").replace(/\/+$/, "")}/orchestra-${name}.conf`;
}

/** A site name: it becomes a file name, so nothing but these characters (no `/`, no `..`). */
export const SITE_NAME = /^[a-z0-9][a-z0-9_-]{0,62}$/;
/** An nginx server_name token: a hostname, optionally `*.` in front; nothing nginx would parse. */
export const SERVER_NAME = /^(?=.{1,253}$)(\*\.)?([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*$/;
/** A document root: absolute, plain characters only (no whitespace, ; { } " ' $ \ or control characters). */
export const ROOT_PATH = /^\/[A-Za-z0-9_.@+/-]*$/;
/** `listen` parameters: a port or address:port and flags such as `ssl` (a per-server variable). */
const LISTEN = /^[A-Za-z0-9_.:[\] -]{1,100}$/;

/** Throwing here makes the run ERROR before anything is executed. */
function refuse(site: unknown, what: string, value: unknown): never {
  throw new Error(`refusing to render website ${JSON.stringify(String(site))}: ${what} ${JSON.stringify(value)} cannot go into an nginx configuration.`);
}

/**
 * Checks every value that enters the configuration language, whatever wrote the row: the form
 * validates too, but a backend renders what is in the database.
 */
export function assertRenderable(site: Pick<WebsiteSnapshot, "name" | "domains">, listen: string, root: string, mounts: MountedApp[] = [], fastcgiParams = "/etc/nginx/fastcgi_params", accessLog = ""): void {
  if (typeof site.name !== "string" || !SITE_NAME.test(site.name)) refuse(site.name, "the site name", site.name);
  if (!Array.isArray(site.domains)) refuse(site.name, "the domain list", site.domains);
  for (const d of site.domains) if (typeof d?.name !== "string" || !SERVER_NAME.test(d.name)) refuse(site.name, "the domain", d?.name);
  if (!ROOT_PATH.test(root) || root.split("/").includes("..")) refuse(site.name, "the document root", root);
  if (!LISTEN.test(listen)) refuse(site.name, "the listen setting (NGINX_LISTEN)", listen);
  if (!Array.isArray(mounts)) refuse(site.name, "the mounts", mounts);
  for (const m of mounts) {
    if (typeof m.path !== "string" || !MOUNT_PATH.test(m.path)) refuse(site.name, "the mount path", m.path);
    if (typeof m.app !== "string" || !APP_NAME.test(m.app)) refuse(site.name, "the web app", m.app);
    for (const [what, value] of [["the web app directory (WEB_APPS_ROOT)", m.dir], ["the web app socket", m.socket]] as const) {
      if (!ROOT_PATH.test(value) || value.split("/").includes("..")) refuse(site.name, what, value);
    }
  }
  if (new Set(mounts.map((m) => m.path)).size !== mounts.length) refuse(site.name, "the mounts (a path twice)", mounts.map((m) => m.path));
  if (!ROOT_PATH.test(fastcgiParams) || fastcgiParams.split("/").includes("..")) refuse(site.name, "NGINX_FASTCGI_PARAMS", fastcgiParams);
  if (accessLog && (!ROOT_PATH.test(accessLog) || accessLog.split("/").includes(".."))) refuse(site.name, "the access log (NGINX_ACCESS_LOG_DIR)", accessLog);
}

/** The location of a mounted web app: its files, and its PHP scripts passed to its pool. */
function mountLocation(m: MountedApp, fastcgiParams: string): string[] {
  const php = [
    "        location ~ [^/]\\.php$ {",
    "            if (!-f $request_filename) { return 404; }",
    `            include ${fastcgiParams};`,
    "            fastcgi_param SCRIPT_FILENAME $request_filename;",
    `            fastcgi_pass unix:${m.socket};`,
    "        }",
  ];
  const body = [`        alias ${m.dir}/;`, "        index index.php index.html;", ...php, "    }"];
  if (m.path === "/") return [`    # web app ${m.app}`, "    location / {", ...body];
  return [`    # web app ${m.app}`, `    location = ${m.path} { return 301 ${m.path}/; }`, `    location ^~ ${m.path}/ {`, ...body];
}

/** The nginx server block of a site (pure); refuses a value that is not a plain token (assertRenderable). */
export type BlockExtras = { mounts?: MountedApp[]; fastcgiParams?: string; accessLog?: string };

export function serverBlock(site: Pick<WebsiteSnapshot, "name" | "domains">, listen: string, root: string, extras: BlockExtras = {}): string[] {
  const { mounts = [], fastcgiParams = "/etc/nginx/fastcgi_params", accessLog = "" } = extras;
  assertRenderable(site, listen, root, mounts, fastcgiParams, accessLog);
  return [
    `# managed by Orchestra: website ${site.name}`,
    "server {",
    `    listen ${listen};`,
    `    server_name ${site.domains.map((d) => d.name).join(" ")};`,
    `    root ${root};`,
    "    index index.html;",
    ...siteLocations(mounts, fastcgiParams, accessLog),
    "}",
  ];
}

/**
 * What a site serves, the same over HTTP and HTTPS: its own access log (when the server sets one), its
 * document root at `/` (unless a web app is mounted there) and its mounted web apps.
 */
export function siteLocations(mounts: MountedApp[], fastcgiParams: string, accessLog = ""): string[] {
  const sorted = [...mounts].sort((a, b) => a.path.localeCompare(b.path));
  return [
    ...(accessLog ? [`    access_log ${accessLog};`] : []),
    ...(sorted.some((m) => m.path === "/") ? [] : ["    location / {", "        try_files $uri $uri/ =404;", "    }"]),
    ...sorted.flatMap((m) => mountLocation(m, fastcgiParams)),
  ];
}

/** The site's locations as this server renders them (checked like the whole block). */
function locationsOf(ctx: Pick<ScriptContext, "variable">, site: WebsiteSnapshot): string[] {
  const { mounts, fastcgiParams, accessLog } = extrasOf(ctx, site);
  assertRenderable(site, ctx.variable("NGINX_LISTEN"), documentRootOf(site, ctx.variable("WEBSITES_ROOT")), mounts, fastcgiParams, accessLog);
  return siteLocations(mounts, fastcgiParams, accessLog);
}

/** What this server's variables add to a site's block: mounted apps' sockets and directories, its log. */
export function extrasOf(ctx: Pick<ScriptContext, "variable">, site: WebsiteSnapshot): Required<BlockExtras> {
  return { mounts: mountsOf(ctx, site), fastcgiParams: ctx.variable("NGINX_FASTCGI_PARAMS"), accessLog: accessLogOf(ctx, site.name) };
}

/** The site's block as this server renders it (its variables). */
function blockOf(ctx: Pick<ScriptContext, "variable">, site: WebsiteSnapshot): string[] {
  return serverBlock(site, ctx.variable("NGINX_LISTEN"), documentRootOf(site, ctx.variable("WEBSITES_ROOT")), extrasOf(ctx, site));
}

// Files replaced or removed keep a backup until nginx accepts the new configuration, so a rejected
// change is rolled back on the server instead of breaking the next reload.
function removeFile(ctx: ScriptContext, name: string) {
  if (typeof name !== "string" || !SITE_NAME.test(name)) refuse(name, "the site name", name);
  const file = siteFile(ctx, name);
  ctx.append(sh`if [ -e ${file} ]; then mv -f -- ${file} ${`${file}.orchestra-bak`}; touched+=(${file}); changed=1; fi`);
}

export const websiteBackend = defineBackend(websiteSnapshot, {
  name: "nginx-websites",
  title: "Websites (nginx)",
  model: "Website",
  actions: ["save", "delete"],
  method: "ssh",
  variables: NGINX_VARIABLES,
  identity: (o) => String(o.name),
  recordOutput: recordCertificates,
  prepare(ctx, operations) {
    ctx.append(raw("changed=0; touched=()"));
    ctx.append(sh`mkdir -p -- ${ctx.variable("NGINX_SITES_DIR")}`);
    // Writes a site's file only when its content differs, keeping a backup until nginx accepts it. The
    // comparison uses bash builtins: an unchanged site starts no process (a script of 200 sites ran
    // ~4 processes per site before: mkdir, cmp, rm, rm).
    ctx.append(raw(`write_site() { local f=$1 new old=; shift; printf -v new '%s\\n' "$@"; if [ -e "$f" ]; then IFS= read -r -d '' old < "$f" || true; [ "$new" != "$old" ] || return 0; cp -p -- "$f" "$f.orchestra-bak"; fi; printf '%s' "$new" > "$f.new"; mv -f -- "$f.new" "$f"; touched+=("$f"); changed=1; }`));
    if (involvesHttps(operations)) prepareHttps(ctx);
  },
  save(ctx, site, { before }) {
    if (typeof site.name !== "string" || !SITE_NAME.test(site.name)) refuse(site.name, "the site name", site.name);
    if (before && before.name !== site.name) removeFile(ctx, before.name);
    if (!site.enabled || site.domains.length === 0) {
      removeFile(ctx, site.name);
      return;
    }
    const file = siteFile(ctx, site.name);
    const root = documentRootOf(site, ctx.variable("WEBSITES_ROOT"));
    const block = blockOf(ctx, site); // checks before any line is written
    ctx.append(sh`[ -d ${root} ] || mkdir -p -- ${root}`);
    ctx.append(sh`[ -e ${`${root}/index.html`} ] || printf '<!doctype html><title>%s</title><h1>%s</h1>\\n' ${site.name} ${site.name} > ${`${root}/index.html`}`);
    if (wantsHttps(site)) {
      // Without a (valid) certificate the HTTP block goes live first, so nginx can answer the challenge;
      // the certificate is obtained in `commit`, after the reload.
      const paths = httpsPaths(ctx, site);
      const listen = ctx.variable("NGINX_LISTEN");
      const locations = locationsOf(ctx, site);
      ctx.append(sh`if has_certificate ${paths.certDir}; then write_site ${file} ${httpsBlocks(site, listen, root, paths, true, locations)}; else write_site ${file} ${httpsBlocks(site, listen, root, paths, false, locations)}; fi`);
      ctx.append(sh`covers ${paths.certDir} ${certificateDomains(site)} || wanted[${site.name}]=1`);
      return;
    }
    ctx.append(sh`write_site ${file} ${block}`);
  },
  delete(ctx, site) {
    removeFile(ctx, site.name);
  },
  commit(ctx, operations) {
    ctx.append(raw(`if [ "$changed" = 1 ]; then`));
    ctx.append(sh`  if ! ${ctx.command("NGINX_TEST")}; then`);
    ctx.append(raw(`    for f in "\${touched[@]}"; do if [ -e "$f.orchestra-bak" ]; then mv -f -- "$f.orchestra-bak" "$f"; else rm -f -- "$f"; fi; done`));
    ctx.append(raw(`    echo "nginx rejected the new configuration: the previous files were restored" >&2`));
    ctx.append(raw("    exit 1"));
    ctx.append(raw("  fi"));
    ctx.append(raw(`  baks=(); for f in "\${touched[@]}"; do [ ! -e "$f.orchestra-bak" ] || baks+=("$f.orchestra-bak"); done; [ "\${#baks[@]}" = 0 ] || rm -f -- "\${baks[@]}"`));
    ctx.append(sh`  ${ctx.command("NGINX_RELOAD")}`);
    ctx.append(raw("fi"));
    if (involvesHttps(operations)) commitHttps(ctx, operations);
  },
  // Drift: the site's file as the server has it (its hash), against the block it should hold.
  // One sha256sum over every file of the check (not a process per site): 1,000 sites cost one pass.
  checkAll(ctx, sites) {
    ctx.append(raw("declare -A ids=(); present=()"));
    for (const { id, object: site } of sites) {
      if (!SITE_NAME.test(site.name)) refuse(site.name, "the site name", site.name);
      ctx.append(sh`ids[${siteFile(ctx, site.name)}]=${id}`);
    }
    ctx.append(raw(`for f in "\${!ids[@]}"; do if [ -e "$f" ]; then present+=("$f"); else printf '%s %s\\nfile=absent\\n' ${CHECK_MARKER} "\${ids[$f]}"; fi; done`));
    ctx.append(raw(`if [ "\${#present[@]}" -gt 0 ]; then sha256sum -- "\${present[@]}" | while read -r hash f; do printf '%s %s\\nfile=%s\\n' ${CHECK_MARKER} "\${ids[$f]:-}" "$hash"; done; fi`));
  },
  expectedFacts(ctx, site) {
    if (!site.enabled || site.domains.length === 0) return { file: "absent" };
    const block = blockOf(ctx, site);
    if (wantsHttps(site)) {
      const root = documentRootOf(site, ctx.variable("WEBSITES_ROOT"));
      return { file: createHash("sha256").update(`${httpsBlocks(site, ctx.variable("NGINX_LISTEN"), root, httpsPaths(ctx, site), true, locationsOf(ctx, site)).join("\n")}\n`).digest("hex") };
    }
    return { file: createHash("sha256").update(`${block.join("\n")}\n`).digest("hex") };
  },
  monitors: {
    // Bytes sent (combined format: the number after the request's closing quote and the status) in the
    // site's access log as it stands, i.e. since its last rotation, in MiB.
    traffic: {
      unit: "MiB",
      measure(ctx, site) {
        if (!SITE_NAME.test(site.name)) refuse(site.name, "the site name", site.name);
        const log = accessLogOf(ctx, site.name);
        if (!log) return;
        ctx.append(sh`if [ -r ${log} ]; then LC_ALL=C awk 'match($0, /" [0-9][0-9][0-9] [0-9]+ "/) { split(substr($0, RSTART + 2, RLENGTH - 3), f, " "); s += f[2] } END { printf "traffic=%.2f\\n", s / 1048576 }' ${log}; else echo traffic=0; fi`);
      },
    },
  },
  commands: {
    reload: {
      title: "Test and reload nginx",
      description: "Checks the whole nginx configuration and reloads it (e.g. after a certificate or a file changed by hand).",
      run(ctx, site) {
        if (!SITE_NAME.test(site.name)) refuse(site.name, "the site name", site.name);
        ctx.append(raw(`changed=1`));
      },
    },
    encrypt: {
      title: "Obtain or renew the certificate",
      description: "Asks the server's ACME directory for a new certificate for the site's HTTPS domains now (even if the current one is still valid), installs it and reloads nginx.",
      confirm: "Request a new certificate from the ACME authority?",
      run(ctx, site) {
        if (!SITE_NAME.test(site.name)) refuse(site.name, "the site name", site.name);
        if (!wantsHttps(site)) {
          ctx.append(sh`echo ${`website ${site.name}: HTTPS is off, the site is disabled or it has no domain a certificate can name: nothing to encrypt`} >&2; exit 1`);
          return;
        }
        ctx.append(sh`wanted[${site.name}]=1; force[${site.name}]=1`);
      },
    },
  },
});

/**
 * After the HTTP configuration is live: obtain the certificates the sites lack (or were asked to renew),
 * write their HTTPS blocks, test (rolling back on a rejection) and reload once more; then remove the
 * certificates of sites that no longer have HTTPS, and report every certificate for Orchestra to keep.
 * A certificate that could not be obtained leaves the site as it was and fails the run.
 */
function commitHttps(ctx: ScriptContext, operations: readonly PendingOperation[]) {
  const keep = sitesOf(operations, (op) => op.after).filter(wantsHttps);
  const kept = new Set(keep.map((s) => s.name));
  const removals = new Set<string>();
  for (const site of [...sitesOf(operations, (op) => op.before), ...sitesOf(operations, (op) => op.after)]) {
    if (site.https !== "off" && !kept.has(site.name) && SITE_NAME.test(site.name)) removals.add(site.name);
  }
  const listen = ctx.variable("NGINX_LISTEN");
  ctx.append(raw(`if [ "$changed" = 1 ] && [ "\${#wanted[@]}" -gt 0 ]; then sleep 1; fi # the reloaded workers answer the challenge`));
  ctx.append(raw("changed=0; touched=(); renewed=0"));
  for (const site of keep) {
    const root = documentRootOf(site, ctx.variable("WEBSITES_ROOT"));
    const paths = httpsPaths(ctx, site);
    const block = httpsBlocks(site, listen, root, paths, true, locationsOf(ctx, site));
    ctx.append(sh`if [ "\${wanted[${site.name}]:-}" = 1 ]; then`);
    ctx.append(sh`  if obtain ${site.name} ${certificateDomains(site)}; then write_site ${siteFile(ctx, site.name)} ${block}; renewed=1;`);
    ctx.append(sh`  else acme_failed=1; failed_sites[${site.name}]=1; echo ${`website ${site.name}: no certificate was obtained (the client's message is above); its configuration was left as it was`} >&2; fi`);
    ctx.append(raw("fi"));
  }
  ctx.append(raw(`if [ "$changed" = 1 ] || [ "$renewed" = 1 ]; then`));
  ctx.append(sh`  if ! ${ctx.command("NGINX_TEST")}; then`);
  ctx.append(raw(`    for f in "\${touched[@]}"; do if [ -e "$f.orchestra-bak" ]; then mv -f -- "$f.orchestra-bak" "$f"; else rm -f -- "$f"; fi; done`));
  ctx.append(raw(`    echo "nginx rejected the HTTPS configuration: the previous files were restored" >&2`));
  ctx.append(raw("    exit 1"));
  ctx.append(raw("  fi"));
  ctx.append(raw(`  for f in "\${touched[@]}"; do rm -f -- "$f.orchestra-bak"; done`));
  ctx.append(sh`  ${ctx.command("NGINX_RELOAD")}`);
  ctx.append(raw("fi"));
  for (const name of [...removals].sort()) ctx.append(sh`remove_certificate ${name}`);
  for (const site of keep) {
    const { certDir } = httpsPaths(ctx, site);
    ctx.append(sh`if [ "\${failed_sites[${site.name}]:-}" = 1 ]; then report_certificate ${site.name} ${certDir} failed; else report_certificate ${site.name} ${certDir} valid; fi`);
  }
  ctx.append(raw(`[ "$acme_failed" = 0 ] || exit 1`));
}
