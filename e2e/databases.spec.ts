// Databases and their users from the browser, on the production build: an operator adds a user and a
// database on MariaDB and on PostgreSQL, sees each run succeed, and the user then connects over TCP to
// the private daemons (e2e/global-setup.ts) with the password typed in the form.
import { readFileSync } from "node:fs";
import { expect, test, type Page } from "@playwright/test";
import { mariadbAs, psqlAs } from "../tests/support/sql-servers";
import { removeServer } from "./cleanup";
import { e2eDb } from "./db";
import { SQL_SERVERS_FILE } from "./global-setup";
import { e2eHosts } from "./hosts";
import { stateFile } from "./users";

type SqlServer = { address: string; port: number; variables: Record<string, string> };
const sqlServers = (): [SqlServer, SqlServer] => JSON.parse(readFileSync(SQL_SERVERS_FILE, "utf8"));
const SERVER = "sql-host";

test.beforeAll(async () => {
  const db = e2eDb();
  await removeServer(SERVER);
  await db.database.deleteMany({ where: { name: { startsWith: "e2e_" } } });
  await db.databaseUser.deleteMany({ where: { name: { startsWith: "e2e_" } } });
  const host = e2eHosts()[0];
  const [m, p] = sqlServers();
  const server = await db.server.create({ data: { name: SERVER, address: host.address, port: host.port, hostKeyFingerprint: host.fingerprint, variables: { ...m.variables, ...p.variables } } });
  await db.route.createMany({
    data: [
      { backend: "mariadb-users", serverId: server.id, match: 'object.engine == "mariadb"' },
      { backend: "postgresql-databases", serverId: server.id, match: 'object.engine == "postgresql"' },
      { backend: "postgresql-users", serverId: server.id, match: 'object.engine == "postgresql"' },
    ],
  });
});

test.afterAll(async () => {
  await removeServer(SERVER);
  await e2eDb().database.deleteMany({ where: { name: { startsWith: "e2e_" } } });
  await e2eDb().databaseUser.deleteMany({ where: { name: { startsWith: "e2e_" } } });
});

async function addUser(page: Page, fields: { name: string; engine: string; password: string; hosts?: string }) {
  await page.goto("/services/database-users/new");
  await page.getByLabel("Name").fill(fields.name);
  await page.getByLabel("Engine").selectOption({ label: fields.engine });
  await page.getByLabel("Password").fill(fields.password);
  if (fields.hosts !== undefined) await page.getByLabel("Hosts").fill(fields.hosts);
  await page.getByRole("button", { name: "Add database user" }).click();
  await expect(page.getByTestId("flash")).toContainText(`Database user ${fields.name} saved.`);
}

async function addDatabase(page: Page, fields: { name: string; engine: string; users: string }) {
  await page.goto("/services/databases/new");
  await page.getByLabel("Name").fill(fields.name);
  await page.getByLabel("Engine").selectOption({ label: fields.engine });
  await page.getByLabel("Users").fill(fields.users);
  await page.getByRole("button", { name: "Add database" }).click();
  await expect(page.getByTestId("flash")).toContainText(`Database ${fields.name} saved.`);
}

async function ranOk(page: Page, text: string) {
  await expect(page.getByTestId("runs")).toContainText(text);
  await expect(page.getByTestId("runs").locator("[data-state]")).toHaveAttribute("data-state", "SUCCESS");
}

test("an operator adds users and databases on MariaDB and PostgreSQL; the users connect with their passwords", async ({ page, browser }) => {
  const [m, p] = sqlServers();

  // the admin routes MariaDB databases by engine; the form checks the CEL against the database's sample
  await page.goto("/routes/new");
  await page.getByLabel("Backend").selectOption("mariadb-databases");
  await page.getByLabel("Server").selectOption({ label: SERVER });
  await page.getByLabel("Match (CEL)").fill('object.engine == "mariadb" && object.grants.all(g, g.privilege in ["all", "read"])');
  await page.getByRole("button", { name: "Add route" }).click();
  await expect(page.getByTestId("flash")).toContainText("Route for mariadb-databases added.");

  const operator = await browser.newContext({ storageState: stateFile("operator") });
  const op = await operator.newPage();

  await addUser(op, { name: "e2e_alice", engine: "MariaDB", password: "alice-e2e-pass", hosts: "%, 127.0.0.%" });
  await ranOk(op, `mariadb-users on ${SERVER}: save e2e_alice`);
  await addDatabase(op, { name: "e2e_shop", engine: "MariaDB", users: "e2e_alice" });
  await ranOk(op, `mariadb-databases on ${SERVER}: save e2e_shop`);
  expect(await mariadbAs(m, "e2e_alice", "alice-e2e-pass", "CREATE TABLE t (x INT); INSERT INTO t VALUES (1); SELECT COUNT(*) FROM t", "e2e_shop")).toBe("1\n");

  await addUser(op, { name: "e2e_bob", engine: "PostgreSQL", password: "bob-e2e-pass" });
  await ranOk(op, `postgresql-users on ${SERVER}: save e2e_bob`);
  await addDatabase(op, { name: "e2e_pgshop", engine: "PostgreSQL", users: "e2e_bob" });
  await ranOk(op, `postgresql-databases on ${SERVER}: save e2e_pgshop`);
  expect(await psqlAs(p, "e2e_bob", "bob-e2e-pass", "CREATE TABLE t (x int); INSERT INTO t VALUES (1); SELECT count(*) FROM t", "e2e_pgshop")).toBe("1\n");

  // the list shows who may use what; the hash is nowhere on the user's page
  await op.goto("/services/databases?q=e2e_");
  await expect(op.getByTestId("service-list")).toContainText("e2e_shop");
  await expect(op.getByTestId("service-list")).toContainText("e2e_alice");
  const alice = await e2eDb().databaseUser.findFirstOrThrow({ where: { name: "e2e_alice" } });
  await op.goto(`/services/database-users/${alice.id}`);
  await expect(op.getByLabel("Hosts")).toHaveValue("%, 127.0.0.%");
  expect(await op.content()).not.toContain(alice.passwordHash!);

  // a new password typed in the form: the old one stops working
  await op.getByLabel("Password").fill("alice-new-pass");
  await op.getByRole("button", { name: "Save database user" }).click();
  await ranOk(op, `mariadb-users on ${SERVER}: save e2e_alice`);
  await expect(mariadbAs(m, "e2e_alice", "alice-e2e-pass", "SELECT 1")).rejects.toThrow(/Access denied/);
  expect(await mariadbAs(m, "e2e_alice", "alice-new-pass", "SELECT COUNT(*) FROM t", "e2e_shop")).toBe("1\n");

  // deleting a database asks first, then drops it on its server
  const shop = await e2eDb().database.findFirstOrThrow({ where: { name: "e2e_shop" } });
  await op.goto(`/services/databases/${shop.id}`);
  op.once("dialog", (d) => d.accept());
  await op.getByRole("button", { name: "Delete" }).click();
  await expect(op.getByTestId("flash")).toContainText("Database e2e_shop deleted.");
  await expect(mariadbAs(m, "e2e_alice", "alice-new-pass", "SELECT 1", "e2e_shop")).rejects.toThrow(/Unknown database|Access denied/);
  await operator.close();
});
