#!/bin/sh
# A private PostgreSQL cluster for the demo and the tests.
#
#   pgcluster.sh start   DIR [--throwaway]   create once, start (idempotent)
#   pgcluster.sh stop    DIR                 stop if running
#   pgcluster.sh destroy DIR                 stop and delete
#   pgcluster.sh host    DIR                 print the socket directory (PGHOST)
#
# Unix socket only (listen_addresses=''), superuser postgres, trust on the
# local socket, which only its owner and root may open (0700).  initdb and
# pg_ctl refuse to run as root, so as root they run
# as the postgres user; when that user cannot enter DIR (a checkout under
# /root, say) the files live under /var/tmp and DIR is a link to them.
# --throwaway turns fsync off: for tests, never for data you keep.
set -eu

usage() { echo "usage: pgcluster.sh start|stop|destroy|host DIR [--throwaway]" >&2; exit 2; }
[ $# -ge 2 ] || usage
cmd=$1; dir=$2; shift 2
throwaway=0
for a in "$@"; do
  case $a in --throwaway) throwaway=1 ;; *) usage ;; esac
done

bindir=${PG_BINDIR:-}
if [ -z "$bindir" ]; then
  for v in 17 16 15; do
    if [ -x "/usr/lib/postgresql/$v/bin/pg_ctl" ]; then bindir=/usr/lib/postgresql/$v/bin; break; fi
  done
fi
[ -n "$bindir" ] && [ -x "$bindir/pg_ctl" ] || {
  echo "pgcluster: no PostgreSQL 15 or newer server found; run scripts/install-deps.sh" >&2; exit 1; }

# Run a command as the cluster's owner.
if [ "$(id -u)" -eq 0 ]; then
  owner=postgres
  # From /, since postgres may not be allowed into the caller's folder.
  as_owner() { (cd / && runuser -u postgres -- "$@"); }
else
  owner=$(id -un)
  as_owner() { "$@"; }
fi

abspath() { mkdir -p "$(dirname "$1")" && (cd "$(dirname "$1")" && printf '%s/%s\n' "$(pwd -P)" "$(basename "$1")"); }
hash_of() { printf '%s' "$1" | cksum | cut -d' ' -f1; }

dir=$(abspath "$dir")
key=$(hash_of "$dir")

# Where the files go: DIR itself, or a per-checkout folder under /var/tmp.
resolve_home() {
  if [ -L "$dir" ]; then home=$(readlink "$dir"); return; fi
  if [ -d "$dir" ]; then home=$dir; return; fi
  parent=$(dirname "$dir")
  mkdir -p "$parent"
  if as_owner test -x "$parent" 2>/dev/null && as_owner test -r "$parent" 2>/dev/null; then
    home=$dir
  else
    home=/var/tmp/lumen-$owner-$key-$(basename "$dir" | tr -cd 'a-zA-Z0-9_-')
  fi
}
resolve_home
data=$home/data
log=$home/postgres.log

# The socket path (dir + "/.s.PGSQL.5432") must stay under 107 bytes.
sockdir=$home/run
if [ ${#sockdir} -gt 90 ]; then sockdir=/tmp/lumen-sock-$key; fi

# The cluster runs when the pid in postmaster.pid is a live postgres.  (pg_ctl
# status only asks whether that pid is alive, and after a crash and a reboot
# it may belong to anything.)
owner_pid_is_postgres() {
  pid=$(head -n 1 "$data/postmaster.pid" 2>/dev/null || true)
  [ -n "$pid" ] && [ "$(cat "/proc/$pid/comm" 2>/dev/null)" = postgres ]
}
is_running() { [ -f "$data/PG_VERSION" ] && owner_pid_is_postgres; }

# A postmaster.pid left by a crash makes postgres refuse to start when its
# pid now belongs to another process of the same user; remove it.
clear_stale_pid() {
  [ -f "$data/postmaster.pid" ] || return 0
  owner_pid_is_postgres && return 0
  echo "pgcluster: removing the stale pid file of pid ${pid:-?}" >&2
  rm -f "$data/postmaster.pid" "$sockdir/.s.PGSQL.5432.lock"
}

start() {
  # The folder stays the caller's: lumen refuses a config (the demo's
  # .lumen/lumen.conf) in a folder another user owns.  (As root, it was
  # once chowned to postgres whole: give it back.)
  if [ "$owner" != "$(id -un)" ] && [ -d "$home" ]; then chown "$(id -u)" "$home"; fi
  if is_running; then return 0; fi
  if [ ! -f "$data/PG_VERSION" ]; then
    mkdir -p "$home"
    if [ "$home" != "$dir" ]; then ln -sfn "$home" "$dir"; fi
    rm -rf "$data"
    mkdir -p "$data" "$sockdir"
    chmod 700 "$data"
    chmod 755 "$home"
    [ "$owner" = "$(id -un)" ] || chown -R "$owner" "$data" "$sockdir"
    as_owner "$bindir/initdb" -D "$data" -U postgres --auth-local=trust --auth-host=reject \
      -E UTF8 --locale=C.UTF-8 --no-sync >"$home/initdb.log" 2>&1 || {
      cat "$home/initdb.log" >&2; echo "pgcluster: initdb failed" >&2; exit 1; }
    {
      echo "# written by scripts/pgcluster.sh"
      echo "listen_addresses = ''"
      echo "unix_socket_directories = '$sockdir'"
      # Trust on the socket: only its owner (and root) may reach it, or
      # any local user of a shared machine could be the superuser.
      echo "unix_socket_permissions = 0700"
      echo "max_connections = 100"
      echo "shared_buffers = 64MB"
      echo "log_min_messages = warning"
      if [ $throwaway -eq 1 ]; then
        echo "fsync = off"
        echo "synchronous_commit = off"
        echo "full_page_writes = off"
      fi
    } | as_owner tee -a "$data/postgresql.conf" >/dev/null
  fi
  mkdir -p "$sockdir"
  # The server writes its log, in the caller's folder.
  if [ "$owner" != "$(id -un)" ]; then
    touch "$log" && chmod 600 "$log" && chown "$owner" "$sockdir" "$log"
  fi
  clear_stale_pid
  as_owner "$bindir/pg_ctl" -D "$data" -l "$log" -w -t 60 start >/dev/null || {
    tail -n 20 "$log" >&2; echo "pgcluster: could not start the cluster in $data" >&2; exit 1; }
}

stop() {
  if is_running; then as_owner "$bindir/pg_ctl" -D "$data" -m fast -w stop >/dev/null; fi
}

case $cmd in
  start) start ;;
  stop) stop ;;
  destroy) stop; rm -rf "$home" "$sockdir"; [ -L "$dir" ] && rm -f "$dir"; true ;;
  host) echo "$sockdir" ;;
  *) usage ;;
esac
