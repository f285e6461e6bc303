#!/usr/bin/env bash
# The browser test: installs what it needs (Debian's chromium, playwright-core
# from the committed package-lock.json, never a browser download) and runs
# demo.test.mjs with node's test runner.
#
#   DJANGOBRIDGE_TEST_DJANGO=/root/.cache/django-versions bash browsertest/run.sh
#
# Screenshots land in browsertest/screenshots/.
set -euo pipefail
cd "$(dirname "$0")"

if [[ ! -x /usr/bin/chromium ]]; then
  if [[ $(id -u) -ne 0 ]]; then
    echo "browsertest: /usr/bin/chromium is missing; install it: apt-get install -y chromium" >&2
    exit 1
  fi
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
fi

export PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1
npm ci --no-audit --no-fund --loglevel=error

exec node --test --test-reporter=spec demo.test.mjs
