#!/bin/sh
# PostgreSQL stops while signed in: the status row says so; it starts
# again: the client reconnects and works without a new sign-in.
. "$(dirname "$0")/lib.sh"
e2e_plan 6
e2e_db
e2e_lumen
e2e_sign_in admin@brightsmile.test
e2e_ok 'e2e_wait_for "Welcome, Adam Admin"' "signed in"

sh scripts/pgcluster.sh stop "$LUMEN_TEST_PGDIR" >/dev/null
e2e_ok 'e2e_wait_for "Database connection lost"' "the status row shows the lost connection"
e2e_ok 'e2e_screen | grep -q "Welcome, Adam Admin"' "the screen stays as it was"
e2e_ok '! e2e_screen | grep -q "FATAL\|terminating connection"' "nothing libpq prints reaches the screen"
sh scripts/pgcluster.sh start "$LUMEN_TEST_PGDIR" >/dev/null
e2e_ok 'e2e_wait_gone "Database connection lost" 15' "it reconnects once the database is back"
e2e_keys r
e2e_ok 'e2e_wait_for "Up to date." && ! e2e_screen | grep -q "Sign in to Lumen"' "and a call works without signing in again"
e2e_done
