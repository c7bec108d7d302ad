#!/bin/sh
# 40x10 shows "terminal too small" and nothing else, and no key acts
# unseen; back to 80x24 the screen returns.
. "$(dirname "$0")/lib.sh"
e2e_plan 8
e2e_db
e2e_lumen
e2e_sign_in admin@brightsmile.test
e2e_ok 'e2e_wait_for "Welcome, Adam Admin"' "signed in at 80x24"
e2e_resize 40 10
e2e_ok 'e2e_wait_for "Terminal too small (40x10)" && e2e_screen | tr -d "\n" | grep -q "q quits."' "at 40x10 it says the terminal is too small, and how to quit"
e2e_ok '! e2e_screen | grep -q "Bright Smile\|Welcome"' "and shows no data"
# Sign out and confirm, unseen: nothing may happen.
e2e_keys o y
e2e_ok '! e2e_wait_for "Sign in to Lumen" 1 && [ -z "$(e2e_exit_status)" ]' "keys do nothing while it is too small"
e2e_resize 80 24
e2e_ok 'e2e_wait_for "Welcome, Adam Admin" && e2e_screen | grep -q "Bright Smile Dental"' "back at 80x24 the home screen returns"
e2e_is "$(e2e_sql "SELECT count(*) FROM lumen.sessions WHERE revoked_at IS NULL")" 1 "still signed in"
e2e_resize 40 10
e2e_wait_for "Terminal too small (40x10)"
e2e_keys q
e2e_ok 'e2e_wait_exit && [ "$(e2e_exit_status)" = 0 ]' "only quitting works while too small: q quits, exit status 0"
e2e_ok '! e2e_screen | grep -q "Bright Smile\|Welcome\|admin@"' "nothing of the practice is left on the screen or in the scrollback"
e2e_done
