#!/bin/sh
# Behind PgBouncer (transaction mode), what ends a connection under a
# signed-in client: PgBouncer losing its server connection (an admin's
# pg_terminate_backend), PgBouncer itself stopping and starting again
# (which closes the client's connection), and PostgreSQL restarting behind
# it.  Each time the client goes on with the same session: no sign-in,
# and a call works.  (Runs itself through tests/pooler/through.sh.)
[ -n "${LUMEN_TEST_POOLER_CONF:-}" ] || exec sh tests/pooler/through.sh "$0"
. tests/e2e/lib.sh
e2e_plan 10
e2e_db
bouncer() { sh tests/pooler/pgbouncer.sh "$@" >/dev/null; }
# Home's refresh answers "Up to date." (for 3 s): a call made and answered.
refreshed() {
  e2e_wait_gone "Up to date." 5
  e2e_keys r
  e2e_wait_for "Up to date." 15 && ! e2e_screen | grep -q "Sign in to Lumen"
}

e2e_lumen
e2e_sign_in admin@brightsmile.test
e2e_ok 'e2e_wait_for "Welcome, Adam Admin"' "signed in through PgBouncer"

e2e_sql "SELECT pg_terminate_backend(pid) FROM pg_stat_activity
         WHERE datname = current_database() AND usename = 'lumen_client'" >/dev/null
e2e_ok 'refreshed' "PgBouncer's server connection ended: the next call works, same session"
e2e_ok '! e2e_screen | grep -q "FATAL\|terminating connection\|server conn"' \
  "nothing PgBouncer or libpq prints reaches the screen"

bouncer stop "$LUMEN_TEST_POOLER_DIR"
e2e_ok 'e2e_wait_for "Database connection lost"' "PgBouncer stopped: the status row shows the lost connection"
e2e_ok 'e2e_screen | grep -q "Welcome, Adam Admin"' "and the screen stays as it was"
bouncer start "$LUMEN_TEST_POOLER_DIR" "$PGHOST"
e2e_ok 'e2e_wait_gone "Database connection lost" 15' "PgBouncer back: the client reconnects"
e2e_ok 'refreshed' "and a call works without signing in again"

sh scripts/pgcluster.sh stop "$LUMEN_TEST_PGDIR" >/dev/null
sh scripts/pgcluster.sh start "$LUMEN_TEST_PGDIR" >/dev/null
e2e_ok 'refreshed' "PostgreSQL restarted behind PgBouncer: a call works, same session"
e2e_ok 'e2e_wait_gone "Database connection lost" 15 && e2e_screen | grep -q "Welcome, Adam Admin"' \
  "and nothing is left of it on the screen"
e2e_is "$(e2e_sql "SELECT count(*) FROM lumen.sessions s JOIN lumen.accounts a ON a.id = s.account_id
                   WHERE a.email = 'admin@brightsmile.test' AND s.revoked_at IS NULL")" 1 \
  "one session all along"
e2e_done
