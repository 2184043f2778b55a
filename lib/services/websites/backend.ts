// Websites on nginx: one server block per site in the sites directory, written only when it changed,
// checked with `nginx -t` and reloaded once per script (commit). A disabled site, a site without
// domains and a deleted site have no file. Per-server variables (commands are split into words and
// each word quoted, so a variable cannot smuggle shell syntax):
//   NGINX_SITES_DIR  /etc/nginx/sites-enabled      NGINX_LISTEN  80
//   NGINX_TEST       nginx -t                       NGINX_RELOAD  nginx -s reload
import type { Backend, ScriptContext } from "@/lib/orchestration/backend";
import { raw, sh } from "@/lib/orchestration/shell";
import type { Snapshot } from "@/lib/orchestration/types";

export type WebsiteSnapshot = {
  id: number;
  name: string;
  documentRoot: string;
  enabled: boolean;
  domains: Array<{ name: string }>;
};

export function documentRootOf(site: Pick<WebsiteSnapshot, "documentRoot" | "name">): string {
  return site.documentRoot || `/srv/www/${site.name}`;
}

function words(command: string): string[] {
  return command.split(/\s+/).filter(Boolean);
}

function siteFile(ctx: ScriptContext, name: string): string {
  return `${ctx.variable("NGINX_SITES_DIR").replace(/\/+$/, "")}/orchestra-${name}.conf`;
}

/** The nginx server block of a site (pure; the domains and paths are validated on save). */
export function serverBlock(site: WebsiteSnapshot, listen: string): string[] {
  return [
    `# managed by Orchestra: website ${site.name}`,
    "server {",
    `    listen ${listen};`,
    `    server_name ${site.domains.map((d) => d.name).join(" ")};`,
    `    root ${documentRootOf(site)};`,
    "    index index.html;",
    "    location / {",
    "        try_files $uri $uri/ =404;",
    "    }",
    "}",
  ];
}

function removeFile(ctx: ScriptContext, name: string) {
  ctx.append(sh`if [ -e ${siteFile(ctx, name)} ]; then rm -f -- ${siteFile(ctx, name)}; changed=1; fi`);
}

export const websiteBackend: Backend = {
  name: "nginx-websites",
  title: "Websites (nginx)",
  model: "Website",
  actions: ["save", "delete"],
  relatedModels: [{ model: "WebsiteDomain", mainIds: (row) => [row.websiteId as number] }],
  include: { domains: true },
  ignoreFields: ["description"],
  method: "ssh",
  variables: { NGINX_SITES_DIR: "/etc/nginx/sites-enabled", NGINX_LISTEN: "80", NGINX_TEST: "nginx -t", NGINX_RELOAD: "nginx -s reload" },
  label: (o) => String(o.name),
  prepare(ctx) {
    ctx.append(raw("changed=0"));
    ctx.append(sh`mkdir -p -- ${ctx.variable("NGINX_SITES_DIR")}`);
  },
  save(ctx, object, operation) {
    const site = object as unknown as WebsiteSnapshot;
    const before = operation.before as unknown as WebsiteSnapshot | null;
    if (before && before.name !== site.name) removeFile(ctx, before.name);
    if (!site.enabled || site.domains.length === 0) {
      removeFile(ctx, site.name);
      return;
    }
    const file = siteFile(ctx, site.name);
    ctx.append(sh`mkdir -p -- ${documentRootOf(site)}`);
    ctx.append(sh`printf '%s\\n' ${serverBlock(site, ctx.variable("NGINX_LISTEN"))} > ${`${file}.new`}`);
    ctx.append(sh`if cmp -s -- ${`${file}.new`} ${file}; then rm -f -- ${`${file}.new`}; else mv -f -- ${`${file}.new`} ${file}; changed=1; fi`);
  },
  delete(ctx, object) {
    removeFile(ctx, (object as Snapshot).name as string);
  },
  commit(ctx) {
    ctx.append(raw(`if [ "$changed" = 1 ]; then`));
    ctx.append(sh`  ${words(ctx.variable("NGINX_TEST"))}`);
    ctx.append(sh`  ${words(ctx.variable("NGINX_RELOAD"))}`);
    ctx.append(raw("fi"));
  },
};
