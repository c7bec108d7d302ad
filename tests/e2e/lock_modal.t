#!/bin/sh
# The lock is a modal nothing can remove (issue 6, bug 1).  A member of two
# practices chooses one while the database is down; the idle lock comes on;
# the database comes back and the answers land.  The lock stays, with
# nothing of the practice on screen and no key reaching home; home comes
# only after unlocking, and the idle timer locks again after that.
. "$(dirname "$0")/lib.sh"
e2e_plan 8
e2e_db "[ui]" "idle_lock_seconds = 3"
e2e_sql "INSERT INTO lumen.memberships (practice_id, account_id, role)
         SELECT p.id, a.id, 'viewer' FROM lumen.practices p, lumen.accounts a
         WHERE p.name = 'Harbor Family Therapy' AND a.email = 'admin@brightsmile.test'" >/dev/null
pg_up() { sh scripts/pgcluster.sh start "$LUMEN_TEST_PGDIR" >/dev/null 2>&1 || true; }
trap 'pg_up; e2e_cleanup' EXIT
practice_of_session() {
  e2e_sql "SELECT count(*) FROM lumen.sessions s JOIN lumen.accounts a ON a.id = s.account_id
           WHERE a.email = 'admin@brightsmile.test' AND s.practice_id IS NOT NULL AND s.revoked_at IS NULL"
}

e2e_lumen
e2e_sign_in admin@brightsmile.test
e2e_ok 'e2e_wait_for "Choose a practice" && e2e_wait_for "Harbor Family Therapy"' "the picker lists both practices"

sh scripts/pgcluster.sh stop "$LUMEN_TEST_PGDIR" >/dev/null
e2e_wait_for "Database connection lost" 10
e2e_keys Enter
e2e_ok 'e2e_wait_for "Lumen is locked" 8' "the idle lock comes on while the choice waits for the database"
pg_up
_i=0
while [ "$(practice_of_session)" != 1 ] && [ $_i -lt 300 ]; do sleep 0.05; _i=$((_i + 1)); done
e2e_is "$(practice_of_session)" 1 "the choice reaches the database once it is back"
# Let what follows the choice (who am I, then home) land.
e2e_wait_gone "working" 5
e2e_ok 'e2e_screen | grep -q "Lumen is locked" && ! e2e_screen | grep -q "Welcome\|Bright Smile\|America/\|(Admin)"' \
  "the answers that land while locked uncover nothing: the lock stays"
e2e_keys o y
e2e_ok '! e2e_wait_for "Sign in to Lumen" 1' "keys go to the lock, not to the home screen beneath"
e2e_keys C-u
e2e_type "$E2E_PASSWORD"; e2e_keys Enter
e2e_ok 'e2e_wait_for "Welcome, Adam Admin" && e2e_screen | head -n 1 | grep -q "Bright Smile Dental"' \
  "unlocking shows the home screen the choice asked for"
e2e_ok 'e2e_wait_for "Lumen is locked" 8' "the idle timer locks again after unlocking"
e2e_ok '! e2e_screen | grep -q "Welcome\|Bright Smile"' "and hides the practice again"
e2e_done
