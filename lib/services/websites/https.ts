// HTTPS for websites: certificates from an ACME directory, obtained by certbot on the server with the
// HTTP-01 challenge answered by the site's own nginx (a `/.well-known/acme-challenge/` location served
// from ACME_WEBROOT), and a `listen … ssl` server block once the certificate exists.
//
// Certbot is Debian-packaged and kept up to date by the distribution; its `certonly --webroot` fits a
// server whose nginx Orchestra writes itself (certbot never edits the configuration), `--cert-name`
// gives each site one lineage under ACME_CONFIG_DIR/live/orchestra-<site>/, and `--no-autorenew` leaves
// renewal to Orchestra's schedule, which reloads nginx and records the new expiry.
//
// The script reports each site's certificate on stdout, one line per site, for Orchestra to keep
// (recordCertificates): `orchestra-certificate site=<name> state=valid|failed|absent notAfter=… domains=…`.
// The private key stays in ACME_CONFIG_DIR on the server: no line of the script reads or prints it.
import type { ScriptContext, VariableSpec } from "@/lib/orchestration/backend";
import type { PendingOperation } from "@/lib/orchestration/types";
import { raw, sh } from "@/lib/orchestration/shell";
import { websiteSnapshot, type WebsiteSnapshot } from "./schema";

export const ACME_VARIABLES: Record<string, VariableSpec> = {
  NGINX_LISTEN_TLS: { default: "443 ssl", description: "The listen parameters of the HTTPS server block of a site with HTTPS (must include ssl)." },
  ACME_DIRECTORY: { default: "https://acme-v02.api.letsencrypt.org/directory", description: "The ACME directory certificates are requested from (Let's Encrypt's production directory by default)." },
  ACME_EMAIL: { default: "", description: "Contact e-mail of the ACME account (expiry notices from the authority); empty: an account without e-mail." },
  ACME_CLIENT: { default: "certbot", description: "The ACME client (certbot) as a command line, e.g. with env settings in front.", command: true },
  ACME_CONFIG_DIR: { default: "/etc/letsencrypt", description: "certbot's --config-dir: accounts, keys and certificates (live/orchestra-<site>/)." },
  ACME_WORK_DIR: { default: "/var/lib/letsencrypt", description: "certbot's --work-dir." },
  ACME_LOGS_DIR: { default: "/var/log/letsencrypt", description: "certbot's --logs-dir." },
  ACME_WEBROOT: { default: "/var/www/acme-challenge", description: "Where certbot writes HTTP-01 challenge files; every HTTPS site serves /.well-known/acme-challenge/ from it." },
};

/** An absolute path of plain characters (it goes into nginx's configuration and certbot's arguments). */
const PLAIN_PATH = /^\/[A-Za-z0-9_.@+/-]*$/;
const LISTEN_TLS = /^[A-Za-z0-9_.:[\] -]{1,100}$/;

function refuse(site: unknown, what: string, value: unknown): never {
  throw new Error(`refusing to render website ${JSON.stringify(String(site))}: ${what} ${JSON.stringify(value)} cannot go into an nginx configuration.`);
}

/** The domains the certificate covers: the chosen ones the site still has (all when none is chosen), no wildcard, sorted. */
export function certificateDomains(site: Pick<WebsiteSnapshot, "domains" | "httpsDomains">): string[] {
  const names = site.domains.map((d) => d.name).filter((n) => typeof n === "string" && !n.startsWith("*."));
  const chosen = site.httpsDomains ?? [];
  return [...new Set(chosen.length ? names.filter((n) => chosen.includes(n)) : names)].sort();
}

/** A site that is served over HTTPS: enabled, HTTPS on or redirect, and a domain a certificate can name. */
export function wantsHttps(site: WebsiteSnapshot): boolean {
  return site.enabled && site.https !== "off" && certificateDomains(site).length > 0;
}

export type HttpsPaths = { acmeRoot: string; certDir: string; listenTls: string };

export function certificateName(siteName: string): string {
  return `orchestra-${siteName}`;
}

export function httpsPaths(ctx: Pick<ScriptContext, "variable">, site: Pick<WebsiteSnapshot, "name">): HttpsPaths {
  const acmeRoot = ctx.variable("ACME_WEBROOT").replace(/\/+$/, "");
  const config = ctx.variable("ACME_CONFIG_DIR").replace(/\/+$/, "");
  const listenTls = ctx.variable("NGINX_LISTEN_TLS");
  for (const [what, value] of [["the ACME webroot (ACME_WEBROOT)", acmeRoot], ["the certificates directory (ACME_CONFIG_DIR)", config]] as const) {
    if (!PLAIN_PATH.test(value) || value.split("/").includes("..")) refuse(site.name, what, value);
  }
  if (!LISTEN_TLS.test(listenTls) || !/(^|\s)ssl(\s|$)/.test(listenTls)) refuse(site.name, "the HTTPS listen setting (NGINX_LISTEN_TLS)", listenTls);
  return { acmeRoot, certDir: `${config}/live/${certificateName(site.name)}`, listenTls };
}

/** `return 301` target: the TLS port is named unless it is 443. */
function redirectTarget(listenTls: string): string {
  const first = listenTls.trim().split(/\s+/)[0] ?? "";
  const port = /^(?:.*:)?(\d+)$/.exec(first)?.[1] ?? "443";
  return port === "443" ? "https://$host$request_uri" : `https://$host:${port}$request_uri`;
}

/**
 * The server blocks of a site with HTTPS (pure; every value was checked by the caller): the HTTP block
 * answers ACME challenges, and — once a certificate exists — redirects (mode redirect) or serves; the
 * HTTPS block serves the site with the certificate.
 */
/** `locations`: what the site serves (its document root and mounted web apps), the same over both. */
export function httpsBlocks(site: WebsiteSnapshot, listen: string, root: string, paths: HttpsPaths, withCertificate: boolean, locations: string[]): string[] {
  const names = site.domains.map((d) => d.name).join(" ");
  const redirect = withCertificate && site.https === "redirect";
  const http = [
    `# managed by Orchestra: website ${site.name}`,
    "server {",
    `    listen ${listen};`,
    `    server_name ${names};`,
    `    root ${root};`,
    "    index index.html;",
    "    location ^~ /.well-known/acme-challenge/ {",
    `        root ${paths.acmeRoot};`,
    "        default_type text/plain;",
    "    }",
    ...(redirect ? ["    location / {", `        return 301 ${redirectTarget(paths.listenTls)};`, "    }"] : locations),
    "}",
  ];
  if (!withCertificate) return http;
  return [
    ...http,
    "server {",
    `    listen ${paths.listenTls};`,
    `    server_name ${names};`,
    `    ssl_certificate ${paths.certDir}/fullchain.pem;`,
    `    ssl_certificate_key ${paths.certDir}/privkey.pem;`,
    `    root ${root};`,
    "    index index.html;",
    ...locations,
    "}",
  ];
}

/** Does this script touch HTTPS at all (so the ACME helpers are defined)? */
export function involvesHttps(operations: readonly PendingOperation[]): boolean {
  return operations.some((op) => [op.before, op.after].some((o) => o && typeof o.https === "string" && o.https !== "off"));
}

/** Shell helpers of a script that touches HTTPS (after the nginx backend's own `prepare`). */
export function prepareHttps(ctx: ScriptContext): void {
  const config = ctx.variable("ACME_CONFIG_DIR");
  for (const [what, value] of [["ACME_CONFIG_DIR", config], ["ACME_WORK_DIR", ctx.variable("ACME_WORK_DIR")], ["ACME_LOGS_DIR", ctx.variable("ACME_LOGS_DIR")], ["ACME_WEBROOT", ctx.variable("ACME_WEBROOT")]] as const) {
    if (!PLAIN_PATH.test(value) || value.split("/").includes("..")) throw new Error(`refusing to render websites: ${what} ${JSON.stringify(value)} is not a plain absolute path.`);
  }
  const email = ctx.variable("ACME_EMAIL");
  ctx.append(raw("declare -A wanted=() force=() failed_sites=(); acme_failed=0"));
  ctx.append(sh`acme_client=(${ctx.command("ACME_CLIENT")})`);
  ctx.append(sh`acme_dirs=(--config-dir ${config} --work-dir ${ctx.variable("ACME_WORK_DIR")} --logs-dir ${ctx.variable("ACME_LOGS_DIR")})`);
  ctx.append(sh`acme_account=(${email ? sh`--email ${email}` : raw("--register-unsafely-without-email")} --server ${ctx.variable("ACME_DIRECTORY")})`);
  ctx.append(sh`acme_root=${ctx.variable("ACME_WEBROOT")}`);
  ctx.append(raw(`mkdir -p -- "$acme_root"`));
  // the names a certificate covers, sorted like the script's wanted list (C collation)
  ctx.append(raw(`cert_domains() { openssl x509 -noout -ext subjectAltName -in "$1/fullchain.pem" 2>/dev/null | tr ',' '\\n' | sed -n 's/^ *DNS://p' | LC_ALL=C sort -u | paste -sd' ' -; }`));
  ctx.append(raw(`has_certificate() { [ -s "$1/fullchain.pem" ] && [ -s "$1/privkey.pem" ]; }`));
  ctx.append(raw(`covers() { local dir=$1; shift; has_certificate "$dir" && openssl x509 -noout -checkend 0 -in "$dir/fullchain.pem" >/dev/null && [ "$(cert_domains "$dir")" = "$*" ]; }`));
  // certbot prints why an order failed (the authority's problem document) on stdout: a failure's whole
  // output goes to stderr, where the log shows errors
  ctx.append(raw(`obtain() { local name=$1 extra=(); shift; local domains=(); for d in "$@"; do domains+=(-d "$d"); done; if [ "\${force[$name]:-}" = 1 ]; then extra=(--force-renewal); else extra=(--keep-until-expiring); fi; local out rc=0; out=$("\${acme_client[@]}" certonly --non-interactive --agree-tos --webroot -w "$acme_root" --cert-name "orchestra-$name" "\${domains[@]}" "\${acme_account[@]}" "\${acme_dirs[@]}" --no-autorenew --expand "\${extra[@]}" </dev/null 2>&1) || rc=$?; if [ "$rc" = 0 ]; then printf '%s\n' "$out"; else printf '%s\n' "$out" >&2; fi; return "$rc"; }`));
  ctx.append(raw(`report_certificate() { local name=$1 dir=$2 state=$3; if has_certificate "$dir"; then printf 'orchestra-certificate site=%s state=%s notAfter=%s domains=%s\\n' "$name" "$state" "$(date -u -d "$(openssl x509 -noout -enddate -in "$dir/fullchain.pem" | cut -d= -f2)" +%Y-%m-%dT%H:%M:%SZ)" "$(cert_domains "$dir" | tr ' ' ',')"; else printf 'orchestra-certificate site=%s state=%s\\n' "$name" "$([ "$state" = valid ] && echo absent || echo "$state")"; fi; }`));
  ctx.append(raw(`remove_certificate() { if [ -e "\${acme_dirs[1]}/renewal/orchestra-$1.conf" ] || [ -e "\${acme_dirs[1]}/live/orchestra-$1" ]; then "\${acme_client[@]}" delete --non-interactive --cert-name "orchestra-$1" "\${acme_dirs[@]}" </dev/null; fi; printf 'orchestra-certificate site=%s state=absent\\n' "$1"; }`));
}

/** The latest snapshot of each site in the operations (by name), parsed; rows that do not parse are skipped (their save already refused). */
export function sitesOf(operations: readonly PendingOperation[], pick: (op: PendingOperation) => unknown): WebsiteSnapshot[] {
  const byName = new Map<string, WebsiteSnapshot>();
  for (const op of operations) {
    const parsed = websiteSnapshot.safeParse(pick(op));
    if (parsed.success) byName.set(parsed.data.name, parsed.data);
  }
  return [...byName.values()];
}
