// The websites' nginx server blocks as a registry backend: the same files as the push backend
// (nginx-websites: one orchestra-<name>.conf per enabled site with domains, the same server block and
// document root), but pulled by the server's agent, which writes them, runs NGINX_TEST, and reloads or
// restores the previous files. A route chooses push or pull per server for the same sites. Mounted web
// apps are served as by the push backend; HTTPS (certificates) is the push backend's only.
import type { RegistryConfig } from "@/lib/orchestration/backend";
import type { Backend } from "@/lib/orchestration/backend";
import { AGENT_VARIABLES } from "@/lib/agent/variables";
import { NGINX_VARIABLES, SITE_NAME, documentRootOf, extrasOf, serverBlock } from "./backend";
import { websiteSnapshot } from "./schema";

const NAME = "nginx-sites-registry";

function parse(object: Record<string, unknown>) {
  const result = websiteSnapshot.safeParse(object);
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  throw new Error(`refusing to render website ${JSON.stringify(String(object.name ?? object.id))}: ${issue.path.join(".") || "the object"} is not valid (${issue.message.replace(/\.$/, "")}).`);
}

export const websiteRegistryBackend: Backend = {
  name: NAME,
  title: "Websites (nginx, pulled by the agent)",
  model: "Website",
  kind: "registry",
  actions: ["save", "delete"],
  // never pushed: "ssh" only installs the agent (lib/agent/install.ts)
  method: "ssh",
  variables: { ...NGINX_VARIABLES, ...AGENT_VARIABLES },
  identity: (o) => String(o.name),
  render(ctx, objects): RegistryConfig {
    const config: RegistryConfig = {
      directory: ctx.variable("NGINX_SITES_DIR").replace(/\/+$/, "") || "/",
      prefix: "orchestra-",
      suffix: ".conf",
      files: {},
      test: ctx.command("NGINX_TEST"),
      reload: ctx.command("NGINX_RELOAD"),
      roots: [],
      objects: [],
    };
    for (const object of objects) {
      const site = parse(object);
      if (!SITE_NAME.test(site.name)) throw new Error(`refusing to render website ${JSON.stringify(site.name)}: not a plain name.`);
      const active = site.enabled && site.domains.length > 0;
      const file = `orchestra-${site.name}.conf`;
      config.objects.push({ id: String(site.id), label: site.name, file: active ? file : null });
      if (!active) continue;
      const root = documentRootOf(site, ctx.variable("WEBSITES_ROOT"));
      // the push backend's block, checked the same way (a value that is not a plain token is refused)
      config.files[file] = `${serverBlock(site, ctx.variable("NGINX_LISTEN"), root, extrasOf(ctx, site)).join("\n")}\n`;
      config.roots.push({ path: root, title: site.name });
    }
    return config;
  },
};
