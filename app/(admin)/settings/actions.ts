"use server";
import { revalidatePath } from "next/cache";
import { directAction } from "@/lib/actions";
import { POLICY_KEY, policySchema } from "@/lib/services/system-users/policy";

/** Admins only: the policy binds operators, so they cannot loosen it. */
export const saveSystemUserPolicy = directAction({ role: "admin", schema: policySchema }, async (policy, { db }) => {
  await db.setting.upsert({ where: { key: POLICY_KEY }, create: { key: POLICY_KEY, value: policy }, update: { value: policy } });
  revalidatePath("/settings");
  return { message: "System users policy saved. It applies to the next save of each system user." };
});
