// What the BIND 9 backends share: variables, the address other servers reach a server's named at, and
// the shell that edits a named include file (one line per zone, kept sorted, so an unchanged zone
// leaves the file byte for byte the same), checks the whole configuration and rolls it back.
import { isIP } from "node:net";
import type { ScriptContext, VariableSpec } from "@/lib/orchestration/backend";
import { raw, sh, type ShellFragment } from "@/lib/orchestration/shell";
import type { ServerInfo } from "@/lib/orchestration/types";
import { refuse } from "./zone-file";

/** A path written into named.conf (`file "…"`) or used by the script: plain characters, absolute. */
const PATH = /^\/[A-Za-z0-9_.@+/-]*$/;

export const PEER_VARIABLES: Record<string, VariableSpec> = {
  BIND_PEER_ADDRESS: { default: "", description: "The IP address other BIND servers reach this server's named at (primaries, also-notify, allow-transfer). Empty: the server's address, when it is an IP." },
  BIND_PEER_PORT: { default: "53", description: "The DNS port other BIND servers reach this server's named at." },
};

export const COMMON_VARIABLES: Record<string, VariableSpec> = {
  BIND_RNDC: { default: "rndc", description: "rndc, with -s/-p/-k (or -c) when named is not the local default instance.", command: true },
  BIND_CHECKCONF: { default: "named-checkconf", description: "Checks the whole named configuration (with its include files) before named reloads it; a rejected change is rolled back.", command: true },
  ...PEER_VARIABLES,
};

/** How other servers reach this one's named: `{ address, port }`, checked (it goes into named.conf). */
export function peerOf(zone: string, server: ServerInfo): { address: string; port: number } {
  const address = server.variables.BIND_PEER_ADDRESS || server.address;
  if (isIP(address) === 0) refuse(zone, `server ${server.name} is reached at ${JSON.stringify(address)}, which is not an IP address (set BIND_PEER_ADDRESS on it)`);
  const portText = server.variables.BIND_PEER_PORT || "53";
  const port = /^\d{1,5}$/.test(portText) ? Number(portText) : 0;
  if (port < 1 || port > 65535) refuse(zone, `server ${server.name} has BIND_PEER_PORT ${JSON.stringify(portText)}, which is not a port`);
  return { address, port };
}

/** A path variable, checked: it names files in named.conf and in the script. */
export function pathVariable(ctx: ScriptContext, zone: string, name: string): string {
  const value = ctx.variable(name).replace(/\/+$/, "");
  if (!PATH.test(value) || value.split("/").includes("..")) refuse(zone, `${name} ${JSON.stringify(value)} is not a plain absolute path`);
  return value;
}

export const zoneFilePath = (dir: string, zone: string) => `${dir}/db.${zone}`;

/**
 * Shell functions of every BIND script: `bind_rndc`, the list of touched files with their backups, and
 * `bind_rollback`, which puts every touched file back (a new file is removed).
 */
export function prepareScript(ctx: ScriptContext, include: string): ShellFragment[] {
  return [
    raw("touched=(); conf_changed=0; reload_zones=(); refresh_zones=(); retransfer_zones=(); cleanup=()"),
    sh`bind_rndc() { ${ctx.command("BIND_RNDC")} "$@"; }`,
    sh`bind_checkconf() { ${ctx.command("BIND_CHECKCONF")}; }`,
    // a file is backed up once, before its first change in this script
    raw(`bind_touch() { local f; for f in "\${touched[@]}"; do [ "$f" = "$1" ] && return 0; done; if [ -e "$1" ]; then cp -p -- "$1" "$1.orchestra-bak"; else rm -f -- "$1.orchestra-bak"; fi; touched+=("$1"); }`),
    raw(`bind_rollback() { local f; for f in "\${touched[@]}"; do if [ -e "$f.orchestra-bak" ]; then mv -f -- "$f.orchestra-bak" "$f"; touch -- "$f"; else rm -f -- "$f"; fi; done; }`),
    sh`mkdir -p -- "$(dirname -- ${include})"; [ -e ${include} ] || : > ${include}`,
  ];
}

/** Replaces (or removes, with `entry` null) the line of `zone` in the include file. */
export function setEntry(include: string, zone: string, entry: string | null): ShellFragment[] {
  const key = `zone "${zone}" `;
  return [
    sh`{ awk -v key=${key} 'index($0, key) != 1' ${include}; ${entry === null ? raw(":") : sh`printf '%s\\n' ${entry}`}; } | LC_ALL=C sort > ${`${include}.new`}`,
    sh`if cmp -s -- ${`${include}.new`} ${include}; then rm -f -- ${`${include}.new`}; else bind_touch ${include}; mv -f -- ${`${include}.new`} ${include}; conf_changed=1; fi`,
  ];
}

/** Checks and loads a changed configuration; on failure every touched file is put back. */
export function reconfigure(): ShellFragment[] {
  return [
    raw(`if [ "$conf_changed" = 1 ]; then`),
    raw(`  if ! out=$(bind_checkconf 2>&1); then printf '%s\\n' "$out" >&2; bind_rollback; echo "named-checkconf rejected the new configuration: the previous files were restored" >&2; exit 1; fi`),
    raw(`  if ! bind_rndc reconfig; then bind_rollback; bind_rndc reconfig || true; echo "rndc reconfig failed: the previous files were restored" >&2; exit 1; fi`),
    raw("fi"),
  ];
}

/** After success: backups go, and so do the files of removed zones. */
export function finish(): ShellFragment[] {
  return [raw(`for f in "\${touched[@]}"; do rm -f -- "$f.orchestra-bak"; done`), raw(`for f in "\${cleanup[@]}"; do rm -f -- "$f" "$f.jnl" "$f.orchestra-bak"; done`)];
}
