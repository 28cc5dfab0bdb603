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
# Mail (SPEC Appendix C): unless an SMTP server is configured, a local sink (Debian's aiosmtpd)
# takes every message the daemon sends and keeps it as a file in the Maildir var/mail/.
sink_pid=
if [ -z "${SANZHI_SMTP_URL:-}" ]; then
  sink_port=${MAIL_SINK_PORT:-2525}
  mkdir -p var/mail/new var/mail/cur var/mail/tmp
  /usr/bin/python3 -m aiosmtpd -n -l "127.0.0.1:$sink_port" -c aiosmtpd.handlers.Mailbox var/mail &
  sink_pid=$!
  for _ in $(seq 50); do
    (exec 3<>"/dev/tcp/127.0.0.1/$sink_port") 2>/dev/null && break
    kill -0 "$sink_pid" 2>/dev/null || { echo "run: the mail sink did not start (port $sink_port busy?)" >&2; exit 1; }
    sleep 0.1
  done
  export SANZHI_SMTP_URL="smtp://127.0.0.1:$sink_port"
  export SANZHI_MAIL_FROM=${SANZHI_MAIL_FROM:-"海盐县民政局 <noreply@sanzhi.localhost>"}
  export SANZHI_MAIL_POLL_MS=${SANZHI_MAIL_POLL_MS:-1000}
  echo "run: mail goes to a local SMTP sink on 127.0.0.1:$sink_port; each message lands as a file in $(pwd)/var/mail/new/"
else
  echo "run: mail goes to $SANZHI_SMTP_URL"
fi
stop_sink() { [ -n "$sink_pid" ] && kill "$sink_pid" 2>/dev/null; wait 2>/dev/null; }
trap stop_sink EXIT

echo
echo "sanzhi: API http://${SANZHI_LISTEN%%,*}/api/v1   UI http://${SANZHI_LISTEN%%,*}/admin/   (Ctrl-C stops)"
build/sanzhid serve
