// The websites service: nginx server blocks, with their domains as rows of their own.
import type { TxDb } from "@/lib/orchestration/unit-of-work";
import { UserError } from "@/lib/actions/state";
import { defineService } from "../kit";
import { websiteBackend } from "./backend";
import { websiteIndexBackend } from "./index-backend";
import { websiteRegistryBackend } from "./registry-backend";
import { HTTPS_LABELS, refineWebsite, websiteInput, websiteSnapshot, type Mount, type WebsiteInput, type WebsiteSnapshot } from "./schema";

/** The web apps' ids of the mounts, or a UserError next to the field naming those that do not exist. */
async function appIdsOf(db: TxDb, mounts: Mount[]): Promise<Map<string, number>> {
  const names = [...new Set(mounts.map((m) => m.app))];
  const apps = names.length ? await db.webApp.findMany({ where: { name: { in: names } }, select: { id: true, name: true } }) : [];
  const missing = names.filter((n) => !apps.some((a) => a.name === n));
  if (missing.length) throw new UserError(`No web app ${missing.join(", ")}: create ${missing.length === 1 ? "it" : "them"} first.`, "mounts");
  return new Map(apps.map((a) => [a.name, a.id]));
}

export const websites = defineService<WebsiteSnapshot, WebsiteInput, TxDb>({
  slug: "websites",
  title: "Websites",
  singular: "website",
  description: "nginx server blocks, one per site, reloaded once per change; HTTPS with certificates from an ACME authority.",
  model: "Website",
  input: websiteInput,
  refine: refineWebsite,
  snapshot: websiteSnapshot,
  label: (s) => s.name,
  include: { domains: true, mounts: { select: { path: true, webApp: { select: { name: true, phpVersion: true } } }, orderBy: { path: "asc" } } },
  // Adding or removing a domain or a mount is a change of its website; so is a change of a mounted
  // web app (its name and PHP version make the socket nginx passes to): its rows carry their mounts.
  related: [
    { model: "WebsiteDomain", mainIds: (row) => [row.websiteId as number] },
    { model: "WebsiteMount", mainIds: (row) => [row.websiteId as number] },
    { model: "WebApp", mainIds: (row) => ((row.mounts as Array<{ websiteId: number }> | undefined) ?? []).map((m) => m.websiteId) },
  ],
  ignoredFields: ["description"],
  backends: [websiteBackend, websiteIndexBackend, websiteRegistryBackend],
  resources: [
    {
      name: "traffic",
      title: "Traffic",
      unit: "MiB",
      description: "Bytes sent, from the site's access log since its last rotation (servers set NGINX_ACCESS_LOG_DIR), summed over servers.",
      defaultLimit: null,
      exceeded: { title: "Disable the site", set: { enabled: false } },
      recovery: { title: "Enable the site again", set: { enabled: true } },
    },
  ],
  list: {
    columns: [
      { label: "Name", value: (s) => s.name, mono: true },
      { label: "Domains", value: (s) => s.domains.map((d) => d.name).join(" ") || "none", mono: true },
      { label: "Document root", value: (s) => s.documentRoot || "default", mono: true },
      { label: "Web apps", value: (s) => s.mounts.map((m) => `${m.path} ${m.webApp.name}`).join(", "), mono: true },
      { label: "HTTPS", value: (s) => HTTPS_LABELS[s.https] ?? s.https },
      { label: "Enabled", value: (s) => s.enabled },
    ],
    search: (q, { insensitive }) => {
      const text = { contains: q, ...(insensitive && { mode: "insensitive" }) };
      return { OR: [{ name: text }, { description: text }, { domains: { some: { name: { contains: q.toLowerCase() } } } }] };
    },
    filters: [
      { name: "enabled", label: "Enabled", options: [{ value: "yes", label: "Enabled", where: { enabled: true } }, { value: "no", label: "Disabled", where: { enabled: false } }] },
      { name: "https", label: "HTTPS", options: [{ value: "off", label: "Off", where: { https: "off" } }, { value: "on", label: "On or redirect", where: { https: { in: ["on", "redirect"] } } }] },
      { name: "domains", label: "Domains", options: [{ value: "none", label: "Without domains", where: { domains: { none: {} } } }] },
    ],
    sorts: [
      { field: "name", label: "Name" },
      { field: "createdAt", label: "Created" },
      { field: "updatedAt", label: "Updated" },
    ],
  },
  formValues: (s) => ({
    name: s.name,
    domains: s.domains.map((d) => d.name).join(", "),
    documentRoot: s.documentRoot,
    mounts: s.mounts.map((m) => `${m.path} ${m.webApp.name}`).join("\n"),
    https: s.https,
    httpsDomains: s.httpsDomains.join(", "),
    description: s.description,
    enabled: s.enabled,
  }),
  async check({ domains, mounts }, { db, id }) {
    await appIdsOf(db, mounts);
    const taken = await db.websiteDomain.findMany({
      where: { name: { in: domains }, ...(id ? { websiteId: { not: id } } : {}) },
      select: { name: true, website: { select: { name: true } } },
    });
    if (taken.length) throw new UserError(`Already served by another site: ${taken.map((d) => `${d.name} (${d.website.name})`).join(", ")}.`, "domains");
  },
  async create({ domains, mounts, ...data }, { db }) {
    const apps = await appIdsOf(db, mounts as Mount[]);
    return db.website.create({
      data: {
        ...(data as Omit<WebsiteInput, "domains" | "mounts">),
        domains: { create: (domains as string[]).map((name) => ({ name })) },
        mounts: { create: (mounts as Mount[]).map((m) => ({ path: m.path, webAppId: apps.get(m.app)! })) },
      },
    });
  },
  // Removing and adding domains are changes of the site too: the unit of work merges them into one save.
  async update(id, { domains, mounts, ...data }, { db }) {
    const apps = await appIdsOf(db, mounts as Mount[]);
    const mounted = await db.websiteMount.findMany({ where: { websiteId: id } });
    const wantedMounts = (mounts as Mount[]).map((m) => ({ path: m.path, webAppId: apps.get(m.app)! }));
    const unmounted = mounted.filter((m) => !wantedMounts.some((w) => w.path === m.path && w.webAppId === m.webAppId)).map((m) => m.id);
    const newMounts = wantedMounts.filter((w) => !mounted.some((m) => m.path === w.path && m.webAppId === w.webAppId));
    if (unmounted.length) await db.websiteMount.deleteMany({ where: { id: { in: unmounted } } });
    if (newMounts.length) await db.websiteMount.createMany({ data: newMounts.map((m) => ({ ...m, websiteId: id })) });
    const current = await db.websiteDomain.findMany({ where: { websiteId: id } });
    const wanted = domains as string[];
    const removed = current.filter((d) => !wanted.includes(d.name)).map((d) => d.id);
    const added = wanted.filter((name) => !current.some((d) => d.name === name));
    if (removed.length) await db.websiteDomain.deleteMany({ where: { id: { in: removed } } });
    if (added.length) await db.websiteDomain.createMany({ data: added.map((name) => ({ name, websiteId: id })) });
    await db.website.update({ where: { id }, data: data as Omit<WebsiteInput, "domains" | "mounts"> });
  },
});
