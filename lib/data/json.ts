// Json columns as typed values, for the readers: pages never cast. A value our own schemas did not
// write (a row edited by hand, an older version) reads as empty instead of breaking the page.
import type { Snapshot } from "../orchestration/types";

/** A list of strings (e.g. a route's asyncActions); anything else in it is dropped. */
export function stringList(value: unknown): string[] {
  return Array.isArray(value) ? value.filter((v): v is string => typeof v === "string") : [];
}

/** Name → value as scripts see it (e.g. server variables): every value as a string, as serverInfo() does. */
export function stringMap(value: unknown): Record<string, string> {
  if (!isObject(value)) return {};
  return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, String(v)]));
}

/** An object snapshot (an operation's or audit entry's before/after), or null. */
export function snapshot(value: unknown): Snapshot | null {
  return isObject(value) ? value : null;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
