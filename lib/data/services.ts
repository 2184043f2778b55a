// Readers of the generic service pages: lists with search, filters, sorting and keyset paging, one
// object without its secret fields, and the latest operation of an object on each server.
import type { Db } from "../db-client";
import { delegateName, onPostgres, toSnapshot } from "../orchestration/snapshot";
import type { Snapshot } from "../orchestration/types";
import type { Service } from "../services/kit";

type Reader = Pick<Db, "operation">;
type Delegate = {
  findMany(args: unknown): Promise<Array<Record<string, unknown>>>;
  findUnique(args: unknown): Promise<Record<string, unknown> | null>;
  count(args: unknown): Promise<number>;
};

function delegate(db: object, service: Service): Delegate {
  return (db as Record<string, Delegate>)[delegateName(service.model)];
}

export type ListQuery = {
  q: string;
  sort: string;
  dir: "asc" | "desc";
  /** Keyset cursor: the sort value and id of the last row of the previous page. */
  after: string | null;
  filters: Record<string, string>;
};

type Params = Record<string, string | string[] | undefined>;

/** The list's query from the URL; anything unknown falls back to the defaults. */
export function parseListQuery(service: Service, params: Params): ListQuery {
  const one = (k: string) => (typeof params[k] === "string" ? (params[k] as string) : "");
  const sort = service.list.sorts.some((s) => s.field === one("sort")) ? one("sort") : service.list.sorts[0].field;
  const filters: Record<string, string> = {};
  for (const filter of service.list.filters ?? []) {
    const value = one(`f.${filter.name}`);
    if (filter.options.some((o) => o.value === value)) filters[filter.name] = value;
  }
  return { q: one("q").trim().slice(0, 200), sort, dir: one("dir") === "desc" ? "desc" : "asc", after: one("after") || null, filters };
}

/** The URL search string of a list query (for links that keep it: next page, sorting). */
export function listHref(service: Service, query: ListQuery, change: Partial<ListQuery> = {}): string {
  const next = { ...query, ...change };
  const params = new URLSearchParams();
  if (next.q) params.set("q", next.q);
  for (const [k, v] of Object.entries(next.filters)) params.set(`f.${k}`, v);
  if (next.sort !== service.list.sorts[0].field) params.set("sort", next.sort);
  if (next.dir !== "asc") params.set("dir", next.dir);
  if (next.after) params.set("after", next.after);
  const text = params.toString();
  return `/services/${service.slug}${text ? `?${text}` : ""}`;
}

function encodeCursor(value: unknown, id: unknown): string {
  return Buffer.from(JSON.stringify([value instanceof Date ? { d: value.toISOString() } : value, id])).toString("base64url");
}

function decodeCursor(cursor: string): { value: unknown; id: number } | null {
  try {
    const [value, id] = JSON.parse(Buffer.from(cursor, "base64url").toString("utf8"));
    if (!Number.isInteger(id)) return null;
    const decoded = value && typeof value === "object" && typeof value.d === "string" ? new Date(value.d) : value;
    if (decoded instanceof Date && Number.isNaN(decoded.getTime())) return null;
    if (!(decoded instanceof Date) && !["string", "number", "boolean"].includes(typeof decoded)) return null;
    return { value: decoded, id };
  } catch {
    return null;
  }
}

function omitSecrets(service: Service): Record<string, true> | undefined {
  const secret = service.secretFields ?? [];
  return secret.length ? Object.fromEntries(secret.map((f) => [f, true])) : undefined;
}

export type ServiceList = {
  objects: Snapshot[];
  /** Objects matching the search and filters (all pages). */
  total: number;
  /** Cursor of the next page, or null on the last one. */
  next: string | null;
};

/** One page of a service's objects, in (sort column, id) order: stable however many rows there are. */
export async function fetchServiceList(db: object, service: Service, query: ListQuery, pageSize = 50): Promise<ServiceList> {
  const filters = (service.list.filters ?? []).flatMap((f) => {
    const option = f.options.find((o) => o.value === query.filters[f.name]);
    return option ? [option.where] : [];
  });
  const search = query.q ? [service.list.search(query.q, { insensitive: onPostgres(db) })] : [];
  const where = { AND: [...search, ...filters] };
  const cursor = query.after ? decodeCursor(query.after) : null;
  const op = query.dir === "asc" ? "gt" : "lt";
  const keyset = cursor ? [{ OR: [{ [query.sort]: { [op]: cursor.value } }, { [query.sort]: cursor.value, id: { [op]: cursor.id } }] }] : [];
  const model = delegate(db, service);
  const [rows, total] = await Promise.all([
    model.findMany({
      where: { AND: [where, ...keyset] },
      orderBy: [{ [query.sort]: query.dir }, { id: query.dir }],
      take: pageSize + 1,
      omit: omitSecrets(service),
      ...(service.include && { include: service.include }),
    }),
    model.count({ where }),
  ]);
  const page = rows.slice(0, pageSize);
  const last = page[page.length - 1];
  return {
    objects: page.map((r) => toSnapshot(r)!),
    total,
    next: rows.length > pageSize && last ? encodeCursor(last[query.sort], last.id) : null,
  };
}

export type ServiceObject = {
  object: Snapshot;
  /** Which secret fields hold a value (never the value). */
  secretsSet: Record<string, boolean>;
};

/** One object without its secret fields; null when it does not exist. */
export async function fetchServiceObject(db: object, service: Service, id: number): Promise<ServiceObject | null> {
  const model = delegate(db, service);
  const row = await model.findUnique({ where: { id }, omit: omitSecrets(service), ...(service.include && { include: service.include }) });
  if (!row) return null;
  const secretsSet: Record<string, boolean> = {};
  for (const field of service.secretFields ?? []) secretsSet[field] = (await model.count({ where: { id, [field]: { not: null } } })) > 0;
  return { object: toSnapshot(row)!, secretsSet };
}

/** The newest operation of each object of a model (for a page of a list). */
export async function fetchLatestStates(db: Reader, model: string, objectIds: Array<number | string>): Promise<Map<string, string>> {
  const rows = await db.operation.findMany({
    where: { model, objectId: { in: objectIds.map(String) } },
    orderBy: { id: "desc" },
    distinct: ["objectId"],
    select: { objectId: true, state: true },
  });
  return new Map(rows.map((r) => [r.objectId, r.state]));
}

export type ServerState = { server: { id: number; name: string }; operationId: number; backend: string; action: string; state: string; createdAt: Date; logId: number | null };

/** The newest operation of one object on each server and backend it went to. */
export async function fetchObjectOnServers(db: Reader, model: string, objectId: number): Promise<ServerState[]> {
  const rows = await db.operation.findMany({
    where: { model, objectId: String(objectId) },
    orderBy: { id: "desc" },
    distinct: ["serverId", "backend"],
    select: {
      id: true, backend: true, action: true, state: true, createdAt: true,
      server: { select: { id: true, name: true } },
      scriptLogs: { select: { scriptLogId: true }, orderBy: { scriptLogId: "desc" }, take: 1 },
    },
  });
  return rows
    .map((r) => ({ server: r.server, operationId: r.id, backend: r.backend, action: r.action, state: r.state, createdAt: r.createdAt, logId: r.scriptLogs[0]?.scriptLogId ?? null }))
    .sort((a, b) => a.server.name.localeCompare(b.server.name) || a.backend.localeCompare(b.backend));
}
