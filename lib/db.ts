import "server-only";
import { createDb, type Db } from "./db-client";

// One client per process (and one across dev-server reloads).
const globalForDb = globalThis as unknown as { orchestraDb?: Db };
export const db: Db = globalForDb.orchestraDb ?? createDb();
if (process.env.NODE_ENV !== "production") globalForDb.orchestraDb = db;
export type { Db };
