#!/bin/sh
# tests/pooler/through.sh TEST [ARG...]: runs TEST (a TAP program: an
# e2e .t, or build/tests/pooler/*) with Lumen's client behind PgBouncer in
# transaction mode.  Run by the wrappers in tests/pooler/*.t, which
# tests/run.sh (make check) runs after the rest, in the environment it
# exports (PGHOST: the test cluster's socket folder; LUMEN_TEST_CONF).
#
# A PgBouncer of the test's own (tests/pooler/pgbouncer.sh, under
# build/pooler/NAME) is started in front of the test cluster, and TEST
# sees, besides what tests/run.sh exports:
#   LUMEN_TEST_POOLER_CONF   LUMEN_TEST_CONF with [database] host and port
#                            PgBouncer's socket and `pooler = transaction`:
#                            tests/e2e/lib.sh's e2e_db writes each test's
#                            config from it instead (so every lumen the
#                            test starts connects through PgBouncer, while
#                            e2e_sql and psql still reach PostgreSQL)
#   LUMEN_TEST_POOLER_DIR    the PgBouncer's folder, for
#                            tests/pooler/pgbouncer.sh stop/start
# PgBouncer is destroyed when TEST ends.
#
# To add a test to the pooler subset, add tests/pooler/NAME.t (executable):
#   #!/bin/sh
#   exec sh tests/pooler/through.sh tests/e2e/NAME.t
# A test whose harness writes configs of its own (not through e2e_db) reads
# them from ${LUMEN_TEST_POOLER_CONF:-$LUMEN_TEST_CONF}, as e2e_db does.
set -eu
[ $# -ge 1 ] || { echo "usage: through.sh TEST [ARG...]" >&2; exit 2; }
: "${PGHOST:?run through tests/run.sh (make check)}"
: "${LUMEN_TEST_CONF:?run through tests/run.sh (make check)}"
top=$(pwd)
name=$(basename "$1" .t)
dir=$top/build/pooler/$name
conf=$top/build/test/lumen-pooler-$name.conf

cleanup() {
  sh "$top/tests/pooler/pgbouncer.sh" destroy "$dir" >/dev/null 2>&1 || true
  rm -f "$conf"
}
trap cleanup EXIT
trap 'exit 1' INT TERM
sh tests/pooler/pgbouncer.sh start "$dir" "$PGHOST" || { echo "Bail out! PgBouncer did not start"; exit 1; }

sock=$(sh tests/pooler/pgbouncer.sh host "$dir")
port=$(sh tests/pooler/pgbouncer.sh port)
mkdir -p "$(dirname "$conf")"
(umask 077
 sed -e "s|^host = .*|host = $sock|" \
     -e "/^\[database\]\$/a port = $port\\npooler = transaction" "$LUMEN_TEST_CONF" > "$conf")
LUMEN_TEST_POOLER_CONF=$conf
LUMEN_TEST_POOLER_DIR=$dir
export LUMEN_TEST_POOLER_CONF LUMEN_TEST_POOLER_DIR

set +e
"$@"
rc=$?
exit $rc
