import { execFileSync } from "node:child_process";
import { describe, expect, it } from "vitest";
import { commentText, quote, raw, sh } from "../lib/orchestration/shell";

// Each value must reach the command as one literal argument, whatever it holds.
const HOSTILE = [
  "plain",
  "",
  "it's",
  `"double"`,
  "$(touch /tmp/orchestra-pwned)",
  "`touch /tmp/orchestra-pwned`",
  "${HOME}",
  "$HOME",
  "a\nb",
  "line\r\nfeed",
  "*",
  "/etc/*",
  "-rf",
  "--help",
  "; rm -rf /",
  "a && b || c | d > e < f",
  "tab\there",
  "back\\slash",
  "'; echo injected; '",
  "ünïcødé ✓ 日本語",
  "\u202etxt.exe",
  "~root",
  "!event",
  "{a,b}",
  "#not a comment",
  " leading and trailing ",
  "a=b",
];

function run(script: string): string {
  return execFileSync("bash", ["-c", script], { encoding: "utf8" });
}

describe("sh quoting helper", () => {
  it.each(HOSTILE.map((v) => [JSON.stringify(v), v]))("passes %s through bash as one literal argument", (_label, value) => {
    const out = run(sh`printf '%s\\0' ${value}`.text);
    expect(out).toBe(`${value}\0`);
  });

  it("turns an array into several literal arguments", () => {
    const out = run(sh`printf '[%s]' ${HOSTILE}`.text);
    expect(out).toBe(HOSTILE.map((v) => `[${v}]`).join(""));
  });

  it("keeps nested fragments and raw text as written", () => {
    const inner = sh`--shell ${"/bin/b a"}`;
    expect(sh`usermod ${inner} ${raw("--")} ${"x"}`.text).toBe("usermod --shell '/bin/b a' -- x");
  });

  it("quotes assignments and leaves plain words readable", () => {
    expect(quote("A=1")).toBe("'A=1'");
    expect(quote("-s")).toBe("-s");
    expect(quote("web1.example.net")).toBe("web1.example.net");
  });

  it("refuses NUL bytes and undefined values", () => {
    expect(() => sh`echo ${"a\0b"}`).toThrow(/NUL/);
    expect(() => sh`echo ${undefined as unknown as string}`).toThrow(/undefined/);
  });

  it("makes any text safe for a comment line", () => {
    expect(commentText("a\nrm -rf /\u2028x")).toBe("a?rm -rf /?x");
  });

  it("trusts a fragment made by another copy of the module (bundles may load it twice), and only a real one", async () => {
    // A second, independent copy of the module, as the production bundle may have.
    const copy = await import("../lib/orchestration/shell?copy" as string).catch(() => null);
    const other = (copy?.raw ?? raw)(`"$ORCHESTRA_SECRET_1"`);
    expect(sh`usermod --password ${other}`.text).toBe(`usermod --password "$ORCHESTRA_SECRET_1"`);
    // a look-alike object without the registry-wide brand is data, quoted
    const fake = { text: "$(reboot)" } as unknown as ReturnType<typeof raw>;
    expect(() => sh`echo ${fake}`).toThrow();
    const branded = { [Symbol.for("orchestra.shell-fragment")]: true, text: "--kept" } as unknown as ReturnType<typeof raw>;
    expect(sh`echo ${branded}`.text).toBe("echo --kept");
  });
});
