#!/usr/bin/env bash
# `npm test`: every test — type check, unit tests on SQLite and on PostgreSQL, then the Playwright
# specs against a production build in Debian's Chromium with real sshd test hosts.
# Installs what it needs (apt packages, node modules) when missing.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib.sh
source scripts/pg.sh

export NEXT_TELEMETRY_DISABLED=1
mkdir -p .tmp/results
rm -f .tmp/results/*.json

echo "== setup"
ensure_apt chromium openssh-server postgresql nginx-light
mkdir -p /run/sshd
ensure_node_modules
npm run -s db:generate

echo "== type check"
npx tsc --noEmit

echo "== unit tests (SQLite)"
npx vitest run --exclude tests/up.test.ts --reporter=default --reporter=json --outputFile.json=.tmp/results/unit-sqlite.json

echo "== unit tests (PostgreSQL)"
start_private_postgres
trap stop_private_postgres EXIT
TEST_DATABASE_URL="$TEST_PG_URL" npx vitest run --exclude tests/up.test.ts --reporter=default --reporter=json --outputFile.json=.tmp/results/unit-postgres.json

echo "== production build"
npx next build > .tmp/results/build.log 2>&1 || { cat .tmp/results/build.log; exit 1; }

echo "== npm start (on the build: progress, and a signal frees the port)"
npx vitest run tests/up.test.ts --reporter=default --reporter=json --outputFile.json=.tmp/results/up.json

echo "== end-to-end (Playwright, Chromium)"
PLAYWRIGHT_JSON_OUTPUT_NAME=.tmp/results/e2e.json npx playwright test --reporter=list,json

node scripts/summary.mjs .tmp/results/unit-sqlite.json .tmp/results/unit-postgres.json .tmp/results/up.json .tmp/results/e2e.json
