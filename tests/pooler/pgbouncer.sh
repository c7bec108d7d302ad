#!/bin/sh
# A private PgBouncer in transaction mode in front of a test cluster.
#
#   pgbouncer.sh start   DIR PGHOST   write the config and start it
#   pgbouncer.sh stop    DIR          stop it (by its pid file) if it runs
#   pgbouncer.sh destroy DIR          stop and delete
#   pgbouncer.sh host    DIR          print its socket folder
#   pgbouncer.sh port                 print its port (the socket's name)
#
# Unix socket only (listen_addr empty, unix_socket_dir DIR/run), every
# database of the cluster whose socket folder is PGHOST (psql reaches it as
# postgres there), pool_mode = transaction with one server connection per
# database and role, so that the clients of a test share their server
# connection the way a busy pool shares them.  Authentication: trust, as
# the cluster behind it trusts its local socket; PgBouncer still wants
# the roles listed in an auth_file, written from the cluster's login roles
# at start.  No ignore_startup_parameters: a client that sent libpq's
# `options` would be refused, as a stock PgBouncer refuses it.
#
# PgBouncer, like initdb, refuses to run as root: as root it runs as the
# postgres user, as scripts/pgcluster.sh runs PostgreSQL, with its files
# under /var/tmp when that user cannot enter DIR's parent.
set -eu

usage() { echo "usage: pgbouncer.sh start DIR PGHOST | stop|destroy|host DIR | port" >&2; exit 2; }
[ $# -ge 1 ] || usage
cmd=$1
PORT=6432
if [ "$cmd" = port ]; then echo $PORT; exit 0; fi
[ $# -ge 2 ] || usage
dir=$2

bin=${PGBOUNCER:-/usr/sbin/pgbouncer}
if [ "$(id -u)" -eq 0 ]; then
  owner=postgres
  as_owner() { (cd / && runuser -u postgres -- "$@"); }
else
  owner=$(id -un)
  as_owner() { "$@"; }
fi

mkdir -p "$(dirname "$dir")"
dir=$(cd "$(dirname "$dir")" && printf '%s/%s\n' "$(pwd -P)" "$(basename "$dir")")
# Where the files go: DIR, or (when the owner cannot reach it) a folder
# under /var/tmp that DIR links to.
if [ -L "$dir" ]; then
  home=$(readlink "$dir")
elif [ -d "$dir" ] || { as_owner test -x "$(dirname "$dir")" && as_owner test -r "$(dirname "$dir")"; } 2>/dev/null; then
  home=$dir
else
  home=/var/tmp/lumen-pgbouncer-$owner-$(printf '%s' "$dir" | cksum | cut -d' ' -f1)
fi
run=$home/run
# The socket path (run + "/.s.PGSQL.6432") must stay under 107 bytes.
sock=$run
if [ ${#sock} -gt 90 ]; then sock=/tmp/lumen-pgbouncer-$(printf '%s' "$dir" | cksum | cut -d' ' -f1); fi
pidfile=$run/pgbouncer.pid

# Whether PID is a PgBouncer that has not exited.  (A daemon's parent is
# init, which may take its time to reap it: a zombie has exited.)
alive() {
  [ "$(cat "/proc/$1/comm" 2>/dev/null)" = pgbouncer ] &&
    [ "$(sed 's/.*) //' "/proc/$1/stat" 2>/dev/null | cut -c1)" != Z ]
}

stop() {
  pid=$(cat "$pidfile" 2>/dev/null || true)
  if [ -n "$pid" ] && alive "$pid"; then
    # SIGTERM: immediate shutdown (SIGINT would wait for the clients).
    kill -TERM "$pid"
    i=0
    while alive "$pid" && [ $i -lt 100 ]; do sleep 0.05; i=$((i + 1)); done
  fi
  rm -f "$pidfile"
}

start() {
  pghost=$1
  [ -x "$bin" ] || { echo "pgbouncer.sh: no $bin; run scripts/install-deps.sh test" >&2; exit 1; }
  stop
  mkdir -p "$home" "$run" "$sock"
  if [ "$home" != "$dir" ]; then ln -sfn "$home" "$dir"; fi
  chmod 755 "$home"
  chmod 700 "$run" "$sock"
  [ "$owner" = "$(id -un)" ] || chown "$owner" "$run" "$sock"
  psql -X -q -At -h "$pghost" -U postgres -d postgres \
    -c "SELECT format('%s \"\"', quote_ident(rolname)) FROM pg_roles WHERE rolcanlogin ORDER BY 1" \
    | sed 's/^\([^"].*\) ""$/"\1" ""/' > "$home/users.txt"
  cat > "$home/pgbouncer.ini" <<INI
; written by tests/pooler/pgbouncer.sh
[databases]
* = host=$pghost
[pgbouncer]
listen_addr =
listen_port = $PORT
unix_socket_dir = $sock
unix_socket_mode = 0700
auth_type = trust
auth_file = $home/users.txt
pool_mode = transaction
default_pool_size = 1
max_client_conn = 100
; a server that went away is tried again within a second, not 15 s
server_login_retry = 1
logfile = $run/pgbouncer.log
pidfile = $pidfile
INI
  chmod 644 "$home/pgbouncer.ini" "$home/users.txt"
  as_owner "$bin" -d -q "$home/pgbouncer.ini" || {
    cat "$run/pgbouncer.log" >&2 2>/dev/null; echo "pgbouncer.sh: PgBouncer did not start" >&2; exit 1; }
  i=0
  while [ ! -S "$sock/.s.PGSQL.$PORT" ] && [ $i -lt 100 ]; do sleep 0.05; i=$((i + 1)); done
  [ -S "$sock/.s.PGSQL.$PORT" ] || {
    tail -n 20 "$run/pgbouncer.log" >&2; echo "pgbouncer.sh: no socket in $sock" >&2; exit 1; }
}

case $cmd in
  start) [ $# -eq 3 ] || usage; start "$3" ;;
  stop) stop ;;
  destroy) stop; rm -rf "$home"; [ "$sock" = "$run" ] || rm -rf "$sock"; [ -L "$dir" ] && rm -f "$dir"; true ;;
  host) echo "$sock" ;;
  *) usage ;;
esac
