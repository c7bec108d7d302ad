#!/bin/sh
# The idle lock hides the practice's data; the password unlocks it and the
# same session goes on.  The next person at a shared terminal has a way
# out: "not you? sign out", or C-c, which quits signing the session out.
. "$(dirname "$0")/lib.sh"
e2e_plan 18
e2e_db "[ui]" "idle_lock_seconds = 2"
open_sessions() {
  e2e_sql "SELECT count(*) FROM lumen.sessions s JOIN lumen.accounts a ON a.id = s.account_id
           WHERE a.email = 'admin@brightsmile.test' AND s.revoked_at IS NULL"
}

e2e_lumen
e2e_sign_in admin@brightsmile.test
e2e_ok 'e2e_wait_for "Welcome, Adam Admin"' "signed in"
e2e_ok 'e2e_wait_for "Lumen is locked" 6' "after the idle time the screen locks"
e2e_ok '! e2e_screen | grep -q "Bright Smile\|Welcome\|America/Chicago\|(Admin)"' "nothing of the practice is on the locked screen"
e2e_ok 'e2e_screen | grep -q "It locked itself after a while without a key."' "it says why it locked"
e2e_ok 'e2e_screen | grep -q "Not you? C-o signs this session out." && e2e_screen | grep -q "C-c quits Lumen"' \
  "it says how the next person gets out, with the keys bound now"

e2e_keys F1
e2e_wait_for "Keys of this screen"
e2e_keys Escape
e2e_ok 'e2e_wait_for "Lumen is locked" && ! e2e_screen | grep -q "Welcome"' "help opens over the lock and closes back to it"
e2e_type wrong; e2e_keys Enter
e2e_ok 'e2e_wait_for "Wrong password."' "a wrong password does not unlock"
e2e_type x
e2e_ok 'e2e_wait_gone "Wrong password."' "typing again clears the message about the old text"
e2e_keys C-u
e2e_type "$E2E_PASSWORD"; e2e_keys Enter
e2e_ok 'e2e_wait_for "Unlocked." && e2e_wait_for "Welcome, Adam Admin"' "the password unlocks"
e2e_ok '! e2e_screen | grep -q "Sign in to Lumen"' "without signing in again"
e2e_is "$(open_sessions)" 1 "the same session continues (one session in the database)"

e2e_keys C-x
e2e_ok 'e2e_wait_for "Lumen is locked" && e2e_screen | grep -q "You locked it."' "C-x locks, and the lock says so"
e2e_keys C-o
e2e_ok 'e2e_wait_for "Sign in to Lumen" && e2e_screen | grep -q "The locked session was signed out."' \
  "not you? C-o signs the locked session out"
e2e_ok '! e2e_screen | grep -q "admin@brightsmile.test"' "and leaves the sign-in empty for the next person"
e2e_is "$(open_sessions)" 0 "and the session is revoked in the database"

e2e_sign_in admin@brightsmile.test
e2e_wait_for "Welcome, Adam Admin"
e2e_ok 'e2e_wait_for "Lumen is locked" 6' "locked again"
e2e_keys C-c
e2e_ok 'e2e_wait_exit 5 && [ "$(e2e_exit_status)" = 0 ]' "C-c on the lock quits"
e2e_is "$(open_sessions)" 0 "signing the session out"
e2e_done
