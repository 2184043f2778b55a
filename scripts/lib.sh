# Helpers shared by scripts/up.sh and scripts/test.sh.

# npm ci when node_modules is missing or older than the lock file.
ensure_node_modules() {
  if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
    npm ci --no-audit --no-fund
  fi
  # Prove the native SQLite driver was built for this Node.
  node -e "new (require('better-sqlite3'))(':memory:')"
}

# A random AUTH_SECRET in .env.local (git-ignored), made once per checkout.
ensure_auth_secret() {
  if ! grep -qs '^AUTH_SECRET=' .env.local; then
    echo "AUTH_SECRET=$(node -e "console.log(require('crypto').randomBytes(32).toString('base64url'))")" >> .env.local
  fi
  set -a; source .env.local; set +a
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
