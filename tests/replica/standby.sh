#!/bin/sh
# A streaming replica (hot standby) of the test cluster, for tests/replica.
#
#   standby.sh start   PRIMARY_SOCKDIR DIR   pg_basebackup -R into DIR/data, start it
#   standby.sh stop    DIR                   stop it
#   standby.sh destroy DIR                   stop it and delete DIR
#   standby.sh host    DIR                   print its socket directory
#
# The primary is scripts/pgcluster.sh's cluster as it is: wal_level replica,
# max_wal_senders 10 and a "local replication all trust" line are its
# defaults (initdb --auth-local=trust), so the primary is not touched.  The
# standby copies the primary's postgresql.conf, then listens on a socket
# directory of its own (same port, another directory).  As root, initdb's
# rule holds for pg_basebackup and pg_ctl too: they run as postgres; DIR
# must be enterable by it (as scripts/pgcluster.sh, /var/tmp otherwise).
set -eu
usage() { echo "usage: standby.sh start PRIMARY_SOCKDIR DIR | stop|destroy|host DIR" >&2; exit 2; }
[ $# -ge 2 ] || usage
cmd=$1; shift

bindir=${PG_BINDIR:-}
if [ -z "$bindir" ]; then
  for v in 17 16 15; do
    if [ -x "/usr/lib/postgresql/$v/bin/pg_ctl" ]; then bindir=/usr/lib/postgresql/$v/bin; break; fi
  done
fi
if [ "$(id -u)" -eq 0 ]; then
  owner=postgres
  as_owner() { (cd / && runuser -u postgres -- "$@"); }
else
  owner=$(id -un)
  as_owner() { "$@"; }
fi

where() {
  dir=$1
  mkdir -p "$(dirname "$dir")"
  dir=$(cd "$(dirname "$dir")" && printf '%s/%s' "$(pwd -P)" "$(basename "$dir")")
  if [ -L "$dir" ]; then home=$(readlink "$dir"); return; fi
  if [ -d "$dir" ] || as_owner test -x "$(dirname "$dir")" 2>/dev/null; then home=$dir; return; fi
  home=/var/tmp/lumen-standby-$owner-$(printf '%s' "$dir" | cksum | cut -d' ' -f1)
}

case $cmd in
  start)
    [ $# -eq 2 ] || usage
    primary=$1; where "$2"
    sock=$home/run
    [ ${#sock} -le 90 ] || sock=/tmp/lumen-standby-$(printf '%s' "$home" | cksum | cut -d' ' -f1)
    if [ -f "$home/data/postmaster.pid" ]; then echo "$sock"; exit 0; fi
    rm -rf "$home/data"
    mkdir -p "$home/data" "$sock"
    [ "$home" = "$dir" ] || ln -sfn "$home" "$dir"
    chmod 700 "$home/data"; chmod 755 "$home"
    [ "$owner" = "$(id -un)" ] || chown -R "$owner" "$home" "$sock"
    as_owner "$bindir/pg_basebackup" -h "$primary" -U postgres -D "$home/data" -R \
      -X stream -c fast --no-sync >"$home/basebackup.log" 2>&1 || {
      cat "$home/basebackup.log" >&2; echo "standby: pg_basebackup failed" >&2; exit 1; }
    {
      echo "# tests/replica/standby.sh"
      echo "unix_socket_directories = '$sock'"
      echo "hot_standby = on"
      echo "hot_standby_feedback = on"
      echo "wal_receiver_status_interval = 1s"
      echo "track_functions = all"
    } | as_owner tee -a "$home/data/postgresql.auto.conf" >/dev/null
    as_owner "$bindir/pg_ctl" -D "$home/data" -l "$home/postgres.log" -w -t 60 start >/dev/null || {
      tail -n 20 "$home/postgres.log" >&2; echo "standby: could not start" >&2; exit 1; }
    echo "$sock" > "$home/sockdir"
    echo "$sock"
    ;;
  stop|destroy)
    where "$1"
    if [ -f "$home/data/postmaster.pid" ]; then
      as_owner "$bindir/pg_ctl" -D "$home/data" -m immediate -w stop >/dev/null || true
    fi
    if [ "$cmd" = destroy ]; then
      sock=$(cat "$home/sockdir" 2>/dev/null || true)
      rm -rf "$home"
      [ -z "$sock" ] || rm -rf "$sock"
      [ ! -L "$dir" ] || rm -f "$dir"
    fi
    ;;
  host) where "$1"; cat "$home/sockdir" ;;
  *) usage ;;
esac
