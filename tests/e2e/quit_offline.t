#!/bin/sh
# Quitting while the database is down (issue 6, bug 3): the sign-out that
# quitting queues can never be sent, and db_close answers it (cancelled)
# so that nothing leaks.  Under make SANITIZE=1, e2e_done fails on a leak.
. "$(dirname "$0")/lib.sh"
e2e_plan 4
e2e_db
pg_up() { sh scripts/pgcluster.sh start "$LUMEN_TEST_PGDIR" >/dev/null 2>&1 || true; }
trap 'pg_up; e2e_cleanup' EXIT
e2e_lumen
e2e_sign_in admin@brightsmile.test
e2e_ok 'e2e_wait_for "Welcome, Adam Admin"' "signed in"
sh scripts/pgcluster.sh stop "$LUMEN_TEST_PGDIR" >/dev/null
e2e_ok 'e2e_wait_for "Database connection lost"' "the database is gone"
e2e_keys q
e2e_ok 'e2e_wait_exit 5' "q quits at once, without waiting for the database"
e2e_is "$(e2e_exit_status)" 0 "exit status 0"
pg_up
e2e_done
