// The one way a value enters a shell script. `sh` is a tagged template: every interpolated value is
// single-quoted (so `$(…)`, backticks, globs, newlines and quotes stay literal data); arrays become
// several quoted words; nested `sh` fragments and `raw()` text are trusted and kept as they are.

// A fragment is recognised by a registry-wide symbol, never by `instanceof`: the Next.js production
// bundle may load this module more than once, and a fragment made by one copy must still be trusted
// text for another (an `instanceof` miss quoted `"$ORCHESTRA_SECRET_1"` as a literal password).
const FRAGMENT = Symbol.for("orchestra.shell-fragment");

export class ShellFragment {
  readonly [FRAGMENT] = true;
  constructor(readonly text: string) {}
  toString() {
    return this.text;
  }
}

export function isShellFragment(value: unknown): value is ShellFragment {
  return typeof value === "object" && value !== null && (value as Record<symbol, unknown>)[FRAGMENT] === true && typeof (value as ShellFragment).text === "string";
}

type Value = string | number | bigint | boolean | ShellFragment | readonly (string | number | ShellFragment)[];

/** Quotes one word for POSIX shells. */
export function quote(value: string | number | bigint | boolean): string {
  const text = String(value);
  if (text.includes("\0")) throw new Error("a NUL byte cannot be passed to a shell");
  // Plain words stay readable. (Quoting cannot stop a value from being read as an option: commands
  // take data after `--` for that.)
  if (text !== "" && /^[A-Za-z0-9_@%+:,./-]+$/.test(text)) return text;
  return `'${text.replace(/'/g, `'\\''`)}'`;
}

function render(value: Value): string {
  if (isShellFragment(value)) return value.text;
  if (Array.isArray(value)) return value.map((v) => render(v as Value)).join(" ");
  if (value === null || value === undefined) throw new Error("undefined value in a shell template");
  if (typeof value === "object") throw new Error("an object is not a shell value (only strings, numbers, arrays and sh fragments)");
  return quote(value as string);
}

export function sh(strings: TemplateStringsArray, ...values: Value[]): ShellFragment {
  let out = strings[0];
  values.forEach((value, i) => {
    out += render(value) + strings[i + 1];
  });
  return new ShellFragment(out);
}

/** Trusted text, written by the backend's author (never data from the database). */
export function raw(text: string): ShellFragment {
  return new ShellFragment(text);
}

/** Text safe to place in a `#` comment: one line, no control characters. */
export function commentText(text: string): string {
  return text.replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]/g, "?").slice(0, 200);
}
