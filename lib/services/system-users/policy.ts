// What a system user may be on a managed server. Two layers:
// - the hard floor: constants, checked on every save (any role) and again by the backend when a script
//   is rendered (whatever wrote the row): no uid 0, no group that is root in disguise, no home that is
//   a system directory, no account that belongs to the system (root, daemon, sshd…). Nobody crosses it.
// - the policy: admins adjust it (Setting `policy.system-users`); it binds operators. Admins may save a
//   user outside the adjustable policy (a deliberate exception), never below the hard floor; an operator
//   cannot then save that user until it is back inside the policy.
import { z } from "zod";
import type { FieldErrors } from "@/lib/actions/state";

export const POLICY_KEY = "policy.system-users";

/** Names useradd accepts by default (also the only names a script may contain). */
export const POSIX_NAME = /^[a-z_][a-z0-9_-]{0,31}$/;
/** An absolute path of plain characters: no spaces, quotes, `:` (passwd's separator) or control characters. */
export const PLAIN_PATH = /^\/[A-Za-z0-9_.@+/-]*$/;

export const HARD_FLOOR = {
  groups: ["root", "sudo", "wheel", "admin", "shadow", "disk"],
  /** Accounts of the system itself: saving one would change it (usermod), deleting one would remove it. */
  usernames: ["root", "daemon", "bin", "sys", "sync", "games", "man", "lp", "mail", "news", "uucp", "proxy", "www-data", "backup", "list", "irc", "gnats", "nobody", "sshd", "_apt", "messagebus", "syslog", "postgres", "mysql", "nginx"],
  usernamePrefixes: ["systemd-"],
  /** A home may not be these or inside them (userdel --remove deletes a home). */
  systemDirectories: ["/root", "/etc", "/bin", "/sbin", "/lib", "/lib32", "/lib64", "/libx32", "/usr", "/boot", "/dev", "/proc", "/sys", "/run", "/var/lib", "/var/log", "/var/spool", "/var/run", "/tmp", "/var/tmp"],
  uidMax: 4_294_967_294,
} as const;

export const DEFAULT_POLICY = {
  forbiddenGroups: ["root", "sudo", "wheel", "admin", "adm", "shadow", "disk", "kmem", "tty", "docker", "lxd", "kvm", "libvirt", "staff", "systemd-journal"],
  uidMin: 1000,
  uidMax: 60000,
  homeRoots: ["/home", "/srv", "/var/www"],
  forbiddenShells: [] as string[],
};

const words = (pattern: RegExp, message: string) =>
  z
    .union([z.string(), z.array(z.string())])
    .transform((v) => (Array.isArray(v) ? v : v.split(/[\s,]+/)).map((w) => w.trim()).filter(Boolean))
    .pipe(z.array(z.string().regex(pattern, message)).max(200));

export const policySchema = z
  .object({
    forbiddenGroups: words(POSIX_NAME, "Group names such as docker.").default(DEFAULT_POLICY.forbiddenGroups),
    uidMin: z.coerce.number().int("A whole number.").min(1, "At least 1: uid 0 is root.").max(HARD_FLOOR.uidMax).default(DEFAULT_POLICY.uidMin),
    uidMax: z.coerce.number().int("A whole number.").min(1).max(HARD_FLOOR.uidMax).default(DEFAULT_POLICY.uidMax),
    homeRoots: words(PLAIN_PATH, "Absolute paths such as /home.")
      .refine((roots) => roots.length > 0, "At least one directory.")
      .refine((roots) => roots.every((r) => !floorHomeError(`${r.replace(/\/+$/, "")}/x`)), "A system directory cannot hold homes.")
      .default(DEFAULT_POLICY.homeRoots),
    forbiddenShells: words(PLAIN_PATH, "Absolute paths such as /bin/sh.").default(DEFAULT_POLICY.forbiddenShells),
  })
  .refine((p) => p.uidMin <= p.uidMax, { path: ["uidMax"], message: "Not below the lowest uid." });

export type SystemUserPolicy = z.infer<typeof policySchema>;

/** The stored policy, or the defaults (a missing or unreadable setting is the defaults, never "no policy"). */
export function parsePolicy(value: unknown): SystemUserPolicy {
  const parsed = policySchema.safeParse(value ?? {});
  return parsed.success ? parsed.data : policySchema.parse({});
}

type UserFields = { username: string; uid: number | null; shell: string; home: string; groups: readonly string[] };

function homeOf(user: Pick<UserFields, "home" | "username">) {
  return user.home || `/home/${user.username}`;
}

function within(path: string, dir: string) {
  return path === dir || path.startsWith(`${dir.replace(/\/+$/, "")}/`);
}

function floorHomeError(home: string): string | null {
  if (!home.startsWith("/")) return "The home must be an absolute path.";
  if (!PLAIN_PATH.test(home)) return "The home may contain only letters, digits and _ . @ + - /.";
  const system = HARD_FLOOR.systemDirectories.find((dir) => within(home, dir));
  if (system) return `The home cannot be in ${system}.`;
  const parts = home.replace(/\/+$/, "").split("/").slice(1);
  if (parts.length < 2) return "The home must be inside a directory, such as /home/alice.";
  if (home.endsWith("/") || parts.some((p) => p === "" || p === "." || p === "..")) return "The home must be a plain path (no //, . or .., no / at the end).";
  return null;
}

/** Violations of the hard floor, per field. Checked for every role, and by the backend at render time. */
export function hardFloorErrors(user: UserFields): FieldErrors {
  const errors: FieldErrors = {};
  const add = (field: string, message: string) => (errors[field] ??= []).push(message);
  if (!POSIX_NAME.test(user.username)) add("username", "Not a valid account name.");
  else if ((HARD_FLOOR.usernames as readonly string[]).includes(user.username) || HARD_FLOOR.usernamePrefixes.some((p) => user.username.startsWith(p))) {
    add("username", `${user.username} is an account of the system itself and cannot be managed here.`);
  }
  if (user.uid !== null && user.uid !== undefined) {
    if (!Number.isInteger(user.uid) || user.uid <= 0 || user.uid > HARD_FLOOR.uidMax) add("uid", "uid 0 is root: never allowed (and a uid is a positive whole number).");
  }
  const groups = Array.isArray(user.groups) ? user.groups : [];
  const bad = groups.filter((g) => typeof g !== "string" || !POSIX_NAME.test(g));
  if (bad.length) add("groups", "Group names must be account-like names (letters, digits, _ and -).");
  const privileged = groups.filter((g) => (HARD_FLOOR.groups as readonly string[]).includes(g));
  if (privileged.length) add("groups", `Never allowed: ${privileged.join(", ")} (administrator access to the server).`);
  const home = floorHomeError(homeOf(user));
  if (home) add("home", home);
  const shell = typeof user.shell === "string" ? user.shell : "";
  if (!PLAIN_PATH.test(shell) || shell.split("/").includes("..")) add("shell", "The shell must be an absolute path such as /bin/bash.");
  return errors;
}

/** Violations of the adjustable policy, per field (on top of the hard floor). */
export function policyErrors(user: UserFields, policy: SystemUserPolicy): FieldErrors {
  const errors: FieldErrors = {};
  const add = (field: string, message: string) => (errors[field] ??= []).push(message);
  if (user.uid !== null && (user.uid < policy.uidMin || user.uid > policy.uidMax)) add("uid", `Between ${policy.uidMin} and ${policy.uidMax} (the system users policy).`);
  const forbidden = user.groups.filter((g) => policy.forbiddenGroups.includes(g));
  if (forbidden.length) add("groups", `Not allowed by the system users policy: ${forbidden.join(", ")}.`);
  const home = homeOf(user);
  if (!policy.homeRoots.some((root) => home.startsWith(`${root.replace(/\/+$/, "")}/`))) add("home", `Must be inside ${policy.homeRoots.join(", ")} (the system users policy).`);
  if (policy.forbiddenShells.includes(user.shell)) add("shell", `${user.shell} is not allowed by the system users policy.`);
  return errors;
}

/** The errors that bind a role: everyone the hard floor, operators also the adjustable policy. */
export function systemUserErrors(user: UserFields, policy: SystemUserPolicy, role: string): FieldErrors {
  const errors = hardFloorErrors(user);
  if (role !== "admin") {
    for (const [field, messages] of Object.entries(policyErrors(user, policy))) {
      const known = (errors[field] ??= []);
      messages?.forEach((m) => known.includes(m) || known.push(m));
    }
  }
  return errors;
}
