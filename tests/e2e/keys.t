#!/bin/sh
# Keys rebound in [keys] are the keys that act and the keys that are shown:
# in the hints, in ? help, and on the dialog's buttons (the dialog used to
# answer a raw y whatever [keys] said).
. "$(dirname "$0")/lib.sh"
e2e_plan 9
e2e_db "[keys]" "yes = Y" "sign-out = O"
e2e_lumen
e2e_sign_in admin@brightsmile.test
e2e_ok 'e2e_wait_for "Welcome, Adam Admin" && e2e_screen | tail -n 1 | grep -q "O sign out"' "the hints show the rebound key"
e2e_keys '?'
e2e_ok 'e2e_wait_for "Keys of this screen" && e2e_screen | grep -q "^ *O  *sign out of this session"' "so does help"
e2e_keys j k PgDn PgUp
e2e_ok 'e2e_screen | grep -q "Keys of this screen"' "help takes j, k, PgDn and PgUp (it scrolls a long list)"
e2e_keys Escape
e2e_wait_gone "Keys of this screen"
e2e_keys o
e2e_ok '! e2e_wait_for "Sign out of this session?" 1' "the old key does nothing"
e2e_keys O
e2e_ok 'e2e_wait_for "Sign out of this session?" && e2e_screen | grep -q "\[Y\] Sign out"' "the dialog's button names the rebound key"
e2e_keys y
e2e_ok '! e2e_wait_for "Sign in to Lumen" 1 && e2e_screen | grep -q "Sign out of this session?"' "y no longer answers yes"
e2e_keys Escape
e2e_ok 'e2e_wait_gone "Sign out of this session?" && e2e_screen | grep -q "Welcome, Adam Admin"' "Esc still answers no"
e2e_keys O
e2e_wait_for "Sign out of this session?"
e2e_keys Y
e2e_ok 'e2e_wait_for "Sign in to Lumen"' "Y answers yes"
e2e_is "$(e2e_sql "SELECT count(*) FROM lumen.sessions WHERE revoked_at IS NULL")" 0 "signed out"
e2e_done
