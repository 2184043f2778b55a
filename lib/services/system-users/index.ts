// The system users service: Unix accounts on servers.
import type { TxDb } from "@/lib/orchestration/unit-of-work";
import { UserError } from "@/lib/actions/state";
import { hashPassword } from "@/lib/sign-in";
import { defineService } from "../kit";
import { systemUserBackend } from "./backend";
import { parsePolicy, POLICY_KEY, systemUserErrors } from "./policy";
import { floor, systemUserInput, systemUserSnapshot, type SystemUserInput, type SystemUserSnapshot } from "./schema";

export const systemUsers = defineService<SystemUserSnapshot, SystemUserInput, TxDb>({
  slug: "system-users",
  title: "System users",
  singular: "system user",
  description: "Unix accounts on servers (useradd / usermod / userdel).",
  model: "SystemUser",
  input: systemUserInput,
  refine: floor,
  snapshot: systemUserSnapshot,
  label: (u) => u.username,
  secretFields: ["passwordHash"],
  secretInputs: ["password"],
  ignoredFields: ["description"],
  backends: [systemUserBackend],
  resources: [
    {
      name: "disk",
      title: "Disk usage",
      unit: "MiB",
      description: "The size of the home directory on each server (du), summed.",
      defaultLimit: null,
      exceeded: { title: "Disable the account", set: { active: false } },
      recovery: { title: "Enable the account again", set: { active: true } },
    },
  ],
  list: {
    columns: [
      { label: "Username", value: (u) => u.username, mono: true },
      { label: "UID", value: (u) => u.uid ?? "auto" },
      { label: "Shell", value: (u) => u.shell, mono: true },
      { label: "Groups", value: (u) => u.groups.join(", "), mono: true },
      { label: "Active", value: (u) => u.active },
    ],
    search: (q, { insensitive }) => ({
      OR: [{ username: { contains: q, ...(insensitive && { mode: "insensitive" }) } }, { description: { contains: q, ...(insensitive && { mode: "insensitive" }) } }, { shell: { contains: q } }],
    }),
    filters: [
      { name: "active", label: "Active", options: [{ value: "yes", label: "Active", where: { active: true } }, { value: "no", label: "Inactive", where: { active: false } }] },
      { name: "password", label: "Password", options: [{ value: "set", label: "Set", where: { passwordHash: { not: null } } }, { value: "none", label: "None", where: { passwordHash: null } }] },
    ],
    sorts: [
      { field: "username", label: "Username" },
      { field: "createdAt", label: "Created" },
      { field: "updatedAt", label: "Updated" },
    ],
  },
  // The system users policy binds operators; nobody crosses its hard floor (see policy.ts).
  async check(input, { db, user }) {
    const policy = parsePolicy((await db.setting.findUnique({ where: { key: POLICY_KEY } }))?.value);
    const errors = systemUserErrors(input, policy, user.role);
    if (Object.keys(errors).length) throw new UserError("This system user is outside the system users policy: nothing was changed.", undefined, errors);
  },
  // The password becomes a bcrypt crypt(3) hash (glibc's libxcrypt reads `$2b$`); an empty one keeps the current.
  async data({ password, ...input }) {
    return { ...input, ...(password ? { passwordHash: await hashPassword(password as string) } : {}) };
  },
});
