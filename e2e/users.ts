// The accounts the e2e run creates (e2e/global-setup.ts) and signs in with (e2e/auth.setup.ts).
export const USERS = {
  admin: { email: "admin@e2e.test", password: "admin-password-1", role: "admin" },
  operator: { email: "operator@e2e.test", password: "operator-password-1", role: "operator" },
  viewer: { email: "viewer@e2e.test", password: "viewer-password-1", role: "viewer" },
} as const;

export type E2eRole = keyof typeof USERS;
export const stateFile = (role: E2eRole) => `e2e/.auth/${role}.json`;
