#!/bin/sh
# scripts/pgcluster.sh: idempotent start and stop, recovery from a stale pid
# file, a socket path that fits, Unix socket only.
set -u
n=0; failed=0
ok() { n=$((n + 1)); if [ "$1" = 0 ]; then echo "ok $n - $2"; else echo "not ok $n - $2"; failed=1; fi; }
echo "1..8"

# A long folder name, so the socket must move somewhere shorter.
base=$(mktemp -d /tmp/lumen-cluster-test-XXXXXX)
dir=$base/a-folder-name-long-enough-to-push-the-socket-path-past-what-unix-allows/pg
trap 'sh scripts/pgcluster.sh destroy "$dir" >/dev/null 2>&1; rm -rf "$base"' EXIT
pg() { psql -X -At -h "$(sh scripts/pgcluster.sh host "$dir")" -U postgres -d postgres -c "$1" 2>/dev/null; }

sh scripts/pgcluster.sh start "$dir" --throwaway >/dev/null 2>&1
ok $? "start creates and starts a cluster"
sock=$(sh scripts/pgcluster.sh host "$dir")/.s.PGSQL.5432
[ ${#sock} -lt 107 ] && [ -S "$sock" ]
ok $? "its socket path is under 107 bytes (${#sock})"
[ "$(pg 'SHOW listen_addresses')" = "" ] && [ "$(pg 'SELECT 1')" = 1 ]
ok $? "it listens on no TCP address and answers on its socket"
[ "$(pg 'SHOW fsync')" = off ]
ok $? "a throwaway cluster runs with fsync off"

sh scripts/pgcluster.sh start "$dir" >/dev/null 2>&1 && [ "$(pg 'SELECT 1')" = 1 ]
ok $? "a second start leaves the running cluster alone"

sh scripts/pgcluster.sh stop "$dir" >/dev/null 2>&1 && [ "$(pg 'SELECT 1')" = "" ]
ok $? "stop stops it"

# A crash leaves postmaster.pid behind; its pid may now be someone else's.
data=$(cd "$dir" && pwd -P)/data
# A process of the cluster's own user, so that postgres cannot tell it apart.
# As root, runuser waits for its sleep and, when that is killed, says so
# ("Terminated") on its stderr: hence 2>/dev/null, and the wait below.
if [ "$(id -u)" = 0 ]; then (cd / && exec runuser -u postgres -- sleep 300) 2>/dev/null & job=$!
else sleep 300 & job=$!; fi
other=$job
sleep 0.2
[ "$(id -u)" = 0 ] && other=$(pgrep -u postgres -n -x sleep)
printf '%s\n%s\n' "$other" "$data" > "$data/postmaster.pid"
[ "$(id -u)" = 0 ] && chown postgres "$data/postmaster.pid"
sh scripts/pgcluster.sh start "$dir" >/dev/null 2>&1 && [ "$(pg 'SELECT 1')" = 1 ]
ok $? "start recovers from a stale pid file that names a live non-postgres process"
kill "$other" "$job" 2>/dev/null
wait "$job" 2>/dev/null

sh scripts/pgcluster.sh destroy "$dir" >/dev/null 2>&1 && [ ! -e "$dir" ] && [ ! -e "$data" ]
ok $? "destroy removes the cluster"
exit $failed
