// bind9-primary: the zone file of each domain (rendered from the snapshot, checked with
// named-checkzone BEFORE it is installed) and its line in a named include file, listing the secondaries
// the routes send the zone to (also-notify, allow-transfer). One `rndc reconfig` when the include file
// changed, `rndc reload <zone>` per changed zone file, then the script waits until named serves the new
// serial; a rejected configuration or a zone named did not load puts every touched file back.
import type { ScriptContext } from "@/lib/orchestration/backend";
import { raw, sh } from "@/lib/orchestration/shell";
import { defineBackend } from "../kit";
import { COMMON_VARIABLES, finish, pathVariable, peerOf, prepareScript, reconfigure, setEntry, zoneFilePath } from "./bind";
import { domainSnapshot, type DomainSnapshot } from "./schema";
import { refuse, zoneFile, zoneName } from "./zone-file";

const NOTIFY = ["yes", "explicit", "no"];

const dirOf = (ctx: ScriptContext, zone: string) => pathVariable(ctx, zone, "BIND_PRIMARY_DIR");
const includeOf = (ctx: ScriptContext, zone = "") => pathVariable(ctx, zone, "BIND_PRIMARY_INCLUDE");

/** The zone's line in the include file (every value checked: zone name, path, peer addresses). */
export function primaryEntry(ctx: ScriptContext, domain: DomainSnapshot): string {
  const zone = zoneName(domain);
  const notify = ctx.variable("BIND_NOTIFY");
  if (!NOTIFY.includes(notify)) refuse(zone, `BIND_NOTIFY ${JSON.stringify(notify)} is not one of ${NOTIFY.join(", ")}`);
  const secondaries = ctx.serversFor("bind9-secondary", domain).map((s) => peerOf(zone, s));
  const notifyList = secondaries.map((s) => `${s.address} port ${s.port}; `).join("");
  const transfer = secondaries.length ? [...new Set(secondaries.map((s) => `${s.address}; `))].join("") : "none; ";
  return `zone "${zone}" { type primary; file "${zoneFilePath(dirOf(ctx, zone), zone)}"; notify ${notify}; ${secondaries.length ? `also-notify { ${notifyList}}; ` : ""}allow-transfer { ${transfer}}; };`;
}

function removeZone(ctx: ScriptContext, name: string) {
  const zone = zoneName({ name });
  const file = zoneFilePath(dirOf(ctx, zone), zone);
  setEntry(includeOf(ctx, zone), zone, null).forEach((l) => ctx.append(l));
  ctx.append(sh`if [ -e ${file} ]; then bind_touch ${file}; rm -f -- ${file}; fi; cleanup+=(${file})`);
}

export const bindPrimaryBackend = defineBackend(domainSnapshot, {
  name: "bind9-primary",
  title: "DNS zones (BIND 9 primary)",
  model: "Domain",
  actions: ["save", "delete"],
  method: "ssh",
  asksRouter: ["bind9-secondary"],
  variables: {
    BIND_PRIMARY_DIR: { default: "/var/lib/bind/orchestra", description: "Where the zone files are written (db.<zone>)." },
    BIND_PRIMARY_INCLUDE: { default: "/etc/bind/named.conf.orchestra-primary", description: "The include file with one zone entry per line; include it from named.conf once." },
    BIND_CHECKZONE: { default: "named-checkzone", description: "Checks a zone file before it is installed (called with the zone and the file).", command: true },
    BIND_NOTIFY: { default: "yes", description: "The zones' notify setting: yes (the NS records' servers and the secondaries), explicit (the secondaries only) or no." },
    ...COMMON_VARIABLES,
  },
  identity: (o) => String(o.name),
  prepare(ctx) {
    prepareScript(ctx, includeOf(ctx)).forEach((l) => ctx.append(l));
    ctx.append(sh`bind_checkzone() { ${ctx.command("BIND_CHECKZONE")} "$@"; }`);
    ctx.append(raw(`expect=()`));
    // named loads zones in the background, and `rndc reload` answers before it knows: wait for the serial
    ctx.append(raw(`bind_wait_serial() { local i s=""; for i in $(seq 1 50); do s=$(bind_rndc zonestatus "$1" 2>/dev/null | sed -n 's/^serial: //p'); [ "$s" = "$2" ] && return 0; sleep 0.1; done; echo "named serves zone $1 with serial \${s:-none}, not $2 (see named's log)" >&2; return 1; }`));
    ctx.append(raw(`bind_restore() { local z; bind_rollback; bind_rndc reconfig >/dev/null 2>&1 || true; for z in "\${reload_zones[@]}"; do bind_rndc reload "$z" >/dev/null 2>&1 || true; done; }`));
  },
  save(ctx, domain, { before }) {
    const zone = zoneName(domain);
    const lines = zoneFile(domain); // every value checked before a line of script is written
    const entry = primaryEntry(ctx, domain);
    const dir = dirOf(ctx, zone);
    const file = zoneFilePath(dir, zone);
    if (before && before.name !== zone) removeZone(ctx, before.name);
    ctx.append(sh`mkdir -p -- ${dir}`);
    ctx.append(sh`printf '%s\\n' ${lines} > ${`${file}.new`}`);
    ctx.append(sh`if ! out=$(bind_checkzone ${zone} ${`${file}.new`} 2>&1); then printf '%s\\n' "$out" >&2; rm -f -- ${`${file}.new`}; bind_restore; echo ${`named-checkzone rejected zone ${zone}: nothing was installed`} >&2; exit 1; fi`);
    ctx.append(sh`if cmp -s -- ${`${file}.new`} ${file}; then rm -f -- ${`${file}.new`}; else bind_touch ${file}; mv -f -- ${`${file}.new`} ${file}; reload_zones+=(${zone}); fi`);
    setEntry(includeOf(ctx, zone), zone, entry).forEach((l) => ctx.append(l));
    ctx.append(sh`expect+=(${`${zone} ${domain.serial}`})`);
  },
  delete(ctx, domain) {
    removeZone(ctx, domain.name);
  },
  commit(ctx) {
    reconfigure().forEach((l) => ctx.append(l));
    ctx.append(raw(`for z in "\${reload_zones[@]}"; do if ! bind_rndc reload "$z"; then bind_restore; echo "rndc reload $z failed: the previous files were restored" >&2; exit 1; fi; done`));
    ctx.append(raw(`for e in "\${expect[@]}"; do if ! bind_wait_serial $e; then bind_restore; echo "the previous files were restored" >&2; exit 1; fi; done`));
    finish().forEach((l) => ctx.append(l));
  },
  commands: {
    reload: {
      title: "Reload zone",
      description: "rndc reload <zone> on the primary (e.g. after the zone file was changed by hand).",
      run(ctx, domain) {
        const zone = zoneName(domain);
        ctx.append(sh`reload_zones+=(${zone})`);
      },
    },
  },
});
