// System users on servers with useradd / usermod / userdel. Idempotent: a save creates the account or
// brings an existing one to the stored state; a delete of a missing account does nothing.
// Variables: declared below (the server page lists them). Command: expire-password. Monitor: disk
// (the home directory's size, du).
import type { ScriptContext } from "@/lib/orchestration/backend";
import { raw, sh } from "@/lib/orchestration/shell";
import { defineBackend, type TypedOperation } from "../kit";
import { hardFloorErrors, POSIX_NAME } from "./policy";
import { systemUserSnapshot, type SystemUserSnapshot } from "./schema";

export function homeOf(user: Pick<SystemUserSnapshot, "home" | "username">): string {
  return user.home || `/home/${user.username}`;
}

/**
 * The hard floor again, at render time: the row may have been written by another path than the form
 * (a script, the database itself). Throwing makes the run ERROR before anything is executed.
 */
function assertRenderable(user: SystemUserSnapshot, action: string) {
  const problems = Object.entries(hardFloorErrors(user)).flatMap(([field, messages]) =>
    (messages ?? []).map((m) => `${field}: ${m}`),
  );
  if (problems.length) throw new Error(`refusing to ${action} system user ${JSON.stringify(String(user.username))}: ${problems.join(" ")}`);
}

function assertAccountName(username: unknown, action: string) {
  const fake = { username: String(username), uid: null, shell: "/bin/sh", home: "", groups: [] };
  if (typeof username !== "string" || !POSIX_NAME.test(username) || hardFloorErrors(fake).username) {
    throw new Error(`refusing to ${action} system user ${JSON.stringify(String(username))}: not an account Orchestra may manage.`);
  }
}

function save(ctx: ScriptContext, user: SystemUserSnapshot, { before }: TypedOperation<SystemUserSnapshot>) {
  assertRenderable(user, "save");
  if (before && before.username !== user.username) assertAccountName(before.username, "rename");
  const groups = user.groups;
  if (before && before.username !== user.username) {
    // A rename moves the account instead of creating a second one.
    ctx.append(sh`if user_exists ${before.username} && ! user_exists ${user.username}; then usermod "\${prefix[@]}" --login ${user.username} -- ${before.username}; fi`);
  }
  for (const group of groups) ctx.append(sh`group_exists ${group} || groupadd "\${prefix[@]}" -- ${group}`);
  const uid = user.uid != null ? sh`--uid ${user.uid}` : raw("");
  // The hash travels inside the executed script only (ctx.secret); without one the password is kept.
  const password = user.passwordHash ? sh`--password ${ctx.secret(user.passwordHash)}` : raw("");
  const moveHome = before && homeOf(before) !== homeOf(user) ? raw(" --move-home") : raw("");
  ctx.append(sh`if user_exists ${user.username}; then`);
  ctx.append(
    sh`  usermod "\${prefix[@]}" --shell ${user.shell} --home ${homeOf(user)}${moveHome} ${uid} ${password} --groups ${groups.join(",")} --expiredate ${user.active ? "" : "1"} -- ${user.username}`,
  );
  ctx.append(raw("else"));
  ctx.append(
    sh`  useradd "\${prefix[@]}" --create-home --shell ${user.shell} --home-dir ${homeOf(user)} ${uid} ${password} ${groups.length ? sh`--groups ${groups.join(",")}` : raw("")} ${user.active ? raw("") : raw("--expiredate 1")} -- ${user.username}`,
  );
  ctx.append(raw("fi"));
}

export const systemUserBackend = defineBackend(systemUserSnapshot, {
  name: "system-users",
  title: "System users (useradd)",
  model: "SystemUser",
  actions: ["save", "delete"],
  method: "ssh",
  variables: {
    SYSUSER_PREFIX: { default: "", description: "Run the shadow tools against another root (--prefix), e.g. a sandbox; empty: /." },
    SYSUSER_REMOVE_HOME: { default: "no", description: "\"yes\" removes the home directory when a user is deleted." },
  },
  identity: (o) => String(o.username),
  prepare(ctx) {
    ctx.append(sh`root=${ctx.variable("SYSUSER_PREFIX")}`);
    ctx.append(raw(`prefix=(); if [ -n "$root" ]; then prefix=(--prefix "$root"); fi`));
    // chage and passwd know no --prefix: they chroot into the root instead (reading only its /etc)
    ctx.append(raw(`chroot=(); if [ -n "$root" ]; then chroot=(--root "$root"); fi`));
    // A wrong root must fail loudly, not look like "no such user".
    ctx.append(raw(`[ -r "$root/etc/passwd" ] || { echo "cannot read $root/etc/passwd" >&2; exit 1; }`));
    ctx.append(raw(`user_exists() { grep -q "^$1:" "$root/etc/passwd"; }`));
    ctx.append(raw(`group_exists() { grep -q "^$1:" "$root/etc/group"; }`));
  },
  save,
  delete(ctx, user) {
    assertAccountName(user.username, "delete");
    const remove = ctx.variable("SYSUSER_REMOVE_HOME") === "yes" ? raw(" --remove") : raw("");
    ctx.append(sh`if user_exists ${user.username}; then userdel "\${prefix[@]}"${remove} -- ${user.username}; fi`);
  },
  // Drift: the account's passwd fields, supplementary groups and expiry, as the server has them.
  check(ctx, user) {
    assertAccountName(user.username, "check");
    ctx.append(sh`if user_exists ${user.username}; then`);
    ctx.append(sh`  IFS=: read -r _ _ uid _ _ home shell < <(grep -m1 "^"${user.username}":" "$root/etc/passwd")`);
    ctx.append(raw(`  printf 'exists=yes\nuid=%s\nhome=%s\nshell=%s\n' "$uid" "$home" "$shell"`));
    ctx.append(sh`  printf 'groups=%s\n' "$(awk -F: -v ${`u=${user.username}`} '{ n = split($4, m, ","); for (i = 1; i <= n; i++) if (m[i] == u) print $1 }' "$root/etc/group" | sort | paste -sd, -)"`);
    ctx.append(sh`  expire=$(grep -m1 "^"${user.username}":" "$root/etc/shadow" | cut -d: -f8)`);
    ctx.append(raw(`  if [ "$expire" = 1 ]; then echo active=no; else echo active=yes; fi`));
    ctx.append(raw("else echo exists=no; fi"));
  },
  expectedFacts(_ctx, user) {
    return {
      exists: "yes",
      ...(user.uid != null ? { uid: String(user.uid) } : {}),
      home: homeOf(user),
      shell: user.shell,
      groups: [...user.groups].sort().join(","),
      active: user.active ? "yes" : "no",
    };
  },
  monitors: {
    // What du counts (blocks in use, KiB) in MiB; an unreadable subdirectory still leaves a total.
    disk: {
      unit: "MiB",
      measure(ctx, user) {
        assertAccountName(user.username, "measure");
        ctx.append(sh`if [ -d "$root"${homeOf(user)} ]; then { du -sk -- "$root"${homeOf(user)} 2>/dev/null || true; } | LC_ALL=C awk 'NR == 1 && $1 ~ /^[0-9]+$/ { printf "disk=%.2f\\n", $1 / 1024 }'; fi`);
      },
    },
  },
  commands: {
    "expire-password": {
      title: "Expire password",
      description: "The user must choose a new password at the next login (chage --lastday 0).",
      confirm: "Make the chosen users change their password at the next login?",
      run(ctx, user) {
        assertAccountName(user.username, "expire the password of");
        ctx.append(sh`if user_exists ${user.username}; then chage "\${chroot[@]}" --lastday 0 -- ${user.username}; else echo ${`no such user: ${user.username}`} >&2; exit 1; fi`);
      },
    },
  },
});
