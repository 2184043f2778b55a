// Every service this installation offers, in menu order. Adding a service: its Prisma model, its
// folder (schema, backends, declaration) and one line here. Registry, menu, pages, route samples and
// the test wipe order are derived from this list.
import { BackendRegistry } from "../orchestration/backend";
import type { Snapshot } from "../orchestration/types";
import type { Service } from "./kit";
import { systemUsers } from "./system-users";
import { mailAddresses } from "./mail-addresses";
import { mailDomains } from "./mail-domains";
import { mailboxes } from "./mailboxes";
import { webApps } from "./web-apps";
import { websites } from "./websites";
import { domains } from "./domains";
import { databases } from "./databases";
import { databaseUsers } from "./database-users";

export const SERVICES: readonly Service[] = [
  systemUsers,
  webApps,
  websites,
  domains,
  databases,
  databaseUsers,
  mailDomains,
  mailboxes,
  mailAddresses,
];

export function serviceBySlug(slug: string): Service | null {
  return SERVICES.find((s) => s.slug === slug) ?? null;
}

export function serviceByModel(model: string): Service | null {
  return SERVICES.find((s) => s.model === model) ?? null;
}

/** Every backend of every service. */
export function createRegistry(): BackendRegistry {
  return new BackendRegistry(SERVICES.flatMap((s) => s.backends));
}

/** The one registry of this process (the engine's, and the route checks'). */
export function servicesRegistry(): BackendRegistry {
  const store = globalThis as unknown as { orchestraRegistry?: BackendRegistry };
  store.orchestraRegistry ??= createRegistry();
  return store.orchestraRegistry;
}

/** A typed sample object per model, for checking route expressions. */
export const MODEL_SAMPLES: Record<string, Snapshot> = Object.fromEntries(SERVICES.map((s) => [s.model, s.sample]));

/**
 * Models of the services and their related rows, children first (for emptying a database). A service
 * refers only to services listed before it (a web app to its system user, a website to the web apps
 * it mounts), so later ones go first; a related model that is a service of its own keeps its place.
 */
export function serviceModelsChildrenFirst(): string[] {
  const main = new Set(SERVICES.map((s) => s.model));
  return [...SERVICES].reverse().flatMap((s) => [...(s.related ?? []).map((r) => r.model).filter((m) => !main.has(m)), s.model]);
}
