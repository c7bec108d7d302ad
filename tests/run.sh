#!/bin/sh
# make check: every test, through prove, against one throwaway cluster.
#
# The cluster (fsync off) lives under build/ and is destroyed at the end, so
# tests never touch the demo data.  One database, lumen_test, is migrated
# and given pgTAP; the pgTAP files run in it inside transactions they roll
# back.  Tests that need a database of their own create it from lumen_test
# (createdb -T lumen_test) or from nothing.  What the tests see:
#   PGHOST PGUSER PGDATABASE   the cluster as superuser postgres
#   LUMEN_TEST_CONF            a lumen.conf for lumen_test (client role
#                              lumen_client, migrations as postgres)
#   LUMEN_BIN                  the lumen binary under test
#   LUMEN_TEST_PGDIR           the cluster's folder (to stop and start it)
# The e2e tests copy lumen_demo (migrated, with the demo data and the demo
# leads of db/demo/leads.sql) into a database of their own with e2e_db
# (tests/e2e/lib.sh).  tests/pooler/*.t come last: some of them again, and
# tests of their own, each with lumen behind a PgBouncer in transaction
# mode that tests/pooler/through.sh starts for it.
set -eu
top=$(pwd)
pgdir=$top/build/testpg
export LUMEN_BIN="$top/lumen"
export LUMEN_TEST_PGDIR="$pgdir"

sh scripts/pgcluster.sh destroy "$pgdir" >/dev/null 2>&1 || true
sh scripts/pgcluster.sh start "$pgdir" --throwaway
cleanup() { sh "$top/scripts/pgcluster.sh" destroy "$pgdir" >/dev/null 2>&1 || true; }
trap cleanup EXIT INT TERM

PGHOST=$(sh scripts/pgcluster.sh host "$pgdir")
PGUSER=postgres
PGDATABASE=lumen_test
export PGHOST PGUSER PGDATABASE

mkdir -p build/test
LUMEN_TEST_CONF=$top/build/test/lumen.conf
export LUMEN_TEST_CONF
umask 077
cat > "$LUMEN_TEST_CONF" <<CONF
[database]
host = $PGHOST
dbname = lumen_test
user = lumen_client
[migrate]
user = postgres
CONF
umask 022

createdb lumen_test
"$LUMEN_BIN" db migrate --config "$LUMEN_TEST_CONF" >/dev/null 2>&1 || {
  "$LUMEN_BIN" db migrate --config "$LUMEN_TEST_CONF"; exit 1; }
psql -X -q -v ON_ERROR_STOP=1 -c 'CREATE EXTENSION pgtap' >/dev/null
createdb -T lumen_test lumen_demo
psql -X -q -v ON_ERROR_STOP=1 -1 -d lumen_demo -f db/demo/demo.sql -f db/demo/leads.sql -f db/demo/audit.sql -f db/demo/team.sql >/dev/null

# Arguments: prove's options (-v) and test files (./tests/e2e/lock.t);
# without files, every test.
named=0
for a in "$@"; do case $a in -*) ;; *) named=1 ;; esac; done
if [ $named -eq 0 ]; then
  for f in build/tests/unit/*.t tests/doc/*.t tests/db/*.t tests/db/*.pg tests/e2e/*.t \
           tests/pooler/*.t tests/replica/*.t; do
    [ -e "$f" ] && set -- "$@" "./$f"
  done
fi
# pgTAP files run as postgres in lumen_test; everything else is executable.
prove --source pgTAP --source Executable --source Perl \
      --pgtap-option "host=$PGHOST" --pgtap-option username=postgres \
      --pgtap-option dbname=lumen_test "$@"
