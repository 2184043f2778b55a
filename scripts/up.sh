#!/usr/bin/env bash
# `npm start`: install, prepare the SQLite database, ensure a first admin, build and serve on :3000
# (HOST and PORT choose the address). Each step says what it does: the first run installs and builds
# for minutes. SIGTERM or SIGINT stops the step that is running, and the server is this process once
# it runs (exec), so stopping `npm start` frees the port.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib.sh
forward_signals

step "Checking dependencies"
ensure_node_modules
step "Generating the database client (Prisma)"
run_child node scripts/prisma-all.mjs generate
step "Preparing the database (migrations)"
run_child node_modules/.bin/tsx scripts/db-setup.ts
ensure_auth_secret
step "Ensuring a first admin"
run_child node_modules/.bin/tsx bin/create-admin.ts --if-none
# Build only when the sources changed since the last build.
if [ "${ORCHESTRA_SKIP_BUILD:-}" = 1 ]; then
  [ -f .next/BUILD_ID ] || { echo "ORCHESTRA_SKIP_BUILD=1 but there is no build (.next/BUILD_ID): run npm run build first." >&2; exit 1; }
  step "Using the existing build (ORCHESTRA_SKIP_BUILD=1)"
elif [ ! -f .next/BUILD_ID ] || [ -n "$(find app lib auth.ts auth.config.ts proxy.ts instrumentation.ts next.config.js package-lock.json prisma/schema.prisma -newer .next/BUILD_ID -print -quit)" ]; then
  step "Building the app (next build; the first build takes a few minutes)"
  run_child node_modules/.bin/next build
else
  step "The build is up to date"
fi
step "Serving on http://${HOST:-0.0.0.0}:${PORT:-3000} (Ctrl+C stops it)"
# The server replaces this shell: a signal for `npm start` reaches it directly.
exec node_modules/.bin/next start -H "${HOST:-0.0.0.0}" -p "${PORT:-3000}"
