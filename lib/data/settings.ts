import "server-only";
import { db } from "../db";
import { parsePolicy, POLICY_KEY, type SystemUserPolicy } from "../services/system-users/policy";

type SettingReader = { setting: { findUnique(args: { where: { key: string } }): Promise<{ value: unknown } | null> } };

/** The system users policy (the defaults when none is stored). Pass a transaction to read inside it. */
export async function fetchSystemUserPolicy(client: SettingReader = db): Promise<SystemUserPolicy> {
  const row = await client.setting.findUnique({ where: { key: POLICY_KEY } });
  return parsePolicy(row?.value);
}
