import { Engine } from "../../lib/orchestration/engine";
import type { ScriptExecutor } from "../../lib/orchestration/executors/types";
import { createRegistry } from "../../lib/services/registry";
import { testDb } from "../db";

/** An engine on the test database; executes only when given an executor. */
export function testEngine(executor?: () => ScriptExecutor, options: { scriptTimeoutMs?: number; outputLimit?: number } = {}) {
  return new Engine({
    db: testDb(),
    registry: createRegistry(),
    executor: executor ?? (() => { throw new Error("this test does not execute scripts"); }),
    ...options,
  });
}
