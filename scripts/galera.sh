#!/usr/bin/env bash
# A MariaDB Galera cluster of N nodes on this one machine, for scale-out tests (SPEC §8).
# Data under <repo>/var/galera/nodeK (never committed).
#
#   scripts/galera.sh start [N]        start (or complete) an N-node cluster, default N=3;
#                                      waits until wsrep_cluster_size = N, ensures db/user
#   scripts/galera.sh stop             clean shutdown of every node, last node first
#   scripts/galera.sh status [N]       one line per node; exit 0 when N nodes form one cluster
#   scripts/galera.sh env [K]          export lines to reach node K (default 1) over TCP
#   scripts/galera.sh root-sql K [mariadb args...] < file.sql   SQL as root on node K
#
# Node K (1-based): SQL 127.0.0.1:(4400+K) and var/galera/nodeK/mysqld.sock,
#   Galera group communication 4500+K, IST 4600+K, rsync SST 4700+K.
# The database `sanzhi` and user `sanzhi` (@localhost and @127.0.0.1, ALL on sanzhi and
# sanzhi\_%) are the same as scripts/devdb.sh makes; the password is in var/galera/password.
# Reset everything: scripts/galera.sh stop && rm -rf var/galera
set -euo pipefail
set +m

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd -P)
GDIR="$ROOT/var/galera"
PWF="$GDIR/password"
ROOTCNF="$GDIR/root.cnf"
PROVIDER=/usr/lib/galera/libgalera_smm.so
CLUSTER_NAME=sanzhi-test
DBNAME=sanzhi
DBUSER=sanzhi
READY_TIMEOUT=30      # a node without SST
SST_TIMEOUT=180       # a joiner receiving a full state transfer
MAX_NODES=9

die() { echo "galera: $*" >&2; exit 1; }
say() { echo "galera: $*" >&2; }

# As root, the nodes run as the `mysql` system user (made by the mariadb-server package):
# the joiner's rsync daemon used for state transfers drops root to `nobody`, which then
# cannot write a root-owned 0700 datadir. Otherwise they run as the current user.
RUN_AS=()
RUN_USER=""
if [ "$(id -u)" -eq 0 ]; then
  RUN_USER=mysql
  RUN_AS=(--user=mysql)
fi
export PATH="$PATH:/usr/sbin:/sbin"

node_dir()  { echo "$GDIR/node$1"; }
sql_port()  { echo $((4400 + $1)); }
gcomm_port(){ echo $((4500 + $1)); }
ist_port()  { echo $((4600 + $1)); }
sst_port()  { echo $((4700 + $1)); }

# Galera needs the provider library and, for state transfers to joiners, rsync plus a
# port-checking tool (ss/lsof). Installed from Debian's archive when missing and root.
ensure_packages() {
  local missing=() t
  for t in mariadbd mariadb-install-db mariadb-admin mariadb flock setsid; do
    command -v "$t" >/dev/null || die "'$t' not found; install mariadb-server/mariadb-client (scripts/deps.sh)"
  done
  [ -f "$PROVIDER" ] || missing+=(galera-4)
  command -v rsync >/dev/null || missing+=(rsync)
  command -v ss >/dev/null || command -v lsof >/dev/null || missing+=(iproute2)
  command -v wsrep_sst_rsync >/dev/null || die "wsrep_sst_rsync not found (it ships with mariadb-server)"
  [ ${#missing[@]} -eq 0 ] && return 0
  if [ "$(id -u)" -ne 0 ]; then
    die "missing packages; run as root: apt-get update && apt-get install -y ${missing[*]}"
  fi
  say "installing ${missing[*]}"
  DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${missing[@]}" >/dev/null ||
    { DEBIAN_FRONTEND=noninteractive apt-get update -q >/dev/null &&
      DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${missing[@]}" >/dev/null; } ||
    die "apt-get install ${missing[*]} failed"
  [ -f "$PROVIDER" ] || die "galera-4 installed but $PROVIDER is missing"
}

random_hex() { od -An -tx1 -N"$1" /dev/urandom | tr -d ' \n'; }

ensure_secrets() {
  mkdir -p "$GDIR"
  ( umask 077
    [ -s "$PWF" ] || { random_hex 16; echo; } > "$PWF"
    [ -s "$ROOTCNF" ] || printf '[client]\nuser=root\npassword=%s\n' "$(random_hex 16)" > "$ROOTCNF" )
  chmod 600 "$PWF" "$ROOTCNF"
}

node_pid() {
  local d pid
  d=$(node_dir "$1")
  [ -r "$d/mysqld.pid" ] || return 1
  pid=$(tr -dc '0-9' < "$d/mysqld.pid")
  [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null || return 1
  if [ -r "/proc/$pid/cmdline" ]; then
    tr '\0' '\n' < "/proc/$pid/cmdline" | grep -qxF -- "--datadir=$d/data" || return 1
  fi
  echo "$pid"
}

# Root client on node K; with a password once the cluster has one, else (fresh datadir) none.
rootc() {
  local k=$1; shift
  mariadb --defaults-file="$ROOTCNF" --socket="$(node_dir "$k")/mysqld.sock" "$@"
}

node_ping() {
  mariadb-admin --no-defaults --socket="$(node_dir "$1")/mysqld.sock" --user=UNKNOWN_MYSQL_USER \
    --connect-timeout=2 ping >/dev/null 2>&1
}

wsrep_var() {   # node, status variable name
  rootc "$1" -N -B --connect-timeout=2 -e "SHOW GLOBAL STATUS LIKE '$2'" 2>/dev/null | cut -f2
}

cluster_addr() {
  local n=$1 k list=""
  for ((k = 1; k <= n; k++)); do list+="${list:+,}127.0.0.1:$(gcomm_port "$k")"; done
  echo "gcomm://$list"
}

node_args() {   # node, cluster size
  local k=$1 n=$2 d
  d=$(node_dir "$k")
  local sqlmode=STRICT_TRANS_TABLES,STRICT_ALL_TABLES,NO_ZERO_IN_DATE,NO_ZERO_DATE,ERROR_FOR_DIVISION_BY_ZERO,NO_ENGINE_SUBSTITUTION,NO_AUTO_CREATE_USER,ONLY_FULL_GROUP_BY
  printf '%s\n' \
    --no-defaults \
    --datadir="$d/data" \
    --socket="$d/mysqld.sock" \
    --pid-file="$d/mysqld.pid" \
    --log-error="$d/error.log" \
    --bind-address=127.0.0.1 \
    --port="$(sql_port "$k")" \
    --skip-name-resolve \
    --character-set-server=utf8mb4 \
    --collation-server=utf8mb4_unicode_520_ci \
    --skip-character-set-client-handshake \
    --sql-mode="$sqlmode" \
    --default-time-zone=+00:00 \
    --max-connections=1000 \
    --max-allowed-packet=64M \
    --innodb-buffer-pool-size=256M \
    --innodb-log-file-size=256M \
    --innodb-flush-log-at-trx-commit=1 \
    --innodb-lock-wait-timeout=10 \
    --innodb-ft-min-token-size=1 \
    --ft-min-word-len=1 \
    --innodb-ft-enable-stopword=0 \
    --default-storage-engine=InnoDB \
    --binlog-format=ROW \
    --log-bin-trust-function-creators=1 \
    --innodb-autoinc-lock-mode=2 \
    --wsrep-on=ON \
    --wsrep-provider="$PROVIDER" \
    --wsrep-cluster-name="$CLUSTER_NAME" \
    --wsrep-cluster-address="$(cluster_addr "$n")" \
    --wsrep-node-name="node$k" \
    --wsrep-node-address="127.0.0.1:$(gcomm_port "$k")" \
    --wsrep-provider-options="base_host=127.0.0.1;base_port=$(gcomm_port "$k");gmcast.listen_addr=tcp://127.0.0.1:$(gcomm_port "$k");ist.recv_addr=127.0.0.1:$(ist_port "$k");gcache.size=128M;evs.suspect_timeout=PT3S;evs.inactive_timeout=PT6S;evs.install_timeout=PT4S" \
    --wsrep-sst-method=rsync \
    --wsrep-sst-receive-address="127.0.0.1:$(sst_port "$k")" \
    --wsrep-slave-threads=4 \
    --wsrep-sync-wait=1 \
    "${RUN_AS[@]}"
}

init_node() {
  local k=$1 d
  d=$(node_dir "$k")
  [ -d "$d/data/mysql" ] && return 0
  mkdir -p "$d"
  rm -rf "$d/data.tmp"
  if ! mariadb-install-db --no-defaults --datadir="$d/data.tmp" "${RUN_AS[@]}" \
        --auth-root-authentication-method=normal --skip-test-db --skip-name-resolve \
        --innodb-log-file-size=256M >"$d/install.log" 2>&1; then
    tail -n 30 "$d/install.log" >&2
    die "mariadb-install-db failed for node$k (full log: $d/install.log)"
  fi
  mv "$d/data.tmp" "$d/data"
  chmod 700 "$d/data"
}

# The node directory holds the socket, pid file and error log, written by the node's user.
own_node_dir() {
  local d
  d=$(node_dir "$1")
  mkdir -p "$d"
  touch "$d/error.log"
  if [ -n "$RUN_USER" ]; then
    id "$RUN_USER" >/dev/null 2>&1 ||
      die "system user '$RUN_USER' is missing (the mariadb-server package creates it); the nodes cannot run as root because rsync state transfer drops root to 'nobody'"
    chown -R "$RUN_USER:" "$d"
  fi
}

grastate() {   # node, field -> value from grastate.dat
  local f
  f="$(node_dir "$1")/data/grastate.dat"
  if [ -r "$f" ]; then sed -n "s/^$2:[[:space:]]*//p" "$f" | head -n1; fi
}

fail_node() {
  local k=$1 msg=$2 d
  d=$(node_dir "$k")
  say "node$k: $msg; last lines of $d/error.log:"
  tail -n 30 "$d/error.log" >&2 || true
  exit 1
}

# Starts node K and waits until it is Synced with the cluster.
start_node() {
  local k=$1 n=$2 bootstrap=$3 d pid timeout deadline state
  d=$(node_dir "$k")
  [ ${#d} -le 100 ] || die "socket path too long: $d/mysqld.sock"
  own_node_dir "$k"
  init_node "$k"
  rm -f "$d/mysqld.pid"
  local -a args
  mapfile -t args < <(node_args "$k" "$n")
  if [ "$bootstrap" = 1 ]; then args+=(--wsrep-new-cluster); timeout=$READY_TIMEOUT
  else timeout=$SST_TIMEOUT; fi
  echo "---- $(date '+%F %T') galera start node$k (bootstrap=$bootstrap)" >> "$d/error.log"
  setsid mariadbd "${args[@]}" </dev/null >>"$d/error.log" 2>&1 9>&- &
  pid=$!
  deadline=$((SECONDS + timeout))
  while :; do
    kill -0 "$pid" 2>/dev/null || fail_node "$k" "mariadbd exited during start-up"
    if node_ping "$k"; then
      state=$(wsrep_var "$k" wsrep_local_state_comment || true)
      if [ -z "$state" ] && [ "$bootstrap" = 1 ]; then
        # Fresh datadir: root has no password yet. Give it the one in root.cnf (replicated
        # to every joiner by the state transfer) and drop root over TCP.
        local rootpw
        rootpw=$(sed -n 's/^password=//p' "$ROOTCNF")
        mariadb --no-defaults --socket="$d/mysqld.sock" -uroot -e \
          "ALTER USER 'root'@'localhost' IDENTIFIED BY '$rootpw'; DELETE FROM mysql.global_priv WHERE Host<>'localhost' AND User='root'; DELETE FROM mysql.global_priv WHERE User=''; FLUSH PRIVILEGES;" \
          2>/dev/null || true
        state=$(wsrep_var "$k" wsrep_local_state_comment || true)
      fi
      [ "$state" = Synced ] && break
    fi
    [ $SECONDS -lt $deadline ] || fail_node "$k" "not Synced after ${timeout}s (state: ${state:-no answer})"
    sleep 0.2
  done
  say "node$k: Synced (pid $pid, 127.0.0.1:$(sql_port "$k"))"
}

existing_nodes() {   # node numbers that have a directory, ascending
  local d
  for d in "$GDIR"/node*; do
    [ -d "$d" ] && echo "${d##*/node}"
  done | sort -n
}

# The application user keeps ALL: it also runs the migrations here. The audit rows are append-only
# for it all the same (triggers of sql/0012, which spare only root); production separates the
# migrating and the serving account (README, "Audit trail").
setup_sql() {
  local pw
  pw=$(head -n1 "$PWF")
  cat <<SQL
CREATE DATABASE IF NOT EXISTS \`$DBNAME\` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_520_ci;
CREATE USER IF NOT EXISTS '$DBUSER'@'localhost' IDENTIFIED BY '$pw';
CREATE USER IF NOT EXISTS '$DBUSER'@'127.0.0.1' IDENTIFIED BY '$pw';
ALTER USER '$DBUSER'@'localhost' IDENTIFIED BY '$pw';
ALTER USER '$DBUSER'@'127.0.0.1' IDENTIFIED BY '$pw';
GRANT ALL PRIVILEGES ON \`$DBNAME\`.* TO '$DBUSER'@'localhost', '$DBUSER'@'127.0.0.1';
GRANT ALL PRIVILEGES ON \`${DBNAME}\\_%\`.* TO '$DBUSER'@'localhost', '$DBUSER'@'127.0.0.1';
SQL
}

cmd_start() {
  local n=${1:-3} k running=() boot="" best=-2 seq out
  if ! [[ "$n" =~ ^[0-9]+$ ]] || [ "$n" -lt 1 ] || [ "$n" -gt $MAX_NODES ]; then
    die "N must be 1..$MAX_NODES, got '$n'"
  fi
  ensure_packages
  ensure_secrets
  exec 9>"$GDIR/.lock"
  flock 9
  for ((k = 1; k <= n; k++)); do node_pid "$k" >/dev/null && running+=("$k"); done
  for k in $(existing_nodes); do
    if [ "$k" -gt "$n" ] && node_pid "$k" >/dev/null; then
      die "node$k is running but N=$n; run 'scripts/galera.sh stop' first to shrink the cluster"
    fi
  done

  if [ ${#running[@]} -eq 0 ]; then
    # Choose the node to bootstrap: the one Galera marked safe (the last to stop cleanly),
    # else the most advanced one, else node1 for a fresh cluster.
    for ((k = 1; k <= n; k++)); do
      if [ "$(grastate "$k" safe_to_bootstrap)" = 1 ]; then boot=$k; break; fi
    done
    if [ -z "$boot" ]; then
      for ((k = 1; k <= n; k++)); do
        seq=$(grastate "$k" seqno); seq=${seq:--2}
        if [ "$seq" -gt "$best" ]; then best=$seq; boot=$k; fi
      done
      boot=${boot:-1}
      local f
      f="$(node_dir "$boot")/data/grastate.dat"
      if [ -f "$f" ]; then
        say "no node is marked safe_to_bootstrap (unclean stop); forcing node$boot and making the others take a full state transfer"
        sed -i 's/^safe_to_bootstrap:.*/safe_to_bootstrap: 1/' "$f"
        for ((k = 1; k <= n; k++)); do
          [ "$k" = "$boot" ] || rm -f "$(node_dir "$k")/data/grastate.dat"
        done
      fi
    fi
    start_node "$boot" "$n" 1
    running+=("$boot")
  fi

  for ((k = 1; k <= n; k++)); do
    node_pid "$k" >/dev/null && continue
    start_node "$k" "$n" 0
  done

  local first=${running[0]} size="" deadline=$((SECONDS + READY_TIMEOUT))
  while :; do
    size=$(wsrep_var "$first" wsrep_cluster_size || true)
    [ "$size" = "$n" ] && break
    [ $SECONDS -lt $deadline ] || die "wsrep_cluster_size is '${size:-?}', expected $n (see var/galera/node*/error.log)"
    sleep 0.2
  done
  if ! out=$(setup_sql | rootc "$first" --batch 2>&1); then
    echo "$out" >&2
    die "setting up database '$DBNAME' and user '$DBUSER' failed"
  fi
  echo "$n" > "$GDIR/size"
  say "cluster '$CLUSTER_NAME' of $n nodes: SQL ports $(sql_port 1)..$(sql_port "$n") (scripts/galera.sh env K)"
}

cmd_stop() {
  local k pid deadline nodes
  mkdir -p "$GDIR"
  exec 9>"$GDIR/.lock"
  flock 9
  nodes=$(existing_nodes | sort -rn)
  # Highest-numbered first, so the lowest live node stops last and is marked
  # safe_to_bootstrap: the next start bootstraps from it without losing anything.
  for k in $nodes; do
    pid=$(node_pid "$k") || continue
    if ! mariadb-admin --defaults-file="$ROOTCNF" --socket="$(node_dir "$k")/mysqld.sock" \
          --connect-timeout=5 shutdown >/dev/null 2>&1; then
      kill -TERM "$pid" 2>/dev/null || true
    fi
    deadline=$((SECONDS + 120))
    while kill -0 "$pid" 2>/dev/null; do
      [ $SECONDS -lt $deadline ] || die "node$k (pid $pid) did not exit within 120s"
      sleep 0.1
    done
    say "node$k: stopped"
  done
  say "stopped"
}

cmd_status() {
  local n=${1:-} k pid ok=0 size state
  [ -n "$n" ] || n=$(cat "$GDIR/size" 2>/dev/null || echo 3)
  for ((k = 1; k <= n; k++)); do
    if pid=$(node_pid "$k"); then
      size=$(wsrep_var "$k" wsrep_cluster_size || true)
      state=$(wsrep_var "$k" wsrep_local_state_comment || true)
      echo "node$k: running (pid $pid, 127.0.0.1:$(sql_port "$k"), state ${state:-?}, cluster size ${size:-?})"
      [ "$state" = Synced ] && [ "$size" = "$n" ] || ok=1
    else
      echo "node$k: stopped"
      ok=1
    fi
  done
  return $ok
}

cmd_env() {
  local k=${1:-1}
  [ -s "$PWF" ] || die "not initialised: run 'scripts/galera.sh start' first"
  printf 'unset SANZHI_DB_SOCKET; export SANZHI_DB_HOST=127.0.0.1 SANZHI_DB_PORT=%q SANZHI_DB_NAME=%q SANZHI_DB_USER=%q SANZHI_DB_PASSWORD=%q\n' \
    "$(sql_port "$k")" "$DBNAME" "$DBUSER" "$(head -n1 "$PWF")"
}

cmd_root_sql() {
  local k=${1:-}
  [[ "$k" =~ ^[0-9]+$ ]] || die "usage: scripts/galera.sh root-sql K [mariadb args...]"
  shift
  node_pid "$k" >/dev/null || die "node$k is not running"
  exec mariadb --defaults-file="$ROOTCNF" --socket="$(node_dir "$k")/mysqld.sock" "$@"
}

usage() {
  awk 'NR > 1 && /^#/ { sub(/^# ?/, ""); print; next } NR > 1 { exit }' "${BASH_SOURCE[0]}" >&2
  exit 2
}

cmd=${1:-}
[ $# -gt 0 ] && shift
case "$cmd" in
  start) cmd_start "$@" ;;
  stop) cmd_stop ;;
  status) cmd_status "$@" ;;
  env) cmd_env "$@" ;;
  root-sql) cmd_root_sql "$@" ;;
  *) usage ;;
esac
