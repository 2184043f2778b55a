import "server-only";
import type { TxDb } from "../orchestration/unit-of-work";
import { snapshot } from "./json";

export const AUDIT_PAGE_SIZE = 50;

export type AuditFilters = { entity?: string; user?: string; entityId?: string; before?: number };

export function parseAuditFilters(params: Record<string, string | string[] | undefined>): AuditFilters {
  const one = (k: string) => (typeof params[k] === "string" && params[k] ? (params[k] as string).slice(0, 200) : undefined);
  const before = Number(one("before"));
  return {
    entity: one("entity"),
    user: one("user"),
    entityId: one("id"),
    before: Number.isInteger(before) && before > 0 ? before : undefined,
  };
}

export type AuditEntry = {
  id: number;
  createdAt: Date;
  userEmail: string;
  action: string;
  entity: string;
  entityId: string;
  summary: string;
  /** Field → [before, after], only the fields that differ (all fields for a create or delete). */
  changes: Array<{ field: string; before: string; after: string }>;
};

/** A page of audit entries, newest first, by id cursor. */
export async function fetchAuditLog(db: TxDb, filters: AuditFilters): Promise<{ entries: AuditEntry[]; nextBefore: number | null }> {
  const rows = await db.auditLog.findMany({
    where: {
      ...(filters.entity ? { entity: filters.entity } : {}),
      ...(filters.user ? { userEmail: filters.user } : {}),
      ...(filters.entityId ? { entityId: filters.entityId } : {}),
      ...(filters.before ? { id: { lt: filters.before } } : {}),
    },
    orderBy: { id: "desc" },
    take: AUDIT_PAGE_SIZE + 1,
  });
  const page = rows.slice(0, AUDIT_PAGE_SIZE);
  return {
    entries: page.map(({ before, after, ...r }) => ({ ...r, changes: changesOf(snapshot(before), snapshot(after)) })),
    nextBefore: rows.length > AUDIT_PAGE_SIZE ? page[page.length - 1].id : null,
  };
}

export async function fetchAuditChoices(db: TxDb) {
  const [entities, users] = await Promise.all([
    db.auditLog.findMany({ select: { entity: true }, distinct: ["entity"], orderBy: { entity: "asc" } }),
    db.auditLog.findMany({ select: { userEmail: true }, distinct: ["userEmail"], orderBy: { userEmail: "asc" } }),
  ]);
  return { entities: entities.map((e) => e.entity), users: users.map((u) => u.userEmail).filter(Boolean) };
}

const HIDDEN = new Set(["id", "createdAt", "updatedAt"]);

function changesOf(before: Record<string, unknown> | null, after: Record<string, unknown> | null) {
  const show = (v: unknown) => (v === undefined ? "" : typeof v === "string" ? v : JSON.stringify(v));
  return Object.keys({ ...before, ...after })
    .filter((field) => !HIDDEN.has(field))
    .map((field) => ({ field, before: show(before?.[field]), after: show(after?.[field]) }))
    .filter((c) => !(before && after) || c.before !== c.after);
}
