// A website saved from the form onto a server of its own whose reload runs a given command: the save
// is queued (an async route), the worker runs it, and the spec gets the log as soon as it started.
// For specs about a script while it runs (its live output, cancelling it).
import { expect, type Page } from "@playwright/test";
import { e2eDb } from "./db";
import { e2eHosts } from "./hosts";

export async function queueSiteRun(page: Page, { server: name, site, reload }: { server: string; site: string; reload: string }) {
  const [host] = e2eHosts();
  const db = e2eDb();
  const prefix = site.slice(0, site.indexOf("-") + 1);
  const server = await db.server.create({
    data: { name, address: host.address, port: host.port, hostKeyFingerprint: host.fingerprint, variables: { ...host.nginx.variables, NGINX_RELOAD: reload } },
  });
  await db.route.create({ data: { backend: "nginx-websites", serverId: server.id, match: `object.name.startsWith(${JSON.stringify(prefix)})`, async: true } });

  await page.goto("/services/websites/new");
  await page.getByLabel("Name").fill(site);
  await page.getByLabel("Domains").fill(`${site}.test`);
  await page.getByRole("button", { name: "Add website" }).click();
  await expect(page.getByTestId("flash")).toContainText("saved");

  // the worker runs it; the log as soon as it started
  await expect.poll(async () => (await db.scriptLog.findFirst({ where: { serverId: server.id, state: "STARTED" } }))?.id ?? 0, { timeout: 20_000, intervals: [100] }).toBeGreaterThan(0);
  const log = await db.scriptLog.findFirstOrThrow({ where: { serverId: server.id, state: "STARTED" } });
  return { server, log };
}
