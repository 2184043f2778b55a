import "server-only";
import type { Db } from "../db-client";

export type CertificateRow = {
  id: number;
  website: { id: number; name: string; https: string };
  server: { id: number; name: string };
  domains: string[];
  notAfter: Date | null;
  lastError: string;
  lastLogId: number | null;
  updatedAt: Date;
};

const DAY_MS = 86_400_000;

const select = {
  id: true,
  domains: true,
  notAfter: true,
  lastError: true,
  lastLogId: true,
  updatedAt: true,
  website: { select: { id: true, name: true, https: true } },
  server: { select: { id: true, name: true } },
} as const;

function parse(row: Omit<CertificateRow, "domains"> & { domains: unknown }): CertificateRow {
  return { ...row, domains: Array.isArray(row.domains) ? row.domains.filter((d): d is string => typeof d === "string") : [] };
}

/** A website's certificates, one per server, as the servers last reported them. */
export async function fetchWebsiteCertificates(db: Db, websiteId: number): Promise<CertificateRow[]> {
  return (await db.certificate.findMany({ where: { websiteId }, select, orderBy: { id: "asc" } })).map(parse);
}

/**
 * Certificates that expire within `days` (soonest first), those without a known expiry and those whose
 * last request failed: what an operator has to look at.
 */
export async function fetchExpiringCertificates(db: Db, days = 30, now = new Date()): Promise<CertificateRow[]> {
  const horizon = new Date(now.getTime() + days * DAY_MS);
  const rows = await db.certificate.findMany({ where: { OR: [{ notAfter: { lte: horizon } }, { notAfter: null }, { lastError: { not: "" } }] }, select, orderBy: [{ notAfter: "asc" }, { id: "asc" }], take: 500 });
  return rows.map(parse);
}

/** Every certificate, soonest expiry first. */
export async function fetchCertificates(db: Db): Promise<CertificateRow[]> {
  return (await db.certificate.findMany({ select, orderBy: [{ notAfter: "asc" }, { id: "asc" }], take: 1000 })).map(parse);
}

/** "in 12 days", "expired 3 days ago" (whole days, rounded down). */
export function expiresIn(notAfter: Date | null, now = new Date()): string {
  if (!notAfter) return "unknown";
  const days = Math.floor((notAfter.getTime() - now.getTime()) / DAY_MS);
  if (notAfter.getTime() <= now.getTime()) return `expired ${Math.max(0, -days - 1)} day(s) ago`;
  return days === 0 ? "within a day" : `in ${days} day(s)`;
}

/** The active schedules that renew certificates (none: nothing renews them). */
export async function renewalSchedules(db: Db): Promise<Array<{ id: number; name: string; cron: string }>> {
  return db.schedule.findMany({ where: { kind: "renew-certificates", active: true }, select: { id: true, name: true, cron: true }, orderBy: { id: "asc" } });
}
