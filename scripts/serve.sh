#!/usr/bin/env bash
# `npm run serve`: start the existing production build (`npm run build`) without building — the "build
# once, start many" path of web nodes. HOST (default 127.0.0.1) and PORT (default 3000) choose the
# address. The node checks its setup as it starts (lib/startup/checks.ts) and refuses a wrong one.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ ! -f .next/BUILD_ID ]; then
  echo "serve: no build in $(pwd)/.next: run \`npm run build\` first (or copy .next from the build machine)" >&2
  exit 1
fi
exec node_modules/.bin/next start -H "${HOST:-127.0.0.1}" -p "${PORT:-3000}"
