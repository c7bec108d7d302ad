#!/bin/sh
# A call belongs to the screen that asked (issue 6, async contract):
# leaving the picker cancels the practice change it asked for, while the
# home screen's own call, queued beside it, still completes.  The database
# is stopped meanwhile so that both calls are certain to be queued, not
# answered, when the picker is left (a lock would end at lock_timeout).
. "$(dirname "$0")/lib.sh"
e2e_plan 5
e2e_db
e2e_second_practice
session_practice() {
  e2e_sql "SELECT p.name FROM lumen.sessions s JOIN lumen.practices p ON p.id = s.practice_id
           WHERE s.revoked_at IS NULL"
}
e2e_lumen
e2e_sign_in admin@brightsmile.test
e2e_wait_for "Harbor Family Therapy"
e2e_keys Enter                          # Bright Smile Dental, listed first
e2e_ok 'e2e_wait_for "Welcome, Adam Admin" && e2e_screen | head -n 1 | grep -q "Bright Smile Dental"' \
  "signed in to the first practice"
e2e_keys p
e2e_wait_for "Harbor Family Therapy"

sh scripts/pgcluster.sh stop "$LUMEN_TEST_PGDIR" >/dev/null
e2e_wait_for "Database connection lost"
e2e_keys j Enter                        # the picker asks for the second...
e2e_keys Escape                         # ...and is left before the answer
e2e_ok 'e2e_wait_for "Welcome, Adam Admin" && ! e2e_screen | grep -q "Choose a practice"' \
  "Esc leaves the picker while its call waits"
e2e_keys r                              # home's own call
sh scripts/pgcluster.sh start "$LUMEN_TEST_PGDIR" >/dev/null
e2e_ok 'e2e_wait_for "Up to date." 20' "home's call completes once the database is back"
# The select would have been sent first had it survived: by now it is done.
e2e_ok 'e2e_screen | head -n 1 | grep -q "Bright Smile Dental |"' \
  "the picker's practice change, cancelled, never took effect on screen"
e2e_is "$(session_practice)" "Bright Smile Dental" "nor in the database"
e2e_done
