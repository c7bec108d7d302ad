#!/bin/sh
# The tab bar comes from the screen registry (screens/registry.h): a tab
# shows with the key [keys] binds to it, compact (the keys alone, but the
# tab in hand's title) at 80 columns and with every title where there is
# room; help lists each tab under its key; none shows while two-factor
# enrollment is owed (tests/e2e/security_required.t).  Global keys are the
# loop's: help from home.
. "$(dirname "$0")/lib.sh"
e2e_plan 7
e2e_db "[keys]" "tab-home = h"
e2e_lumen
e2e_sign_in admin@brightsmile.test
e2e_ok 'e2e_wait_for "Welcome, Adam Admin" && e2e_screen | head -n 1 | grep -q "\[h Home\]"' \
  "the header's tab names the rebound key"
e2e_ok 'e2e_screen | head -n 1 | grep -q "\[h Home\] 2 3 4 5 *$"' \
  "the five tabs show, compact at 80 columns"
e2e_keys 4
e2e_ok 'e2e_wait_for "Team of Bright Smile Dental" && e2e_screen | head -n 1 | grep -q "h 2 3 \[4 Team\] 5 *$"' \
  "4 is the team, its title in the bar"
e2e_keys '?'
e2e_ok 'e2e_wait_for "Keys of this screen" && e2e_screen | grep -q "^ *h  *go to the home screen"' \
  "help lists the home tab under its key"
e2e_keys PgDn
e2e_ok 'e2e_wait_for "go to account security" && e2e_screen | grep -q "go to the audit log" && e2e_screen | grep -q "go to the team"' \
  "and every other tab"
e2e_keys Escape
e2e_keys h
e2e_ok 'e2e_wait_gone "Keys of this screen" && e2e_wait_for "Welcome, Adam Admin"' "h is home"
e2e_resize 140 24
e2e_ok 'e2e_wait_for "[h Home] [2 Inbox] [3 Audit] [4 Team] [5 Security]"' "with room, every tab has its title"
e2e_done
