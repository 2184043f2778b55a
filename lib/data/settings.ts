import "server-only";
import type { TxDb } from "../orchestration/unit-of-work";
import { parsePolicy, POLICY_KEY, type SystemUserPolicy } from "../services/system-users/policy";

/** The system users policy (the defaults when none is stored). Pass a transaction to read inside it. */
export async function fetchSystemUserPolicy(db: TxDb): Promise<SystemUserPolicy> {
  const row = await db.setting.findUnique({ where: { key: POLICY_KEY } });
  return parsePolicy(row?.value);
}
