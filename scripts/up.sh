#!/usr/bin/env bash
# `npm start`: install, prepare the SQLite database, ensure a first admin, build and serve on :3000
# (HOST and PORT choose the address).
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib.sh

ensure_node_modules
npm run -s db:generate
npx tsx scripts/db-setup.ts
ensure_auth_secret
npx tsx bin/create-admin.ts --if-none
# Build only when the sources changed since the last build.
if [ ! -f .next/BUILD_ID ] || [ -n "$(find app lib auth.ts auth.config.ts proxy.ts instrumentation.ts next.config.js package-lock.json prisma/schema.prisma -newer .next/BUILD_ID -print -quit)" ]; then
  npx next build
fi
exec npx next start -H "${HOST:-0.0.0.0}" -p "${PORT:-3000}"
