#!/usr/bin/env bash
# test.sh — integration and browser suites against the real daemon and the private MariaDB.
# (make test runs the unit tests first, then this.) Options: --san (the ASan/UBSan binary),
# --only integration|browser.
set -euo pipefail
cd "$(dirname "$0")/.."
san=0; only=""
while [ $# -gt 0 ]; do
  case "$1" in
    --san) san=1 ;;
    --only) only=$2; shift ;;
    *) echo "test.sh: unknown option $1" >&2; exit 2 ;;
  esac
  shift
done
if [ $san -eq 1 ]; then
  export SANZHI_BIN=$PWD/build/san/sanzhid
  export ASAN_OPTIONS=detect_leaks=1:abort_on_error=0:log_path=$PWD/build/san/asan
  rm -f build/san/asan.*
fi
scripts/devdb.sh start >/dev/null
eval "$(scripts/devdb.sh env)"

# The validator tests/lib/daemon.mjs checks every answer with (tests/package.json), as
# scripts/deps.sh installs it; here too for a direct run of this script.
if [ ! -f tests/node_modules/.package-lock.json ] || [ tests/package-lock.json -nt tests/node_modules/.package-lock.json ]; then
  (cd tests && npm ci --no-audit --no-fund --loglevel=error)
fi

status=0
if [ -z "$only" ] || [ "$only" = integration ]; then
  echo "== integration"
  node --test --test-concurrency=2 tests/integration/ || status=1
fi
if [ -z "$only" ] || [ "$only" = browser ]; then
  echo "== browser"
  if [ ! -d tests/browser/node_modules/playwright-core ]; then
    (cd tests/browser && npm ci --no-audit --no-fund --loglevel=error)
  fi
  node --test --test-concurrency=1 tests/browser/ || status=1
fi
if [ $san -eq 1 ] && ls build/san/asan.* >/dev/null 2>&1; then
  echo "== sanitizer reports:" >&2
  cat build/san/asan.* >&2
  status=1
fi
exit $status
