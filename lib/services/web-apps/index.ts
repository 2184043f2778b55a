// The web apps service: PHP applications, each a PHP-FPM pool run as one of the system users.
import type { TxDb } from "@/lib/orchestration/unit-of-work";
import { UserError } from "@/lib/actions/state";
import { defineService } from "../kit";
import { phpFpmPoolsBackend } from "./backend";
import { webAppInput, webAppSnapshot, type WebAppInput, type WebAppSnapshot } from "./schema";

async function systemUserIdOf(db: TxDb, username: string): Promise<number> {
  const user = await db.systemUser.findUnique({ where: { username } });
  if (!user) throw new UserError(`No system user ${username}: create it first.`, "systemUser");
  return user.id;
}

export const webApps = defineService<WebAppSnapshot, WebAppInput, TxDb>({
  slug: "web-apps",
  title: "Web apps",
  singular: "web app",
  description: "PHP applications: one PHP-FPM pool each, run as a system user, with their php.ini settings.",
  model: "WebApp",
  input: webAppInput,
  snapshot: webAppSnapshot,
  label: (a) => a.name,
  // its mounts name the websites to re-render when it changes (see the websites' related models)
  include: { systemUser: true, mounts: { select: { websiteId: true } } },
  ignoredFields: ["description"],
  backends: [phpFpmPoolsBackend],
  list: {
    columns: [
      { label: "Name", value: (a) => a.name, mono: true },
      { label: "User", value: (a) => a.systemUser.username, mono: true },
      { label: "PHP", value: (a) => a.phpVersion },
      { label: "memory_limit", value: (a) => a.memoryLimit, mono: true },
    ],
    search: (q) => ({ OR: [{ name: { contains: q.toLowerCase() } }, { systemUser: { username: { contains: q.toLowerCase() } } }] }),
    sorts: [
      { field: "name", label: "Name" },
      { field: "createdAt", label: "Created" },
    ],
  },
  formValues: (a) => ({ name: a.name, systemUser: a.systemUser.username, phpVersion: a.phpVersion, memoryLimit: a.memoryLimit, uploadMaxFilesize: a.uploadMaxFilesize, maxChildren: a.maxChildren, description: a.description }),
  async usedBy(ids, db) {
    const mounts = await db.websiteMount.findMany({ where: { webAppId: { in: [...ids] } }, select: { path: true, website: { select: { name: true } }, webApp: { select: { name: true } } } });
    return mounts.map((m) => `${m.webApp.name} is served by website ${m.website.name} at ${m.path}`);
  },
  async check(input, { db }) {
    await systemUserIdOf(db, input.systemUser);
  },
  async data({ systemUser, ...input }, { db }) {
    return { ...input, systemUserId: await systemUserIdOf(db, systemUser) };
  },
});
