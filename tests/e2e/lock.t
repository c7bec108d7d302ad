#!/bin/sh
# The idle lock hides the practice's data; the password unlocks it and the
# same session goes on.
. "$(dirname "$0")/lib.sh"
e2e_plan 7
e2e_db "[ui]" "idle_lock_seconds = 2"

e2e_lumen
e2e_sign_in admin@brightsmile.test
e2e_ok 'e2e_wait_for "Welcome, Adam Admin"' "signed in"
e2e_ok 'e2e_wait_for "Lumen is locked" 6' "after the idle time the screen locks"
e2e_ok '! e2e_screen | grep -q "Bright Smile\|Welcome\|America/Chicago\|(Admin)"' "nothing of the practice is on the locked screen"

e2e_type wrong; e2e_keys Enter
e2e_ok 'e2e_wait_for "Wrong password."' "a wrong password does not unlock"
e2e_type "$E2E_PASSWORD"; e2e_keys Enter
e2e_ok 'e2e_wait_for "Unlocked." && e2e_wait_for "Welcome, Adam Admin"' "the password unlocks"
e2e_ok '! e2e_screen | grep -q "Sign in to Lumen"' "without signing in again"
e2e_is "$(e2e_sql "SELECT count(*) FROM lumen.sessions s JOIN lumen.accounts a ON a.id = s.account_id WHERE a.email = 'admin@brightsmile.test'")" 1 \
  "the same session continues (one session in the database)"
e2e_done
