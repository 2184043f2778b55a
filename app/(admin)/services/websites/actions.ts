"use server";
import { revalidatePath } from "next/cache";
import { z } from "zod";
import { action, type ActionDb } from "@/lib/actions";
import { UserError } from "@/lib/actions/state";
import { idParam } from "@/lib/schemas/common";
import { websiteSchema, websiteUpdateSchema } from "@/lib/services/websites/schema";

async function assertDomainsFree(db: ActionDb, domains: string[], websiteId?: number) {
  const taken = await db.websiteDomain.findMany({
    where: { name: { in: domains }, ...(websiteId ? { websiteId: { not: websiteId } } : {}) },
    select: { name: true, website: { select: { name: true } } },
  });
  if (taken.length) throw new UserError(`Already served by another site: ${taken.map((d) => `${d.name} (${d.website.name})`).join(", ")}.`, "domains");
}

export const createWebsite = action({ role: "operator", schema: websiteSchema }, async ({ domains, ...input }, { db }) => {
  await assertDomainsFree(db, domains);
  const site = await db.website.create({ data: { ...input, domains: { create: domains.map((name) => ({ name })) } } });
  revalidatePath("/services/websites");
  return { message: `Website ${site.name} saved.`, redirectTo: `/services/websites/${site.id}` };
});

export const updateWebsite = action({ role: "operator", schema: websiteUpdateSchema }, async ({ id, domains, ...input }, { db }) => {
  const current = await db.website.findUnique({ where: { id }, include: { domains: true } });
  if (!current) throw new UserError("This website no longer exists.");
  await assertDomainsFree(db, domains, id);
  // Removing and adding domains are changes of the site too: the unit of work merges them into one save.
  const removed = current.domains.filter((d) => !domains.includes(d.name)).map((d) => d.id);
  const added = domains.filter((name) => !current.domains.some((d) => d.name === name));
  if (removed.length) await db.websiteDomain.deleteMany({ where: { id: { in: removed } } });
  if (added.length) await db.websiteDomain.createMany({ data: added.map((name) => ({ name, websiteId: id })) });
  const site = await db.website.update({ where: { id }, data: input });
  revalidatePath("/services/websites");
  return { message: `Website ${site.name} saved.`, redirectTo: `/services/websites/${id}` };
});

export const deleteWebsite = action({ role: "operator", schema: z.object({ id: idParam }) }, async ({ id }, { db }) => {
  const site = await db.website.findUnique({ where: { id } });
  if (!site) throw new UserError("This website no longer exists.");
  await db.website.delete({ where: { id } });
  revalidatePath("/services/websites");
  return { message: `Website ${site.name} deleted.`, redirectTo: "/services/websites" };
});
