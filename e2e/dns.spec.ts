// An operator keeps a DNS zone in the browser: records typed one per line (a wrong one is pointed out
// by its line), the runs on a BIND primary and a secondary succeed, and the real named processes
// (started by global-setup.ts on 127.0.7.1/.2, reached from the sshd test hosts) answer with dig.
import { readFileSync } from "node:fs";
import { expect, test } from "@playwright/test";
import { dig, servedSerial } from "../tests/support/bind";
import { removeServer } from "./cleanup";
import { e2eDb } from "./db";
import { BIND_FILE } from "./global-setup";
import { e2eHosts } from "./hosts";
import { stateFile } from "./users";

type Named = { address: string; port: number; variables: Record<string, string> };
const named = (): Named[] => JSON.parse(readFileSync(BIND_FILE, "utf8"));

test.use({ storageState: stateFile("operator") });

async function cleanUp() {
  await e2eDb().domain.deleteMany({ where: { name: { endsWith: ".e2e.test" } } });
  await removeServer("dns-ns1");
  await removeServer("dns-ns2");
}

test.beforeAll(async () => {
  await cleanUp();
  const db = e2eDb();
  const hosts = e2eHosts();
  // Each test host's scripts reach one named; other servers reach that named at its own address.
  for (const [i, ns] of named().entries()) {
    const server = await db.server.create({
      data: { name: `dns-ns${i + 1}`, address: hosts[i].address, port: hosts[i].port, hostKeyFingerprint: hosts[i].fingerprint, variables: { ...ns.variables, BIND_PEER_ADDRESS: ns.address } },
    });
    await db.route.create({ data: { backend: i === 0 ? "bind9-primary" : "bind9-secondary", serverId: server.id, match: 'object.name.endsWith(".e2e.test")' } });
  }
});

test.afterAll(cleanUp);

test("an operator adds a zone with records: both runs succeed and named answers; a change raises the serial; delete", async ({ page }) => {
  const [primary, secondary] = named();
  const records = ["@ NS ns1", "ns1 A 127.0.7.1", "www A 192.0.2.10", "@ MX 10 mail", "mail A 192.0.2.25", '@ TXT "v=spf1 mx -all"'];

  await page.goto("/services/domains/new");
  await page.getByLabel("Zone").fill("shop.e2e.test");
  await page.getByLabel("Primary name server").fill("ns1.shop.e2e.test");
  // a CNAME beside other data is pointed out by its line, and nothing is saved
  await page.getByLabel("Records").fill([...records, "www CNAME elsewhere.example.net."].join("\n"));
  await page.getByRole("button", { name: "Add domain" }).click();
  await expect(page.getByTestId("records-error")).toHaveText("Line 7: www has a CNAME, so it can have no other record (line 3).");
  expect(await e2eDb().domain.count({ where: { name: "shop.e2e.test" } })).toBe(0);

  await page.getByLabel("Records").fill(records.join("\n"));
  await page.getByRole("button", { name: "Add domain" }).click();
  const runs = page.getByTestId("runs");
  await expect(runs).toContainText("bind9-primary on dns-ns1: save shop.e2e.test");
  await expect(runs).toContainText("bind9-secondary on dns-ns2: save shop.e2e.test");
  await expect(runs.locator("[data-state]")).toHaveCount(2);
  for (const state of await runs.locator("[data-state]").all()) await expect(state).toHaveAttribute("data-state", "SUCCESS");
  expect((await dig(primary, "www.shop.e2e.test")).answers).toEqual(["192.0.2.10"]);
  expect((await dig(primary, "shop.e2e.test", "MX")).answers).toEqual(["10 mail.shop.e2e.test."]);
  await expect.poll(() => dig(secondary, "www.shop.e2e.test").then((a) => a.answers), { timeout: 10_000 }).toEqual(["192.0.2.10"]);

  // the form shows the records as typed; a changed address reaches both servers with a higher serial
  const domain = await e2eDb().domain.findUniqueOrThrow({ where: { name: "shop.e2e.test" } });
  await page.goto(`/services/domains/${domain.id}`);
  await expect(page.getByLabel("Records")).toHaveValue(records.join("\n"));
  await page.getByLabel("Records").fill(records.join("\n").replace("192.0.2.10", "192.0.2.20"));
  await page.getByRole("button", { name: "Save domain" }).click();
  await expect(page.getByTestId("flash")).toContainText("Domain shop.e2e.test saved.");
  const { serial } = await e2eDb().domain.findUniqueOrThrow({ where: { id: domain.id } });
  expect(serial).toBeGreaterThan(domain.serial);
  for (const ns of [primary, secondary]) {
    await expect.poll(() => servedSerial(ns, "shop.e2e.test"), { timeout: 10_000 }).toBe(serial);
    expect((await dig(ns, "www.shop.e2e.test")).answers).toEqual(["192.0.2.20"]);
  }
  await page.goto("/services/domains?q=shop");
  await expect(page.getByTestId("service-list")).toContainText(String(serial));

  // delete: both servers stop answering for the zone
  await page.goto(`/services/domains/${domain.id}`);
  page.once("dialog", (d) => d.accept());
  await page.getByRole("button", { name: "Delete" }).click();
  await expect(page.getByTestId("flash")).toContainText("Domain shop.e2e.test deleted.");
  for (const ns of [primary, secondary]) expect((await dig(ns, "www.shop.e2e.test")).status).toBe("REFUSED");
});
