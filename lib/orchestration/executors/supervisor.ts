// The supervisor: the few lines of bash every supervised script runs under on the server.
// - The script is uploaded to a file first (dd reads exactly its size) and run only when it arrived
//   whole.
// - It runs detached in its own process group (a background job started with job control on), so a
//   dropped connection does not kill it half-way, and a timeout or cancel kills the whole group
//   (children included).
// - It holds the lane's lock (`flock`) while it runs: two runs of one (server, backend) never overlap on
//   the host, even when Orchestra lost track of one.
// - It leaves a marker: the exit code and the output, under the run's key, which recovery reads before
//   running anything again (a run that finished is recorded with its real result, not repeated). The
//   exit code is written by the run itself before it exits; a probe that finds no exit code looks at
//   the run's process, then at the exit code again (it may have finished between the two looks).
// Markers live in the server's ORCHESTRA_RUN_DIR (default ~/.orchestra), mode 0700, and are removed
// after 14 days. The executed script holds secrets: its file is unlinked as soon as bash opened it.
// Every bash started here is `--norc`: bash reads ~/.bashrc when it thinks sshd started it, and a slow
// rc file (pyenv, nvm…) would otherwise be paid several times per run. Each process started here
// costs a fork and an exec on every run (~5 ms each on a small VM): the supervisor starts eight
// (dd, the job, flock, rm, the script's bash, two tees and the pipeline's subshell) and uses builtins
// for the rest.
import { CUT_HEAD } from "../script";
import { quote } from "../shell";
import type { ServerInfo } from "../types";
import type { RunMarker } from "./types";

export const RUN_DIR_VARIABLE = "ORCHESTRA_RUN_DIR";
const MARKER_TAIL_BYTES = 65536;

const SUPERVISOR = String.raw`set -u
d=$1; [ -n "$d" ] || d=$HOME/.orchestra; key=$2; lane=$3; size=$4
umask 077
[ -d "$d/runs" ] || mkdir -p -- "$d/runs" || { echo "[orchestra] cannot create $d/runs" >&2; exit 125; }
f=$d/runs/$key
if [ $((RANDOM % 64)) -eq 0 ]; then find "$d/runs" -type f -mtime +14 -delete 2>/dev/null || true; fi
LC_ALL=C dd of="$f.sh" bs="$size" count=1 iflag=fullblock 2> "$f.in" || { rm -f -- "$f.sh" "$f.in"; echo "[orchestra] cannot store the script in $d/runs" >&2; exit 125; }
IFS= read -r got < "$f.in"
if [ "$got" != "1+0 records in" ]; then rm -f -- "$f.sh"; echo "[orchestra] the script arrived incomplete (expected $size bytes): not run" >&2; exit 125; fi
set -m
(
  trap '[ ! -e "$f.sh" ] || rm -f -- "$f.sh"' EXIT
  echo "$BASHPID" > "$f.pid"
  exec 9>>"$d/lane-$lane.lock"
  if ! flock -n 9; then echo "[orchestra] waiting for the previous run of this lane to finish" >&2; flock 9; fi
  if [ -e "$f.killed" ]; then exit 137; fi
  exec 8<"$f.sh"; rm -f -- "$f.sh"
  { bash --norc /dev/fd/8 9>&- 2>&1 1>&3 3>&- 4>&- | tee -p -a "$f.err" >&4 4>&-; exit "$PIPESTATUS"; } 3>&1 4>&2 | tee -p -a "$f.out"
  rc=$PIPESTATUS
  echo "$rc" > "$f.rc"
  exit "$rc"
) < /dev/null &
run=$!
set +m
wait "$run"`;

const KILL = String.raw`set -u
d=$1; [ -n "$d" ] || d=$HOME/.orchestra; f=$d/runs/$2
mkdir -p -- "$d/runs" 2>/dev/null || true
rm -f -- "$f.sh"
[ -e "$f.rc" ] && exit 0
echo killed > "$f.killed"
[ -e "$f.pid" ] || exit 0
p=$(cat "$f.pid")
[ -r "/proc/$p/cmdline" ] && grep -qa -- "$2" "/proc/$p/cmdline" || exit 0
kill -TERM -- "-$p" 2>/dev/null || exit 0
for i in 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 20; do kill -0 -- "-$p" 2>/dev/null || exit 0; sleep 0.1; done
kill -KILL -- "-$p" 2>/dev/null || true`;

const PROBE = String.raw`set -u
d=$1; [ -n "$d" ] || d=$HOME/.orchestra; shift
for key in "$@"; do
  f=$d/runs/$key; s=unknown; c=
  if [ -s "$f.rc" ]; then s=finished; IFS= read -r c < "$f.rc"
  elif [ -e "$f.pid" ] && IFS= read -r p < "$f.pid" && [ -r "/proc/$p/cmdline" ] && grep -qa -- "$key" "/proc/$p/cmdline"; then s=running
  elif [ -s "$f.rc" ]; then s=finished; IFS= read -r c < "$f.rc" # it finished between the two looks (the run writes .rc before it exits)
  elif [ -e "$f.killed" ]; then s=killed
  fi
  printf '%s|%s|%s|%s|%s\n' "$key" "$s" "$c" "$(tail -c ${MARKER_TAIL_BYTES} "$f.out" 2>/dev/null | base64 -w0)" "$(tail -c ${MARKER_TAIL_BYTES} "$f.err" 2>/dev/null | base64 -w0)"
done`;

/** A lane's lock name: letters, digits, dot, dash and underscore only. */
export function laneName(serverId: number, backend: string): string {
  return `${serverId}-${backend.replace(/[^A-Za-z0-9_.-]/g, "_")}`;
}

/** The key of a log's run: unique across databases sharing a host (the id alone repeats). */
export function runKey(logId: number, createdAt: Date): string {
  return `${logId}-${createdAt.getTime().toString(36)}`;
}

function runDir(server: ServerInfo): string {
  return server.variables[RUN_DIR_VARIABLE] ?? "";
}

function command(body: string, args: readonly (string | number)[]): string {
  return `bash --norc -c ${quote(body)} orchestra ${args.map((a) => quote(a === "" ? "" : a)).join(" ")}`;
}

/** The command a supervised script runs under; the script itself goes to its stdin. */
export function superviseCommand(server: ServerInfo, key: string, lane: string, script: string): string {
  return command(SUPERVISOR, [runDir(server), key, lane, Buffer.byteLength(script, "utf8")]);
}

export function killCommand(server: ServerInfo, key: string): string {
  return command(KILL, [runDir(server), key]);
}

export function probeCommand(server: ServerInfo, keys: readonly string[]): string {
  return command(PROBE, [runDir(server), ...keys]);
}

export function parseProbe(output: string): Map<string, RunMarker> {
  const out = new Map<string, RunMarker>();
  // (the marker's output is read back with `tail -c 65536`: a full read may have lost its beginning)
  const text = (b64: string | undefined) => {
    const bytes = Buffer.from(b64 ?? "", "base64");
    return (bytes.length >= MARKER_TAIL_BYTES ? CUT_HEAD : "") + bytes.toString("utf8");
  };
  for (const line of output.split("\n")) {
    const [key, status, code, stdout, stderr] = line.split("|");
    if (!key || !status) continue;
    if (status === "finished" && /^\d+$/.test(code ?? "")) out.set(key, { status, exitCode: Number(code), stdout: text(stdout), stderr: text(stderr) });
    else if (status === "running") out.set(key, { status });
    else if (status === "killed") out.set(key, { status, stdout: text(stdout), stderr: text(stderr) });
    else out.set(key, { status: "unknown" });
  }
  return out;
}
