// The websites service: nginx server blocks, with their domains as rows of their own.
import type { TxDb } from "@/lib/orchestration/unit-of-work";
import { UserError } from "@/lib/actions/state";
import { defineService } from "../kit";
import { websiteBackend } from "./backend";
import { websiteIndexBackend } from "./index-backend";
import { websiteInput, websiteSnapshot, type WebsiteInput, type WebsiteSnapshot } from "./schema";

export const websites = defineService<WebsiteSnapshot, WebsiteInput, TxDb>({
  slug: "websites",
  title: "Websites",
  singular: "website",
  description: "nginx server blocks, one per site, reloaded once per change.",
  model: "Website",
  input: websiteInput,
  snapshot: websiteSnapshot,
  label: (s) => s.name,
  include: { domains: true },
  // Adding or removing a domain is a change of its website.
  related: [{ model: "WebsiteDomain", mainIds: (row) => [row.websiteId as number] }],
  ignoredFields: ["description"],
  backends: [websiteBackend, websiteIndexBackend],
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
      { label: "Enabled", value: (s) => s.enabled },
    ],
    search: (q, { insensitive }) => {
      const text = { contains: q, ...(insensitive && { mode: "insensitive" }) };
      return { OR: [{ name: text }, { description: text }, { domains: { some: { name: { contains: q.toLowerCase() } } } }] };
    },
    filters: [
      { name: "enabled", label: "Enabled", options: [{ value: "yes", label: "Enabled", where: { enabled: true } }, { value: "no", label: "Disabled", where: { enabled: false } }] },
      { name: "domains", label: "Domains", options: [{ value: "none", label: "Without domains", where: { domains: { none: {} } } }] },
    ],
    sorts: [
      { field: "name", label: "Name" },
      { field: "createdAt", label: "Created" },
      { field: "updatedAt", label: "Updated" },
    ],
  },
  async check({ domains }, { db, id }) {
    const taken = await db.websiteDomain.findMany({
      where: { name: { in: domains }, ...(id ? { websiteId: { not: id } } : {}) },
      select: { name: true, website: { select: { name: true } } },
    });
    if (taken.length) throw new UserError(`Already served by another site: ${taken.map((d) => `${d.name} (${d.website.name})`).join(", ")}.`, "domains");
  },
  async create({ domains, ...data }, { db }) {
    return db.website.create({ data: { ...(data as Omit<WebsiteInput, "domains">), domains: { create: (domains as string[]).map((name) => ({ name })) } } });
  },
  // Removing and adding domains are changes of the site too: the unit of work merges them into one save.
  async update(id, { domains, ...data }, { db }) {
    const current = await db.websiteDomain.findMany({ where: { websiteId: id } });
    const wanted = domains as string[];
    const removed = current.filter((d) => !wanted.includes(d.name)).map((d) => d.id);
    const added = wanted.filter((name) => !current.some((d) => d.name === name));
    if (removed.length) await db.websiteDomain.deleteMany({ where: { id: { in: removed } } });
    if (added.length) await db.websiteDomain.createMany({ data: added.map((name) => ({ name, websiteId: id })) });
    await db.website.update({ where: { id }, data: data as Omit<WebsiteInput, "domains"> });
  },
});
