// `npm start` for real: it says what it is doing, and a SIGTERM (or Ctrl+C) stops the server it started
// and frees the port. Needs a production build (.next): the build itself is not repeated here
// (ORCHESTRA_SKIP_BUILD=1); scripts/test.sh runs this file again after its build.
import { spawn, type ChildProcess } from "node:child_process";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import net from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";

const built = existsSync(".next/BUILD_ID");

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer().once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

/** Whether something can listen on the port again (nothing holds it). */
function portIsFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = net.createServer().once("error", () => resolve(false));
    server.listen(port, "127.0.0.1", () => server.close(() => resolve(true)));
  });
}

async function waitFor(what: string, check: () => Promise<boolean> | boolean, ms: number) {
  const deadline = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

const started: ChildProcess[] = [];
const dirs: string[] = [];
afterEach(() => {
  for (const child of started.splice(0)) if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

/** Starts `command` as `npm start` would run it, on a free port against a fresh SQLite database. */
async function start(command: string, args: string[]) {
  const dir = mkdtempSync(path.join(tmpdir(), "orchestra-up-"));
  dirs.push(dir);
  const port = await freePort();
  const child = spawn(command, args, {
    env: {
      ...process.env,
      HOST: "127.0.0.1",
      PORT: String(port),
      DATABASE_URL: `file:${dir}/orchestra.db`,
      AUTH_SECRET: "up-test-secret-0123456789abcdef",
      ORCHESTRA_ADMIN_EMAIL: "admin@up.test",
      ORCHESTRA_ADMIN_PASSWORD: "up-test-password-1",
      ORCHESTRA_SKIP_BUILD: "1",
      NEXT_TELEMETRY_DISABLED: "1",
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  started.push(child);
  let output = "";
  child.stdout!.on("data", (chunk) => (output += chunk));
  child.stderr!.on("data", (chunk) => (output += chunk));
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code, signal) => resolve(code ?? (signal ? 128 : null))));
  await waitFor(`the server on port ${port}`, async () => {
    if (child.exitCode !== null) throw new Error(`${command} exited (${child.exitCode}):\n${output}`);
    return fetch(`http://127.0.0.1:${port}/login`).then((r) => r.ok, () => false);
  }, 90_000);
  return { child, port, exited, output: () => output };
}

describe.skipIf(!built)("npm start", () => {
  it.each([
    { name: "bash scripts/up.sh", command: "bash", args: ["scripts/up.sh"], signal: "SIGTERM" },
    { name: "bash scripts/up.sh", command: "bash", args: ["scripts/up.sh"], signal: "SIGINT" },
    // npm runs the script through sh: the script must replace that shell too, or npm's signal stops sh only
    { name: "npm start", command: "npm", args: ["start"], signal: "SIGTERM" },
  ] as const)("$name says what it does, and $signal frees the port", async ({ command, args, signal }) => {
    const { child, port, exited, output } = await start(command, [...args]);
    for (const line of ["==> Checking dependencies", "==> Generating the database client", "==> Preparing the database", "==> Ensuring a first admin", "==> Using the existing build", `==> Serving on http://127.0.0.1:${port}`]) {
      expect(output()).toContain(line);
    }
    child.kill(signal);
    await waitFor(`port ${port} to be free after ${signal}`, () => portIsFree(port), 5_000);
    expect(await exited).not.toBeNull();
  }, 150_000);
});
