// Websites on nginx: one server block per site in the sites directory, written only when it changed,
// checked with `nginx -t` and reloaded once per script (commit). A disabled site, a site without
// domains and a deleted site have no file. Variables are declared below (commands are split into words
// and each word quoted, so a variable cannot smuggle shell syntax). Command: reload.
// A new document root gets a placeholder index.html (never overwritten), so a site answers at once.
import { createHash } from "node:crypto";
import type { ScriptContext, VariableSpec } from "@/lib/orchestration/backend";
import { raw, sh } from "@/lib/orchestration/shell";
import { defineBackend } from "../kit";
import { websiteSnapshot, type WebsiteSnapshot } from "./schema";

export type { WebsiteSnapshot };

export const NGINX_VARIABLES: Record<string, VariableSpec> = {
  NGINX_SITES_DIR: { default: "/etc/nginx/sites-enabled", description: "Where the sites' server blocks are written (orchestra-<name>.conf)." },
  NGINX_LISTEN: { default: "80", description: "The listen parameters of every site (a port, address:port, flags)." },
  NGINX_TEST: { default: "nginx -t", description: "Checks the configuration before a reload; a rejected change is rolled back.", command: true },
  NGINX_RELOAD: { default: "nginx -s reload", description: "Reloads nginx once per script when something changed.", command: true },
  WEBSITES_ROOT: { default: "/srv/www", description: "Document root of a site without one: WEBSITES_ROOT/<name>." },
  NGINX_ACCESS_LOG_DIR: { default: "", description: "Each site logs its requests to DIR/orchestra-<name>.access.log (the traffic monitor reads it); empty: nginx's default log, no traffic measured." },
};

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
export function assertRenderable(site: WebsiteSnapshot, listen: string, root: string): void {
  if (typeof site.name !== "string" || !SITE_NAME.test(site.name)) refuse(site.name, "the site name", site.name);
  if (!Array.isArray(site.domains)) refuse(site.name, "the domain list", site.domains);
  for (const d of site.domains) if (typeof d?.name !== "string" || !SERVER_NAME.test(d.name)) refuse(site.name, "the domain", d?.name);
  if (!ROOT_PATH.test(root) || root.split("/").includes("..")) refuse(site.name, "the document root", root);
  if (!LISTEN.test(listen)) refuse(site.name, "the listen setting (NGINX_LISTEN)", listen);
}

/** The nginx server block of a site (pure); refuses a value that is not a plain token (assertRenderable). */
export function serverBlock(site: WebsiteSnapshot, listen: string, root: string, accessLog = ""): string[] {
  assertRenderable(site, listen, root);
  if (accessLog && (!ROOT_PATH.test(accessLog) || accessLog.split("/").includes(".."))) refuse(site.name, "the access log (NGINX_ACCESS_LOG_DIR)", accessLog);
  return [
    `# managed by Orchestra: website ${site.name}`,
    "server {",
    `    listen ${listen};`,
    `    server_name ${site.domains.map((d) => d.name).join(" ")};`,
    `    root ${root};`,
    ...(accessLog ? [`    access_log ${accessLog};`] : []),
    "    index index.html;",
    "    location / {",
    "        try_files $uri $uri/ =404;",
    "    }",
    "}",
  ];
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
  prepare(ctx) {
    ctx.append(raw("changed=0; touched=()"));
    ctx.append(sh`mkdir -p -- ${ctx.variable("NGINX_SITES_DIR")}`);
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
    const block = serverBlock(site, ctx.variable("NGINX_LISTEN"), root, accessLogOf(ctx, site.name)); // checks before any line is written
    ctx.append(sh`mkdir -p -- ${root}`);
    ctx.append(sh`[ -e ${`${root}/index.html`} ] || printf '<!doctype html><title>%s</title><h1>%s</h1>\\n' ${site.name} ${site.name} > ${`${root}/index.html`}`);
    ctx.append(sh`printf '%s\\n' ${block} > ${`${file}.new`}`);
    ctx.append(sh`if cmp -s -- ${`${file}.new`} ${file}; then rm -f -- ${`${file}.new`}; else`);
    ctx.append(sh`  if [ -e ${file} ]; then cp -p -- ${file} ${`${file}.orchestra-bak`}; fi`);
    ctx.append(sh`  mv -f -- ${`${file}.new`} ${file}; touched+=(${file}); changed=1`);
    ctx.append(raw("fi"));
  },
  delete(ctx, site) {
    removeFile(ctx, site.name);
  },
  commit(ctx) {
    ctx.append(raw(`if [ "$changed" = 1 ]; then`));
    ctx.append(sh`  if ! ${ctx.command("NGINX_TEST")}; then`);
    ctx.append(raw(`    for f in "\${touched[@]}"; do if [ -e "$f.orchestra-bak" ]; then mv -f -- "$f.orchestra-bak" "$f"; else rm -f -- "$f"; fi; done`));
    ctx.append(raw(`    echo "nginx rejected the new configuration: the previous files were restored" >&2`));
    ctx.append(raw("    exit 1"));
    ctx.append(raw("  fi"));
    ctx.append(raw(`  for f in "\${touched[@]}"; do rm -f -- "$f.orchestra-bak"; done`));
    ctx.append(sh`  ${ctx.command("NGINX_RELOAD")}`);
    ctx.append(raw("fi"));
  },
  // Drift: the site's file as the server has it (its hash), against the block it should hold.
  check(ctx, site) {
    if (!SITE_NAME.test(site.name)) refuse(site.name, "the site name", site.name);
    const file = siteFile(ctx, site.name);
    ctx.append(sh`if [ -e ${file} ]; then printf 'file=%s\n' "$(sha256sum -- ${file} | cut -d' ' -f1)"; else echo file=absent; fi`);
  },
  expectedFacts(ctx, site) {
    if (!site.enabled || site.domains.length === 0) return { file: "absent" };
    const block = serverBlock(site, ctx.variable("NGINX_LISTEN"), documentRootOf(site, ctx.variable("WEBSITES_ROOT")), accessLogOf(ctx, site.name));
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
  },
});
