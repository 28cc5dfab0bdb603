#!/usr/bin/env bash
# run.sh — what `make run` does after building: a private MariaDB under var/ (unless an
# external database is configured), the master key, migrations, demo data, then the daemon
# on http://127.0.0.1:8080 with the UI at /admin/.
set -euo pipefail
cd "$(dirname "$0")/.."
mkdir -p var

if [ -z "${SANZHI_DB_HOST:-}${SANZHI_DB_SOCKET:-}" ]; then
  scripts/devdb.sh start
  eval "$(scripts/devdb.sh env)"
else
  echo "run: using the external database configured in SANZHI_DB_*"
fi

export SANZHI_MASTER_KEY_FILE=${SANZHI_MASTER_KEY_FILE:-var/master.key}
if [ ! -f "$SANZHI_MASTER_KEY_FILE" ]; then
  (umask 077; openssl rand -hex 32 > "$SANZHI_MASTER_KEY_FILE")
  echo "run: created the master key $SANZHI_MASTER_KEY_FILE (mode 0600) — back it up; sealed bids and the signing key depend on it"
fi
export SANZHI_LISTEN=${SANZHI_LISTEN:-127.0.0.1:8080}
export SANZHI_DATA_DIR=${SANZHI_DATA_DIR:-var}

build/sanzhid migrate
build/sanzhid seed
# A few registered organizations of 海盐县 for the public register, once per database.
marker="var/.demo-orgs-${SANZHI_DB_NAME:-sanzhi}"
if [ ! -f "$marker" ]; then
  build/sanzhid import orgs scripts/demo-orgs.csv && touch "$marker"
fi
echo
echo "sanzhi: API http://${SANZHI_LISTEN%%,*}/api/v1   UI http://${SANZHI_LISTEN%%,*}/admin/   (Ctrl-C stops)"
exec build/sanzhid serve
