#!/usr/bin/env bash
# Private MariaDB for development and tests, under <repo>/var/mariadb (never committed).
#
#   scripts/devdb.sh start     initialise on first use, start, wait until ready, ensure db/user
#   scripts/devdb.sh stop      clean shutdown (idempotent)
#   scripts/devdb.sh status    prints "running ..." (exit 0) or "stopped" (exit 1)
#   scripts/devdb.sh env       export lines for the daemon/tests:  eval "$(scripts/devdb.sh env)"
#   scripts/devdb.sh root-sql [mariadb args...] < file.sql    runs SQL as root over the socket
#
# Layout: var/mariadb/{data/,mysqld.sock,mysqld.pid,error.log,password,root.cnf,port}
# Environment: SANZHI_DEVDB_PORT (TCP port on 127.0.0.1). Unset, start picks a free one from 3307
# up (another checkout's MariaDB may hold 3307) and remembers it in var/mariadb/port, which env
# prints; set and taken, start stops and says how to choose another.
# The server reads no my.cnf (--no-defaults): every setting is on its command line below.
# Reset everything: scripts/devdb.sh stop && rm -rf var/mariadb
set -euo pipefail
set +m

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd -P)
DIR="$ROOT/var/mariadb"
DATA="$DIR/data"
SOCK="$DIR/mysqld.sock"
PIDF="$DIR/mysqld.pid"
LOG="$DIR/error.log"
PWF="$DIR/password"          # password of sanzhi@localhost / sanzhi@127.0.0.1 (mode 0600)
ROOTCNF="$DIR/root.cnf"      # client option file for root over the socket (mode 0600)
PORTF="$DIR/port"            # port the running server was started with
PORT=${SANZHI_DEVDB_PORT:-3307}   # status and env fall back to it when no server was started
FIRST_PORT=3307 LAST_PORT=3399    # where start looks for a free port
DBNAME=sanzhi
DBUSER=sanzhi
READY_TIMEOUT=30

die() { echo "devdb: $*" >&2; exit 1; }
say() { echo "devdb: $*" >&2; }

need_tools() {
  local t
  for t in mariadbd mariadb-install-db mariadb-admin mariadb flock setsid; do
    PATH="$PATH:/usr/sbin:/sbin" command -v "$t" >/dev/null ||
      die "'$t' not found; install the MariaDB server and client (run scripts/deps.sh as root)"
  done
  export PATH="$PATH:/usr/sbin:/sbin"
}

# A unix socket path must fit in sun_path (108 bytes incl. NUL).
check_socket_path() {
  [ ${#SOCK} -le 107 ] || die "socket path too long for a unix socket (${#SOCK} > 107): $SOCK; move the checkout to a shorter path"
}

# Prints the pid of our mariadbd if its pid file names a live mariadbd using our datadir.
server_pid() {
  local pid
  [ -r "$PIDF" ] || return 1
  pid=$(tr -dc '0-9' < "$PIDF")
  [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null || return 1
  # Guard against pid reuse: the process must be a mariadbd started on our datadir.
  if [ -r "/proc/$pid/cmdline" ]; then
    tr '\0' '\n' < "/proc/$pid/cmdline" | grep -qxF -- "--datadir=$DATA" || return 1
  fi
  echo "$pid"
}

ping_server() {
  # Authenticated ping (avoids "access denied" noise in the error log); a bare ping
  # also counts: the server answered, so it is up.
  if [ -r "$ROOTCNF" ]; then
    mariadb-admin --defaults-file="$ROOTCNF" --connect-timeout=2 ping >/dev/null 2>&1 && return 0
  fi
  mariadb-admin --no-defaults --socket="$SOCK" --user=UNKNOWN_MYSQL_USER --connect-timeout=2 ping >/dev/null 2>&1
}

is_running() { server_pid >/dev/null && ping_server; }

random_hex() { od -An -tx1 -N"$1" /dev/urandom | tr -d ' \n'; }

# Secrets are created once, mode 0600, and reused for the life of var/mariadb.
ensure_secrets() {
  local rootpw
  ( umask 077
    [ -s "$PWF" ] || { random_hex 16; echo; } > "$PWF"
    if [ ! -s "$ROOTCNF" ]; then
      rootpw=$(random_hex 16)
      printf '[client]\nuser=root\npassword=%s\nsocket=%s\n' "$rootpw" "$SOCK" > "$ROOTCNF"
    fi )
  chmod 600 "$PWF" "$ROOTCNF"
}

db_password() { [ -s "$PWF" ] || die "not initialised: run 'scripts/devdb.sh start' first"; head -n1 "$PWF"; }
root_password() { sed -n 's/^password=//p' "$ROOTCNF" | head -n1; }

# mariadbd refuses to run as root unless told to; otherwise it runs as the current user.
RUN_AS=()
if [ "$(id -u)" -eq 0 ]; then RUN_AS=(--user=root); fi

init_datadir() {
  [ -d "$DATA/mysql" ] && return 0
  say "initialising $DATA (first use)"
  rm -rf "$DATA.tmp"
  # Initialise into a temporary directory, then rename: an interrupted first start never
  # leaves a half-made datadir behind.
  if ! mariadb-install-db --no-defaults --datadir="$DATA.tmp" "${RUN_AS[@]}" \
        --auth-root-authentication-method=normal --skip-test-db --skip-name-resolve \
        --innodb-log-file-size=256M >"$DIR/install.log" 2>&1; then
    tail -n 30 "$DIR/install.log" >&2
    die "mariadb-install-db failed (full log: $DIR/install.log)"
  fi
  mv "$DATA.tmp" "$DATA"
  chmod 700 "$DATA"
}

# Runs at every server start, before it accepts connections: keeps root@localhost in sync
# with root.cnf (root exists only on the socket; no root over TCP).
write_init_file() {
  local pw
  pw=$(root_password)
  ( umask 077
    printf "ALTER USER 'root'@'localhost' IDENTIFIED BY '%s';\n" "$pw" > "$DIR/init.sql" )
  chmod 600 "$DIR/init.sql"
}

# Idempotent: database, application user on socket (localhost) and TCP (127.0.0.1),
# ALL on `sanzhi` and on every `sanzhi_%` database (tests make one per test file).
# The application user keeps ALL here because it also runs the migrations (make run, bench, the
# tests); the audit rows are append-only for it all the same, by the triggers of sql/0012, which
# spare only root (tests tamper as root, through root-sql). Production separates the two accounts
# (README, "Audit trail"): the daemon's without TRIGGER, ALTER, DROP or CREATE.
setup_sql() {
  local pw
  pw=$(db_password)
  cat <<SQL
DELETE FROM mysql.global_priv WHERE User='root' AND Host<>'localhost';
DELETE FROM mysql.global_priv WHERE User='';
FLUSH PRIVILEGES;
CREATE DATABASE IF NOT EXISTS \`$DBNAME\` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_520_ci;
CREATE USER IF NOT EXISTS '$DBUSER'@'localhost' IDENTIFIED BY '$pw';
CREATE USER IF NOT EXISTS '$DBUSER'@'127.0.0.1' IDENTIFIED BY '$pw';
ALTER USER '$DBUSER'@'localhost' IDENTIFIED BY '$pw';
ALTER USER '$DBUSER'@'127.0.0.1' IDENTIFIED BY '$pw';
GRANT ALL PRIVILEGES ON \`$DBNAME\`.* TO '$DBUSER'@'localhost', '$DBUSER'@'127.0.0.1';
GRANT ALL PRIVILEGES ON \`${DBNAME}\\_%\`.* TO '$DBUSER'@'localhost', '$DBUSER'@'127.0.0.1';
SQL
}

server_args() {
  # Charset: utf8mb4 everywhere. Collation utf8mb4_unicode_520_ci rather than
  # utf8mb4_unicode_ci: UCA 4.0 (unicode_ci) gives every supplementary-plane character the
  # same weight, so names that differ only in a CJK Extension B+ character (common in
  # personal and place names, e.g. 𠮷) would compare equal and collide in UNIQUE keys.
  # UCA 5.2 weighs them distinctly; it is still case-insensitive for Latin text.
  # Columns that need exact byte matching (USCC, tokens, hashes) should say COLLATE utf8mb4_bin.
  local sqlmode=STRICT_TRANS_TABLES,STRICT_ALL_TABLES,NO_ZERO_IN_DATE,NO_ZERO_DATE,ERROR_FOR_DIVISION_BY_ZERO,NO_ENGINE_SUBSTITUTION,NO_AUTO_CREATE_USER,ONLY_FULL_GROUP_BY
  printf '%s\n' \
    --no-defaults \
    --datadir="$DATA" \
    --socket="$SOCK" \
    --pid-file="$PIDF" \
    --log-error="$LOG" \
    --init-file="$DIR/init.sql" \
    --bind-address=127.0.0.1 \
    --port="$PORT" \
    --skip-name-resolve \
    --character-set-server=utf8mb4 \
    --collation-server=utf8mb4_unicode_520_ci \
    --skip-character-set-client-handshake \
    --sql-mode="$sqlmode" \
    --default-time-zone=+00:00 \
    --max-connections=1000 \
    --max-allowed-packet=64M \
    --innodb-buffer-pool-size=512M \
    --innodb-log-file-size=256M \
    --innodb-flush-log-at-trx-commit=1 \
    --innodb-lock-wait-timeout=10 \
    --innodb-ft-min-token-size=1 \
    --ft-min-word-len=1 \
    --innodb-ft-enable-stopword=0 \
    "${RUN_AS[@]}"
}

# Something accepts TCP connections on 127.0.0.1:$1 (a server, stopped or not, listens there).
port_taken() {
  (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
}

# The first free port from $1 (default FIRST_PORT) to LAST_PORT.
free_port() {
  local p
  for ((p = ${1:-$FIRST_PORT}; p <= LAST_PORT; p++)); do
    port_taken "$p" || { echo "$p"; return 0; }
  done
  return 1
}

# The port to start on: SANZHI_DEVDB_PORT if set (and free), else the one remembered from the
# last start if still free, else the first free one.
choose_port() {
  local p
  if [ -n "${SANZHI_DEVDB_PORT:-}" ]; then
    [[ "$SANZHI_DEVDB_PORT" =~ ^[0-9]+$ ]] && [ "$SANZHI_DEVDB_PORT" -ge 1 ] && [ "$SANZHI_DEVDB_PORT" -le 65535 ] ||
      die "SANZHI_DEVDB_PORT must be a port number (1-65535), got '$SANZHI_DEVDB_PORT'"
    if port_taken "$SANZHI_DEVDB_PORT"; then
      p=$(free_port) || p=""
      say "port $SANZHI_DEVDB_PORT on 127.0.0.1 is taken (another checkout's MariaDB?); choose another:"
      say "  unset SANZHI_DEVDB_PORT: start then picks a free port and remembers it in $PORTF"
      say "  (scripts/devdb.sh env prints it), or"
      die "  set a free one${p:+, e.g.: SANZHI_DEVDB_PORT=$p scripts/devdb.sh start}"
    fi
    echo "$SANZHI_DEVDB_PORT"
    return 0
  fi
  p=$( { tr -dc '0-9' < "$PORTF"; } 2>/dev/null || true)
  if [ -n "$p" ] && [ "$p" -ge 1 ] && [ "$p" -le 65535 ] && ! port_taken "$p"; then
    echo "$p"
    return 0
  fi
  free_port || die "no free port from $FIRST_PORT to $LAST_PORT on 127.0.0.1; set SANZHI_DEVDB_PORT to a free one"
}

# Waits until the server answers; returns 2 if it exited (its log is left to the caller).
wait_ready() {
  local pid=$1 deadline=$((SECONDS + READY_TIMEOUT))
  while :; do
    if ! kill -0 "$pid" 2>/dev/null; then
      return 2
    fi
    ping_server && return 0
    if [ $SECONDS -ge $deadline ]; then
      say "mariadbd not ready after ${READY_TIMEOUT}s; last lines of $LOG:"
      tail -n 25 "$LOG" >&2 || true
      exit 1
    fi
    sleep 0.05
  done
}

startup_failed() {
  say "mariadbd exited during start-up; last lines of $LOG:"
  tail -n 25 "$LOG" >&2 || true
  exit 1
}

cmd_start() {
  need_tools
  check_socket_path
  mkdir -p "$DIR"
  exec 9>"$DIR/.lock"
  flock 9      # concurrent "start"s (parallel test runners) serialise here
  if is_running && [ -s "$PWF" ] && [ -s "$ROOTCNF" ]; then
    local running
    running=$(cat "$PORTF" 2>/dev/null || true)
    if [ -n "${SANZHI_DEVDB_PORT:-}" ] && [ "$running" != "$SANZHI_DEVDB_PORT" ]; then
      say "already running on port $running, not $SANZHI_DEVDB_PORT; stop and start again to move it"
    fi
    exit 0
  fi
  local pid
  if pid=$(server_pid); then
    [ -s "$ROOTCNF" ] || die "mariadbd (pid $pid) runs but $ROOTCNF is gone; kill $pid, then start again"
    ensure_secrets
    # Alive but not answering yet (another start is still in progress, or stuck).
    wait_ready "$pid" || startup_failed
  else
    # A taken SANZHI_DEVDB_PORT stops start before anything is created.
    [ -z "${SANZHI_DEVDB_PORT:-}" ] || choose_port >/dev/null || exit 1
    ensure_secrets
    init_datadir
    write_init_file
    local -a args
    local attempt rc mark
    # A port found free can be taken before mariadbd binds it (another checkout starting at the
    # same moment): a picked port is then replaced by the next free one, a few times.
    for attempt in 1 2 3 4 5; do
      PORT=$(choose_port) || exit 1
      rm -f "$PIDF"
      mapfile -t args < <(server_args)
      echo "$PORT" > "$PORTF"
      mark="---- $(date '+%F %T') devdb start (port $PORT)"
      echo "$mark" >> "$LOG"
      setsid mariadbd "${args[@]}" </dev/null >>"$LOG" 2>&1 9>&- &
      pid=$!
      rc=0
      wait_ready "$pid" || rc=$?
      [ "$rc" -eq 0 ] && break
      if [ "$rc" -eq 2 ] && [ -z "${SANZHI_DEVDB_PORT:-}" ] &&
         sed -n "/^$mark\$/,\$p" "$LOG" | grep -q 'Address already in use'; then
        say "port $PORT was taken meanwhile; trying another"
        rm -f "$PORTF"
        continue
      fi
      startup_failed
    done
    [ "$rc" -eq 0 ] || startup_failed
  fi
  local out
  if ! out=$(setup_sql | mariadb --defaults-file="$ROOTCNF" --batch 2>&1); then
    echo "$out" >&2
    die "setting up database '$DBNAME' and user '$DBUSER' failed"
  fi
  say "running: socket $SOCK, 127.0.0.1:$(cat "$PORTF"), database $DBNAME, user $DBUSER (scripts/devdb.sh env)"
}

cmd_stop() {
  need_tools
  mkdir -p "$DIR"
  exec 9>"$DIR/.lock"
  flock 9
  local pid
  if ! pid=$(server_pid); then
    rm -f "$PIDF"
    say "stopped"
    return 0
  fi
  # mariadb-admin shutdown waits until the server has exited; SIGTERM is the same clean
  # shutdown if root's credentials are unusable for some reason.
  if ! mariadb-admin --defaults-file="$ROOTCNF" --connect-timeout=5 shutdown >/dev/null 2>&1; then
    say "mariadb-admin shutdown failed; sending SIGTERM to $pid"
    kill -TERM "$pid" 2>/dev/null || true
  fi
  local deadline=$((SECONDS + 120))
  while kill -0 "$pid" 2>/dev/null; do
    [ $SECONDS -lt $deadline ] || die "mariadbd (pid $pid) did not exit within 120s; see $LOG"
    sleep 0.05
  done
  say "stopped"
}

cmd_status() {
  need_tools
  local pid
  if pid=$(server_pid) && ping_server; then
    echo "running (pid $pid, socket $SOCK, 127.0.0.1:$(cat "$PORTF" 2>/dev/null || echo "$PORT"))"
    return 0
  elif pid=$(server_pid); then
    echo "starting or not responding (pid $pid)"
    return 1
  fi
  echo "stopped"
  return 1
}

cmd_env() {
  local pw port
  pw=$(db_password)
  port=$(cat "$PORTF" 2>/dev/null || echo "$PORT")
  printf 'export SANZHI_DB_SOCKET=%q SANZHI_DB_HOST=127.0.0.1 SANZHI_DB_PORT=%q SANZHI_DB_NAME=%q SANZHI_DB_USER=%q SANZHI_DB_PASSWORD=%q\n' \
    "$SOCK" "$port" "$DBNAME" "$DBUSER" "$pw"
}

cmd_root_sql() {
  need_tools
  [ -s "$ROOTCNF" ] || die "not initialised: run 'scripts/devdb.sh start' first"
  server_pid >/dev/null || die "not running: run 'scripts/devdb.sh start' first"
  exec mariadb --defaults-file="$ROOTCNF" "$@"
}

usage() {
  awk 'NR > 1 && /^#/ { sub(/^# ?/, ""); print; next } NR > 1 { exit }' "${BASH_SOURCE[0]}" >&2
  exit 2
}

case "${1:-}" in
  start) cmd_start ;;
  stop) cmd_stop ;;
  status) cmd_status ;;
  env) cmd_env ;;
  root-sql) shift; cmd_root_sql "$@" ;;
  *) usage ;;
esac
