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
ensure_apt chromium openssh-server postgresql nginx-light mariadb-server mariadb-client postfix dovecot-core dovecot-imapd dovecot-lmtpd php8.2-fpm
ensure_apt bind9 bind9-dnsutils iproute2   # named, rndc, named-checkzone, dig; ip (loopback addresses for named)
ensure_apt pebble certbot openssl curl   # pebble, pebble-challtestsrv: the test ACME authority and its DNS; certbot and openssl: the ACME client and certificate reads on servers; curl: HTTPS checks
ensure_apt python3   # the agent (deploy/agent/orchestra-agent.py) in tests/agent.test.ts and the bench
mkdir -p /run/sshd
ensure_node_modules
npm run -s db:generate

echo "== type check"
npx tsc --noEmit

echo "== unit tests (SQLite)"
npx vitest run --exclude tests/up.test.ts --reporter=default --reporter=json --outputFile.json=.tmp/results/unit-sqlite.json

echo "== unit tests (PostgreSQL)"
# Files that prove a backend's effects on its daemon (BIND, Postfix/Dovecot, PHP-FPM, nginx, MariaDB and
# PostgreSQL as managed servers) use the database as every other file does: they run once, on SQLite.
# Everything about the engine, the workers, leases, schedules and the admin's data runs on both.
DAEMON_TESTS=(tests/dns.test.ts tests/mail.test.ts tests/web-apps.test.ts tests/databases.test.ts tests/websites.test.ts tests/acme.test.ts)
start_private_postgres
trap stop_private_postgres EXIT
TEST_DATABASE_URL="$TEST_PG_URL" npx vitest run --exclude tests/up.test.ts "${DAEMON_TESTS[@]/#/--exclude=}" --reporter=default --reporter=json --outputFile.json=.tmp/results/unit-postgres.json

echo "== production build"
npx next build > .tmp/results/build.log 2>&1 || { cat .tmp/results/build.log; exit 1; }

echo "== npm start (on the build: progress, and a signal frees the port)"
npx vitest run tests/up.test.ts --reporter=default --reporter=json --outputFile.json=.tmp/results/up.json

echo "== end-to-end (Playwright, Chromium)"
PLAYWRIGHT_JSON_OUTPUT_NAME=.tmp/results/e2e.json npx playwright test --reporter=list,json

echo "== end-to-end on PostgreSQL (two web nodes and a worker)"
runuser -u postgres -- "$PG_BIN/createdb" -h 127.0.0.1 -p "$PG_PORT" orchestra_e2e
E2E_PG_URL="postgresql://postgres@127.0.0.1:$PG_PORT/orchestra_e2e" npx playwright test -c playwright.pg.config.ts

node scripts/summary.mjs .tmp/results/unit-sqlite.json .tmp/results/unit-postgres.json .tmp/results/up.json .tmp/results/e2e.json
