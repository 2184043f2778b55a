# Helpers shared by scripts/up.sh and scripts/test.sh.

# A progress line: the first `npm start` installs and builds for minutes, and says so.
step() {
  printf '==> %s\n' "$*"
}

# Runs a command as a child this shell waits for. Under forward_signals it runs in a process group of
# its own, so a signal stops it with everything it started (npm's scripts, a build's workers).
run_child() {
  "$@" </dev/null &
  CHILD=$!
  local status=0
  wait "$CHILD" || status=$?
  CHILD=
  return "$status"
}

# SIGTERM or SIGINT while a step runs: stop that step's process group, then exit. Without this the
# shell would die and leave the step (an install, a build) running on its own.
forward_signals() {
  set -m # job control: every child started by run_child gets its own process group
  CHILD=
  trap 'stop_child 143' TERM
  trap 'stop_child 130' INT
}

stop_child() {
  if [ -n "${CHILD:-}" ]; then
    kill -TERM -- "-$CHILD" 2>/dev/null || true
    wait "$CHILD" 2>/dev/null || true
  fi
  exit "$1"
}

# Whether node_modules holds what package-lock.json asks for. Compared by content when the lock file
# looks newer: a fresh clone or a git checkout touches it without changing it.
node_modules_current() {
  [ -f node_modules/.package-lock.json ] || return 1
  [ package-lock.json -nt node_modules/.package-lock.json ] || return 0
  node -e '
    const want = require("./package-lock.json").packages, have = require("./node_modules/.package-lock.json").packages;
    const missing = Object.entries(want).some(([path, p]) => path && !p.optional && have[path]?.version !== p.version);
    const stale = Object.entries(have).some(([path, p]) => want[path]?.version !== p.version);
    process.exit(missing || stale ? 1 : 0);
  '
}

# npm ci when node_modules is missing or does not match the lock file.
ensure_node_modules() {
  if ! node_modules_current; then
    step "Installing dependencies (npm ci; the first time takes a few minutes)"
    run_child npm ci --no-audit --no-fund
  fi
  # Prove the native SQLite driver was built for this Node.
  node -e "new (require('better-sqlite3'))(':memory:')"
}

# A random AUTH_SECRET in .env.local (git-ignored), made once per checkout, unless the environment
# gives one.
ensure_auth_secret() {
  if [ -z "${AUTH_SECRET:-}" ] && ! grep -qs '^AUTH_SECRET=' .env.local; then
    step "Writing a new AUTH_SECRET to .env.local"
    echo "AUTH_SECRET=$(node -e "console.log(require('crypto').randomBytes(32).toString('base64url'))")" >> .env.local
  fi
  if [ -f .env.local ]; then set -a; source .env.local; set +a; fi
}

# apt packages, installed only when missing (CI machines start without them).
ensure_apt() {
  local missing=()
  for pkg in "$@"; do dpkg -s "$pkg" >/dev/null 2>&1 || missing+=("$pkg"); done
  if [ ${#missing[@]} -gt 0 ]; then
    echo "installing ${missing[*]}"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  fi
}
