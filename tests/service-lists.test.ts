// The generic service lists on the database under test (SQLite, or PostgreSQL when TEST_DATABASE_URL
// says so): search is case-insensitive on both, keyset paging visits every row exactly once in order,
// filters combine with search, and secret fields never leave the reader.
import { beforeAll, describe, expect, it } from "vitest";
import { fetchServiceList, fetchServiceObject, parseListQuery } from "../lib/data/services";
import { serviceBySlug } from "../lib/services";
import { resetDb, testDb } from "./db";

const db = testDb();
const users = serviceBySlug("system-users")!;
const sites = serviceBySlug("websites")!;
const name = (i: number) => `list${String(i).padStart(4, "0")}`;

beforeAll(async () => {
  await resetDb();
  await db.systemUser.createMany({ data: Array.from({ length: 1234 }, (_, i) => ({ username: name(i + 1), active: (i + 1) % 3 !== 0, passwordHash: i === 0 ? "$2b$12$secret" : null, description: i === 4 ? "Mixed Case Note" : "" })) });
  await db.website.create({ data: { name: "shop", domains: { create: [{ name: "shop.example.net" }, { name: "www.shop.example.net" }] } } });
  await db.website.create({ data: { name: "blog", domains: { create: [{ name: "blog.example.org" }] } } });
});

describe("service lists", () => {
  it("keyset paging visits every row once, in order, both directions", async () => {
    for (const dir of ["asc", "desc"] as const) {
      const seen: string[] = [];
      let after: string | null = null;
      for (let page = 0; page < 100; page++) {
        const query = { ...parseListQuery(users, { dir }), after };
        const result = await fetchServiceList(db, users, query, 100);
        expect(result.total).toBe(1234);
        seen.push(...result.objects.map((o) => String(o.username)));
        if (!result.next) break;
        after = result.next;
      }
      const expected = Array.from({ length: 1234 }, (_, i) => name(i + 1));
      expect(seen).toEqual(dir === "asc" ? expected : expected.reverse());
    }
  });

  it("search is case-insensitive, combines with filters, and sorts by another key", async () => {
    const hits = await fetchServiceList(db, users, parseListQuery(users, { q: "LIST00", "f.active": "no" }));
    expect(hits.objects.map((o) => o.username)).toEqual(["list0003", "list0006", "list0009", "list0012", "list0015", "list0018", "list0021", "list0024", "list0027", "list0030", "list0033", "list0036", "list0039", "list0042", "list0045", "list0048", "list0051", "list0054", "list0057", "list0060", "list0063", "list0066", "list0069", "list0072", "list0075", "list0078", "list0081", "list0084", "list0087", "list0090", "list0093", "list0096", "list0099"]);
    expect((await fetchServiceList(db, users, parseListQuery(users, { q: "mixed case" }))).objects.map((o) => o.username)).toEqual(["list0005"]);
    expect((await fetchServiceList(db, sites, parseListQuery(sites, { q: "WWW.SHOP" }))).objects.map((o) => o.name)).toEqual(["shop"]);
    const byCreated = await fetchServiceList(db, users, parseListQuery(users, { sort: "createdAt", dir: "desc" }), 5);
    expect(byCreated.objects).toHaveLength(5);
    const next = await fetchServiceList(db, users, { ...parseListQuery(users, { sort: "createdAt", dir: "desc" }), after: byCreated.next }, 5);
    expect(next.objects.map((o) => o.id)).not.toContain(byCreated.objects[0].id);
  });

  it("unknown sort keys, filters and broken cursors fall back instead of failing", async () => {
    const query = parseListQuery(users, { sort: "passwordHash", "f.active": "maybe", dir: "sideways" });
    expect(query).toMatchObject({ sort: "username", dir: "asc", filters: {} });
    const result = await fetchServiceList(db, users, { ...query, after: "not-a-cursor" }, 3);
    expect(result.objects.map((o) => o.username)).toEqual(["list0001", "list0002", "list0003"]);
  });

  it("secret fields never leave the readers; only whether they are set", async () => {
    const page = await fetchServiceList(db, users, parseListQuery(users, { q: "list0001" }));
    expect(page.objects[0]).not.toHaveProperty("passwordHash");
    const one = await fetchServiceObject(db, users, page.objects[0].id as number);
    expect(one?.object).not.toHaveProperty("passwordHash");
    expect(one?.secretsSet).toEqual({ passwordHash: true });
    const filtered = await fetchServiceList(db, users, parseListQuery(users, { "f.password": "set" }));
    expect(filtered.objects.map((o) => o.username)).toEqual(["list0001"]);
  });
});
