#!/bin/sh
# 40x10 shows "terminal too small" and nothing else; back to 80x24 the
# screen returns.
. "$(dirname "$0")/lib.sh"
e2e_plan 6
e2e_db
e2e_lumen
e2e_sign_in admin@brightsmile.test
e2e_ok 'e2e_wait_for "Welcome, Adam Admin"' "signed in at 80x24"
e2e_resize 40 10
e2e_ok 'e2e_wait_for "Terminal too small (40x10)"' "at 40x10 it says the terminal is too small"
e2e_ok '! e2e_screen | grep -q "Bright Smile\|Welcome"' "and shows no data"
e2e_resize 80 24
e2e_ok 'e2e_wait_for "Welcome, Adam Admin" && e2e_screen | grep -q "Bright Smile Dental"' "back at 80x24 the home screen returns"
e2e_keys q
e2e_ok 'e2e_wait_exit && [ "$(e2e_exit_status)" = 0 ]' "q quits, exit status 0"
e2e_ok '! e2e_screen | grep -q "Bright Smile\|Welcome\|admin@"' "nothing of the practice is left on the screen or in the scrollback"
e2e_done
