// Validation messages are shown next to form fields: each is a short sentence an operator understands
// ("At most 64 characters."), never zod's default ("Too big: expected string to have <=64 characters").
// Importing this module installs them for every schema of the process (zod keeps its configuration on
// globalThis, so every bundle shares it); lib/schemas/common.ts imports it, and so every schema module
// that imports common, the service schemas included. A message written on a schema still wins.
import { z } from "zod";

type Issue = Parameters<NonNullable<z.core.$ZodConfig["customError"]>>[0];

const plural = (n: number | bigint, one: string, many: string) => `${n} ${Number(n) === 1 ? one : many}`;
const quoted = (v: unknown) => (typeof v === "string" ? `"${v}"` : String(v));

const FORMATS: Record<string, string> = {
  email: "Enter an e-mail address.",
  url: "Enter a URL (https://…).",
  ipv4: "Enter an IPv4 address.",
  ipv6: "Enter an IPv6 address.",
  uuid: "Enter a UUID.",
  datetime: "Enter a date and time.",
  date: "Enter a date (YYYY-MM-DD).",
  time: "Enter a time (HH:MM).",
};

/** The message for an issue no schema gave its own message to. */
export function validationMessage(issue: Issue): string {
  switch (issue.code) {
    case "invalid_type":
      if (issue.input === undefined || issue.input === null || issue.input === "") return "Required.";
      if (["number", "int", "bigint", "nan"].includes(issue.expected)) return "A number.";
      if (issue.expected === "boolean") return "Yes or no.";
      if (issue.expected === "array") return "A list.";
      if (issue.expected === "date") return "A date.";
      return "Not a valid value.";
    case "too_small": {
      const n = issue.minimum;
      if (issue.origin === "string") {
        if (issue.exact) return `Exactly ${plural(n, "character", "characters")}.`;
        return Number(n) <= 1 ? "Required." : `At least ${plural(n, "character", "characters")}.`;
      }
      if (issue.origin === "array" || issue.origin === "set") return Number(n) <= 1 ? "At least one." : `At least ${plural(n, "item", "items")}.`;
      if (issue.origin === "date") return `On ${issue.inclusive ? "or after " : "after "}${new Date(Number(n)).toISOString().slice(0, 10)}.`;
      return issue.inclusive ? `At least ${n}.` : `More than ${n}.`;
    }
    case "too_big": {
      const n = issue.maximum;
      if (issue.origin === "string") return `${issue.exact ? "Exactly" : "At most"} ${plural(n, "character", "characters")}.`;
      if (issue.origin === "array" || issue.origin === "set") return `At most ${plural(n, "item", "items")}.`;
      if (issue.origin === "date") return `On ${issue.inclusive ? "or before " : "before "}${new Date(Number(n)).toISOString().slice(0, 10)}.`;
      return issue.inclusive ? `At most ${n}.` : `Less than ${n}.`;
    }
    case "invalid_format":
      if (issue.format === "starts_with") return `Starts with ${quoted(issue.prefix)}.`;
      if (issue.format === "ends_with") return `Ends with ${quoted(issue.suffix)}.`;
      if (issue.format === "includes") return `Contains ${quoted(issue.includes)}.`;
      return FORMATS[issue.format] ?? "Not in the expected format.";
    case "not_multiple_of":
      return `A multiple of ${issue.divisor}.`;
    case "invalid_value":
      return issue.values.length === 1 ? `Must be ${quoted(issue.values[0])}.` : `Choose one of: ${issue.values.map(quoted).join(", ")}.`;
    case "unrecognized_keys":
      return `Unexpected field${issue.keys.length === 1 ? "" : "s"}: ${issue.keys.join(", ")}.`;
    default:
      // invalid_union, invalid_key, invalid_element, custom without a message
      return "Not a valid value.";
  }
}

z.config({ customError: validationMessage });
