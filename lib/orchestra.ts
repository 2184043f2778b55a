import "server-only";
import { db } from "./db";
import { createEngine } from "./engine";
import type { Engine } from "./orchestration/engine";

// One engine per server process: its SSH connections are pooled across requests.
const globalForEngine = globalThis as unknown as { orchestraEngine?: Engine };
export const engine: Engine = globalForEngine.orchestraEngine ?? createEngine(db);
globalForEngine.orchestraEngine = engine;
