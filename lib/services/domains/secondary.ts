// bind9-secondary: the zone's line in a named include file (`type secondary`, primaries found through
// the routes of bind9-primary), `rndc reconfig` when it changed and `rndc refresh <zone>` so the
// secondary checks the primary's serial now (NOTIFY from the primary does the same on every change).
// Command: retransfer. A zone that cannot be rendered safely is refused here too, as on the primary.
import type { ScriptContext } from "@/lib/orchestration/backend";
import { raw, sh } from "@/lib/orchestration/shell";
import { defineBackend } from "../kit";
import { COMMON_VARIABLES, finish, pathVariable, peerOf, prepareScript, reconfigure, setEntry, zoneFilePath } from "./bind";
import { domainSnapshot, type DomainSnapshot } from "./schema";
import { refuse, zoneFile, zoneName } from "./zone-file";

const USER = /^[a-z_][a-z0-9_-]{0,31}$/;

const dirOf = (ctx: ScriptContext, zone: string) => pathVariable(ctx, zone, "BIND_SECONDARY_DIR");
const includeOf = (ctx: ScriptContext, zone = "") => pathVariable(ctx, zone, "BIND_SECONDARY_INCLUDE");

/** The zone's line in the include file; refuses a zone no primary is routed for. */
export function secondaryEntry(ctx: ScriptContext, domain: DomainSnapshot): string {
  const zone = zoneName(domain);
  const primaries = ctx.serversFor("bind9-primary", domain).map((s) => peerOf(zone, s));
  if (primaries.length === 0) refuse(zone, "no active route of bind9-primary matches it, so a secondary has no primary to transfer it from");
  return `zone "${zone}" { type secondary; file "${zoneFilePath(dirOf(ctx, zone), zone)}"; primaries { ${primaries.map((p) => `${p.address} port ${p.port}; `).join("")}}; };`;
}

function removeZone(ctx: ScriptContext, name: string) {
  const zone = zoneName({ name });
  const file = zoneFilePath(dirOf(ctx, zone), zone);
  setEntry(includeOf(ctx, zone), zone, null).forEach((l) => ctx.append(l));
  ctx.append(sh`cleanup+=(${file})`);
}

export const bindSecondaryBackend = defineBackend(domainSnapshot, {
  name: "bind9-secondary",
  title: "DNS zones (BIND 9 secondary)",
  model: "Domain",
  actions: ["save", "delete"],
  method: "ssh",
  asksRouter: ["bind9-primary"],
  variables: {
    BIND_SECONDARY_DIR: { default: "/var/cache/bind/orchestra", description: "Where named keeps its copies of the zones (db.<zone>); made writable for BIND_USER." },
    BIND_SECONDARY_INCLUDE: { default: "/etc/bind/named.conf.orchestra-secondary", description: "The include file with one zone entry per line; include it from named.conf once." },
    BIND_USER: { default: "bind", description: "The user named runs as, owner of BIND_SECONDARY_DIR (empty: leave the owner alone)." },
    ...COMMON_VARIABLES,
  },
  identity: (o) => String(o.name),
  prepare(ctx) {
    prepareScript(ctx, includeOf(ctx)).forEach((l) => ctx.append(l));
    ctx.append(raw(`bind_restore() { bind_rollback; bind_rndc reconfig >/dev/null 2>&1 || true; }`));
  },
  save(ctx, domain, { before }) {
    const zone = zoneName(domain);
    zoneFile(domain); // the same refusals as on the primary: a zone it cannot render is not half set up here
    const entry = secondaryEntry(ctx, domain);
    const dir = dirOf(ctx, zone);
    const user = ctx.variable("BIND_USER");
    if (user && !USER.test(user)) refuse(zone, `BIND_USER ${JSON.stringify(user)} is not a user name`);
    if (before && before.name !== zone) removeZone(ctx, before.name);
    ctx.append(sh`mkdir -p -- ${dir}`);
    if (user) ctx.append(sh`chown -- ${user} ${dir}`);
    setEntry(includeOf(ctx, zone), zone, entry).forEach((l) => ctx.append(l));
    ctx.append(sh`refresh_zones+=(${zone})`);
  },
  delete(ctx, domain) {
    removeZone(ctx, domain.name);
  },
  commit(ctx) {
    reconfigure().forEach((l) => ctx.append(l));
    ctx.append(raw(`for z in "\${refresh_zones[@]}"; do if ! bind_rndc refresh "$z"; then bind_restore; echo "rndc refresh $z failed: the previous files were restored" >&2; exit 1; fi; done`));
    ctx.append(raw(`for z in "\${retransfer_zones[@]}"; do bind_rndc retransfer "$z"; done`));
    finish().forEach((l) => ctx.append(l));
  },
  commands: {
    retransfer: {
      title: "Retransfer zone",
      description: "rndc retransfer <zone> on the secondaries: a full transfer from the primary now.",
      run(ctx, domain) {
        const zone = zoneName(domain);
        ctx.append(sh`retransfer_zones+=(${zone})`);
      },
    },
  },
});
