import { defineConfig } from "@playwright/test";

// Two web nodes (the production build, `npm run serve` on :3201 and :3202) sharing one PostgreSQL
// (E2E_PG_URL, a private cluster: scripts/test.sh starts it) and one AUTH_SECRET; the spec starts a
// worker and an sshd host. Both nodes migrate as they start (concurrent db:deploy on purpose).
export const PG_URL = process.env.E2E_PG_URL ?? "postgresql://postgres@127.0.0.1:55432/orchestra_e2e";
export const NODES = [3201, 3202];
export const SHARED_SECRET = "e2e-pg-shared-secret-0123456789abcdef";

const node = (port: number) => ({
  command: `npx tsx scripts/db-setup.ts && bash scripts/serve.sh`,
  url: `http://127.0.0.1:${port}/api/health`,
  reuseExistingServer: false,
  timeout: 90_000,
  stdout: "ignore" as const,
  stderr: "pipe" as const,
  env: {
    DATABASE_URL: PG_URL,
    AUTH_SECRET: SHARED_SECRET,
    AUTH_TRUST_HOST: "true",
    NEXT_TELEMETRY_DISABLED: "1",
    HOST: "127.0.0.1",
    PORT: String(port),
    ORCHESTRA_WORKER: "off",
    ORCHESTRA_SSH_KEY: `${process.cwd()}/.tmp/e2e-pg/id_ed25519`,
  },
});

export default defineConfig({
  testDir: "e2e-pg",
  workers: 1,
  retries: 0,
  timeout: 120_000,
  expect: { timeout: 20_000 },
  reporter: [["list"]],
  use: {
    trace: "retain-on-failure",
    launchOptions: {
      executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium",
      args: ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic"],
    },
  },
  webServer: NODES.map(node),
});
