// The accounts the e2e run creates (e2e/global-setup.ts) and signs in with (e2e/auth.setup.ts).
export const USERS = {
  admin: { email: "admin@e2e.test", password: "admin-password-1", role: "admin" },
  operator: { email: "operator@e2e.test", password: "operator-password-1", role: "operator" },
  viewer: { email: "viewer@e2e.test", password: "viewer-password-1", role: "viewer" },
} as const;

export type E2eRole = keyof typeof USERS;
export const stateFile = (role: E2eRole) => `e2e/.auth/${role}.json`;

// Accounts of their own for specs that sign out, end sessions or trip the sign-in limits: ending a
// session ends every session of the account, so the saved role sessions above must not be used there.
export const SPARE_USERS = {
  signOut: { email: "sign-out@e2e.test", password: "sign-out-password-1", role: "operator" },
  guessed: { email: "guessed@e2e.test", password: "guessed-password-1", role: "viewer" },
  leaving: { email: "leaving@e2e.test", password: "leaving-password-1", role: "admin" },
  roaming: { email: "roaming@e2e.test", password: "roaming-password-1", role: "viewer" },
  watching: { email: "watching@e2e.test", password: "watching-password-1", role: "viewer" },
} as const;
