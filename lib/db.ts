import "server-only";
import { createDb, type Db } from "./db-client";

// One client per process, kept on globalThis: Next.js may load this module in more than one bundle
// (instrumentation, app routes) and across dev-server reloads, and they must share one connection.
const globalForDb = globalThis as unknown as { orchestraDb?: Db };
export const db: Db = (globalForDb.orchestraDb ??= createDb());
export type { Db };
