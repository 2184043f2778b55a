// Reader of an object's resources for its page: each resource the service declares, with the object's
// limit (its own or the default), the current value and state, and the measurements per server as a
// time series for the chart.
import type { Db } from "../db-client";
import type { ResourceSpec } from "../orchestration/backend";
import { effectiveLimit } from "../orchestration/monitors";

type Reader = Pick<Db, "resourceData" | "resourceLimit" | "server">;

export type ResourceSeries = { serverId: number; server: string; points: Array<{ at: Date; value: number }> };

export type ObjectResource = {
  spec: ResourceSpec;
  /** The object's own limit (null: the default applies). */
  ownLimit: number | null;
  limit: number | null;
  value: number | null;
  measuredAt: Date | null;
  exceededAt: Date | null;
  series: ResourceSeries[];
};

/** Days of measurements the chart shows, and at most this many points per resource (the newest). */
export const CHART_DAYS = 30;
export const CHART_POINTS = 500;

export async function fetchObjectResources(db: Reader, model: string, resources: readonly ResourceSpec[], objectId: number): Promise<ObjectResource[]> {
  if (resources.length === 0) return [];
  const id = String(objectId);
  const since = new Date(Date.now() - CHART_DAYS * 24 * 3600_000);
  const [limits, servers] = await Promise.all([
    db.resourceLimit.findMany({ where: { model, objectId: id } }),
    db.server.findMany({ select: { id: true, name: true } }),
  ]);
  const names = new Map(servers.map((s) => [s.id, s.name]));
  return Promise.all(
    resources.map(async (spec) => {
      const row = limits.find((l) => l.resource === spec.name);
      const data = await db.resourceData.findMany({
        where: { model, objectId: id, resource: spec.name, measuredAt: { gte: since } },
        orderBy: [{ measuredAt: "desc" }, { id: "desc" }],
        take: CHART_POINTS,
        select: { serverId: true, value: true, measuredAt: true },
      });
      const byServer = new Map<number, ResourceSeries>();
      for (const d of data.reverse()) {
        const series = byServer.get(d.serverId) ?? { serverId: d.serverId, server: names.get(d.serverId) ?? `#${d.serverId}`, points: [] };
        series.points.push({ at: d.measuredAt, value: d.value });
        byServer.set(d.serverId, series);
      }
      return {
        spec,
        ownLimit: row?.limitValue ?? null,
        limit: effectiveLimit(spec, row?.limitValue),
        value: row?.value ?? null,
        measuredAt: row?.measuredAt ?? null,
        exceededAt: row?.exceededAt ?? null,
        series: [...byServer.values()].sort((a, b) => a.server.localeCompare(b.server)),
      };
    }),
  );
}
