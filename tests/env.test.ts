import { readFileSync } from "node:fs";
import { builtinModules } from "node:module";
import { isIP } from "node:net";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { adminDefaults, appPort, authSecret, databaseUrlSetting, inlineWorkerEnabled, loadEnv, workerCrashAt } from "../lib/env";
import { ipVersion } from "../lib/proxy-list";

describe("environment", () => {
  it("fills in the defaults and counts an empty variable as unset", () => {
    const env = loadEnv({ ORCHESTRA_LEASE_MS: "", ORCHESTRA_POLL_MS: "250" });
    expect(env).toMatchObject({ ORCHESTRA_LEASE_MS: 30_000, ORCHESTRA_POLL_MS: 250, ORCHESTRA_SCRIPT_TIMEOUT_MS: 300_000, ORCHESTRA_TRUSTED_PROXIES: [] });
    expect(env.ORCHESTRA_WEBHOOK_URL).toBeUndefined();
    expect(adminDefaults({ ORCHESTRA_ADMIN_EMAIL: "" })).toEqual({ email: "admin@example.com", password: undefined });
    expect(appPort({})).toBe(3000);
    expect(databaseUrlSetting({ DATABASE_URL: "  " })).toBeUndefined();
    expect(authSecret({ AUTH_SECRET: "s3cret-s3cret-s3cret" })).toBe("s3cret-s3cret-s3cret");
  });

  it("names every invalid variable", () => {
    expect(() => loadEnv({ ORCHESTRA_LEASE_MS: "10", ORCHESTRA_TRUSTED_PROXIES: "proxy.example.net" })).toThrow(
      /invalid environment: ORCHESTRA_LEASE_MS: .*; ORCHESTRA_TRUSTED_PROXIES: .*not an IP address/,
    );
    expect(() => workerCrashAt({ ORCHESTRA_WORKER_CRASH_AT: "sometimes" })).toThrow(/invalid environment: ORCHESTRA_WORKER_CRASH_AT/);
    expect(() => appPort({ PORT: "http" })).toThrow(/invalid environment: PORT/);
  });

  it("runs the in-process worker unless it is off", () => {
    expect([inlineWorkerEnabled({}), inlineWorkerEnabled({ ORCHESTRA_WORKER: "on" }), inlineWorkerEnabled({ ORCHESTRA_WORKER: "off" })]).toEqual([true, true, false]);
  });

  it("checks proxy addresses as node:net does", () => {
    const samples = [
      "10.0.0.1", "255.255.255.255", "256.1.1.1", "1.2.3", "01.2.3.4", "1.2.3.4.", " 1.2.3.4", "::", "::1", "1::", "fe80::1%eth0",
      "::ffff:10.0.0.1", "2001:db8::8a2e:370:7334", "2001:db8:0:0:0:0:2:1", "1:2:3:4:5:6:7:8:9", "1:2:3:4:5:6:7::", "::1.2.3.4", "1::2::3",
      "g::1", ":::", "12345::1", "", "localhost", "1.2.3.4/8", "[::1]",
    ];
    for (const s of samples) expect([s, ipVersion(s)]).toEqual([s, isIP(s)]);
    // and on strings made of the characters addresses are written with
    const alphabet = "0123456789abcdef:.%";
    let seed = 7;
    const next = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31);
    for (let i = 0; i < 20_000; i++) {
      const s = Array.from({ length: 2 + (next() % 24) }, () => alphabet[next() % alphabet.length]).join("");
      if (ipVersion(s) !== isIP(s)) expect([s, ipVersion(s)]).toEqual([s, isIP(s)]);
    }
  });

  it("what proxy.ts imports of ours uses no Node.js module (it must load where they do not exist)", () => {
    const builtins = new Set(builtinModules);
    const seen = new Set<string>();
    const visit = (file: string) => {
      if (seen.has(file)) return;
      seen.add(file);
      for (const [, spec] of readFileSync(file, "utf8").matchAll(/(?:from|import)\s*\(?\s*"([^"]+)"/g)) {
        expect(spec.startsWith("node:") || builtins.has(spec), `${path.relative(".", file)} imports ${spec}`).toBe(false);
        if (spec.startsWith(".")) visit(path.resolve(path.dirname(file), `${spec}.ts`));
      }
    };
    visit(path.resolve("proxy.ts"));
    expect([...seen].map((f) => path.relative(".", f))).toContain("lib/env.ts");
  });
});
