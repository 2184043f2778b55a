// A sync-kind backend: the full list of a server's websites as an nginx `map` file (domain → site),
// rendered from the database every time and replacing what is there. Memoryless, so it is safe to
// run late, out of order, or once for many queued changes.
//   SITES_MAP_FILE  /etc/nginx/orchestra-sites.map
import { sh } from "@/lib/orchestration/shell";
import { defineBackend } from "../kit";
import { SERVER_NAME, SITE_NAME } from "./backend";
import { websiteSnapshot, type WebsiteSnapshot } from "./schema";

/** The map's lines; a name or domain that is not a plain token is refused (the run is ERROR, nothing runs). */
export function mapLines(sites: ReadonlyArray<Pick<WebsiteSnapshot, "name" | "enabled" | "domains">>): string[] {
  const lines = ["# managed by Orchestra: every enabled website of this server"];
  for (const site of sites) {
    if (!site.enabled) continue;
    if (typeof site.name !== "string" || !SITE_NAME.test(site.name)) throw new Error(`refusing to render the websites map: the site name ${JSON.stringify(site.name)} is not a plain name.`);
    for (const domain of site.domains) {
      if (typeof domain?.name !== "string" || !SERVER_NAME.test(domain.name)) {
        throw new Error(`refusing to render the websites map: website ${site.name} has the domain ${JSON.stringify(domain?.name)}, which cannot go into an nginx configuration.`);
      }
      lines.push(`${domain.name} ${site.name};`);
    }
  }
  return lines;
}

export const websiteIndexBackend = defineBackend(websiteSnapshot, {
  name: "websites-map",
  title: "Websites map file (sync)",
  model: "Website",
  kind: "sync",
  actions: ["save", "delete"],
  method: "ssh",
  variables: { SITES_MAP_FILE: { default: "/etc/nginx/orchestra-sites.map", description: "The map file (domain → site) of every enabled site of the server." } },
  sync(ctx, objects) {
    const file = ctx.variable("SITES_MAP_FILE");
    ctx.append(sh`mkdir -p -- "$(dirname -- ${file})"`);
    ctx.append(sh`printf '%s\\n' ${mapLines(objects)} > ${`${file}.new`}`);
    ctx.append(sh`mv -f -- ${`${file}.new`} ${file}`);
  },
});
