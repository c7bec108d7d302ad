#!/bin/sh
# A slow answer shows a spinner and never freezes the screen; Esc cancels
# the call and the form is usable again.
. "$(dirname "$0")/lib.sh"
e2e_plan 5
e2e_db
# Hold the accounts table so that sign-in has to wait for it.
psql -X -q -d "$E2E_DB" -c "BEGIN; LOCK TABLE lumen.accounts IN ACCESS EXCLUSIVE MODE; SELECT pg_sleep(60);" \
  >/dev/null 2>&1 &
locker=$!
trap 'kill $locker 2>/dev/null; e2e_cleanup' EXIT
until [ "$(e2e_sql "SELECT count(*) FROM pg_locks l JOIN pg_class c ON c.oid = l.relation WHERE c.relname = 'accounts' AND l.mode = 'AccessExclusiveLock' AND l.granted")" = 1 ]; do sleep 0.1; done

e2e_lumen
e2e_sign_in admin@brightsmile.test
e2e_ok 'e2e_wait_for "working (Esc cancels)"' "a slow call shows that it is working"
e2e_keys Escape
e2e_ok 'e2e_wait_for "Cancelled." && e2e_wait_gone "working (Esc cancels)"' "Esc cancels it"
e2e_ok 'e2e_screen | grep -q "Sign in to Lumen" && [ -z "$(e2e_exit_status)" ]' "the sign-in screen is still there, and lumen too"
e2e_is "$(e2e_sql "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid() AND query LIKE '%login_begin%' AND state = 'active'")" 0 \
  "the cancelled query is not left running on the server"

# The holder sleeps on the server until it is told to go.
e2e_sql "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = current_database() AND query LIKE 'BEGIN; LOCK TABLE%'" >/dev/null
wait $locker 2>/dev/null

e2e_type "$E2E_PASSWORD"; e2e_keys Enter
e2e_ok 'e2e_wait_for "Welcome, Adam Admin"' "once the database answers, signing in works"
e2e_done
