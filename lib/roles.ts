// Who may do what. Viewers read; operators change service objects (and run them); admins also manage
// servers, routes and users.
export const ROLES = ["viewer", "operator", "admin"] as const;
export type Role = (typeof ROLES)[number];

const rank: Record<Role, number> = { viewer: 0, operator: 1, admin: 2 };

export function isRole(value: unknown): value is Role {
  return typeof value === "string" && (ROLES as readonly string[]).includes(value);
}

/** True when `role` is at least `required`. Unknown roles have no rights. */
export function hasRole(role: unknown, required: Role): boolean {
  return isRole(role) && rank[role] >= rank[required];
}
