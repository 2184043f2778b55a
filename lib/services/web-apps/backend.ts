// PHP-FPM pools, one file per web app (PHP_FPM_POOL_DIR/orchestra-<name>.conf), run as the app's system
// user and listening on a unix socket nginx passes to. A changed pool keeps a backup until `php-fpm -t`
// accepts the whole configuration; a rejected one is rolled back and the run fails. Then one graceful
// reload. `%v` in a variable stands for the app's PHP version (8.2).
import type { ScriptContext } from "@/lib/orchestration/backend";
import { raw, sh } from "@/lib/orchestration/shell";
import { defineBackend } from "../kit";
import { HARD_FLOOR, POSIX_NAME } from "../system-users/policy";
import { APP_NAME, INI_SIZE, PHP_VERSION, webAppSnapshot, type WebAppSnapshot } from "./schema";

const PLAIN_PATH = /^\/[A-Za-z0-9_.@+/%-]*$/;

function refuse(app: unknown, what: string, value: unknown): never {
  throw new Error(`refusing to render web app ${JSON.stringify(String(app))}: ${what} ${JSON.stringify(value)} cannot go into a PHP-FPM pool.`);
}

const withVersion = (text: string, version: string) => text.replaceAll("%v", version);

function versionOf(app: Pick<WebAppSnapshot, "name" | "phpVersion">): string {
  if (typeof app.phpVersion !== "string" || !PHP_VERSION.test(app.phpVersion)) refuse(app.name, "the PHP version", app.phpVersion);
  return app.phpVersion;
}

function poolFile(ctx: Pick<ScriptContext, "variable">, app: Pick<WebAppSnapshot, "name" | "phpVersion">): string {
  if (typeof app.name !== "string" || !APP_NAME.test(app.name)) refuse(app.name, "the name", app.name);
  const dir = withVersion(ctx.variable("PHP_FPM_POOL_DIR"), versionOf(app)).replace(/\/+$/, "");
  if (!PLAIN_PATH.test(dir) || dir.split("/").includes("..")) refuse(app.name, "the pool directory (PHP_FPM_POOL_DIR)", dir);
  return `${dir}/orchestra-${app.name}.conf`;
}

/** The socket nginx passes PHP requests of this app to. */
export function socketOf(ctx: Pick<ScriptContext, "variable">, app: Pick<WebAppSnapshot, "name" | "phpVersion">): string {
  const dir = withVersion(ctx.variable("PHP_FPM_SOCKET_DIR"), versionOf(app)).replace(/\/+$/, "");
  if (!PLAIN_PATH.test(dir) || dir.split("/").includes("..")) refuse(app.name, "the socket directory (PHP_FPM_SOCKET_DIR)", dir);
  return `${dir}/orchestra-${app.name}.sock`;
}

/** The pool file's lines (pure); refuses any value that is not a plain token. */
export function poolLines(ctx: Pick<ScriptContext, "variable">, app: WebAppSnapshot): string[] {
  const user = app.systemUser?.username;
  if (typeof user !== "string" || !POSIX_NAME.test(user) || user === "root") refuse(app.name, "the system user", user);
  if ((HARD_FLOOR.usernames as readonly string[]).includes(user) && user !== "nobody") refuse(app.name, "the system user", user);
  for (const [what, value] of [["memory_limit", app.memoryLimit], ["upload_max_filesize", app.uploadMaxFilesize]] as const) {
    if (typeof value !== "string" || !INI_SIZE.test(value)) refuse(app.name, what, value);
  }
  // a whole number; its range is php-fpm's to judge (php-fpm -t refuses 0)
  if (!Number.isInteger(app.maxChildren) || app.maxChildren < 0 || app.maxChildren > 10_000) refuse(app.name, "pm.max_children", app.maxChildren);
  const owner = ctx.variable("PHP_FPM_LISTEN_OWNER");
  if (!POSIX_NAME.test(owner)) refuse(app.name, "the socket owner (PHP_FPM_LISTEN_OWNER)", owner);
  return [
    `; managed by Orchestra: web app ${app.name}`,
    `[${app.name}]`,
    `user = ${user}`,
    `listen = ${socketOf(ctx, app)}`,
    `listen.owner = ${owner}`,
    `listen.group = ${owner}`,
    "listen.mode = 0660",
    "pm = ondemand",
    `pm.max_children = ${app.maxChildren}`,
    `env[ORCHESTRA_WEB_APP] = ${app.name}`,
    `php_admin_value[memory_limit] = ${app.memoryLimit}`,
    `php_admin_value[upload_max_filesize] = ${app.uploadMaxFilesize}`,
  ];
}

function removePool(ctx: ScriptContext, app: Pick<WebAppSnapshot, "name" | "phpVersion">) {
  const file = poolFile(ctx, app);
  ctx.append(sh`if [ -e ${file} ]; then mv -f -- ${file} ${`${file}.orchestra-bak`}; touched+=(${file}); versions[${versionOf(app)}]=1; fi`);
}

export const phpFpmPoolsBackend = defineBackend(webAppSnapshot, {
  name: "php-fpm-pools",
  title: "Web apps (PHP-FPM pools)",
  model: "WebApp",
  actions: ["save", "delete"],
  method: "ssh",
  variables: {
    PHP_FPM_POOL_DIR: { default: "/etc/php/%v/fpm/pool.d", description: "Where pools are written (orchestra-<name>.conf); %v is the PHP version." },
    PHP_FPM_SOCKET_DIR: { default: "/run/php", description: "Where pools listen (orchestra-<name>.sock)." },
    PHP_FPM_LISTEN_OWNER: { default: "www-data", description: "Owner and group of the sockets (the web server's user)." },
    PHP_FPM_TEST: { default: "php-fpm%v -t", description: "Checks the configuration; a rejected pool is rolled back.", command: true },
    PHP_FPM_RELOAD: { default: "systemctl reload php%v-fpm", description: "Graceful reload, once per PHP version that changed.", command: true },
  },
  identity: (o) => String(o.name),
  prepare(ctx) {
    ctx.append(raw("touched=(); declare -A versions=()"));
  },
  save(ctx, app, { before }) {
    const lines = poolLines(ctx, app); // checks every value before a line is written
    const file = poolFile(ctx, app);
    if (before && poolFile(ctx, before) !== file) removePool(ctx, before);
    ctx.append(sh`mkdir -p -- "$(dirname -- ${file})"`);
    ctx.append(sh`printf '%s\\n' ${lines} > ${`${file}.new`}`);
    ctx.append(sh`if cmp -s -- ${`${file}.new`} ${file}; then rm -f -- ${`${file}.new`}; else`);
    ctx.append(sh`  if [ -e ${file} ]; then cp -p -- ${file} ${`${file}.orchestra-bak`}; fi`);
    ctx.append(sh`  mv -f -- ${`${file}.new`} ${file}; touched+=(${file}); versions[${versionOf(app)}]=1`);
    ctx.append(raw("fi"));
  },
  delete(ctx, app) {
    removePool(ctx, app);
  },
  commit(ctx, operations) {
    // one test and one reload per PHP version that changed; the versions come from the operations
    const versions = new Set<string>();
    for (const op of operations) for (const o of [op.before, op.after]) if (o && typeof o.phpVersion === "string" && PHP_VERSION.test(o.phpVersion)) versions.add(o.phpVersion);
    const words = (name: string, v: string) => ctx.command(name).map((w) => withVersion(w, v));
    ctx.append(raw("restore() {"));
    ctx.append(raw(`  for f in "\${touched[@]}"; do if [ -e "$f.orchestra-bak" ]; then mv -f -- "$f.orchestra-bak" "$f"; else rm -f -- "$f"; fi; done`));
    ctx.append(raw(`  echo "php-fpm rejected the new configuration: the previous pools were restored" >&2`));
    ctx.append(raw("  exit 1"));
    ctx.append(raw("}"));
    for (const v of [...versions].sort()) ctx.append(sh`if [ "\${versions[${v}]:-}" = 1 ]; then ${words("PHP_FPM_TEST", v)} || restore; fi`);
    ctx.append(raw(`for f in "\${touched[@]}"; do rm -f -- "$f.orchestra-bak"; done`));
    for (const v of [...versions].sort()) ctx.append(sh`if [ "\${versions[${v}]:-}" = 1 ]; then ${words("PHP_FPM_RELOAD", v)}; fi`);
  },
});
