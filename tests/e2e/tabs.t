#!/bin/sh
# The tab bar comes from the screen registry (screens/registry.h): a tab
# shows with the key [keys] binds to it, and a tab with no screen behind
# it yet (4 Team) is neither shown nor offered in help,
# and its key does nothing.  Global keys are the loop's: help from home.
. "$(dirname "$0")/lib.sh"
e2e_plan 7
e2e_db "[keys]" "tab-home = h"
e2e_lumen
e2e_sign_in admin@brightsmile.test
e2e_ok 'e2e_wait_for "Welcome, Adam Admin" && e2e_screen | head -n 1 | grep -q "\[h Home\]"' \
  "the header's tab names the rebound key"
e2e_ok 'e2e_screen | head -n 1 | grep -q "\[h Home\] 2 3 5 *$" && ! e2e_screen | head -n 1 | grep -q "\[4\|Team"' \
  "the inbox's, the audit log's and security's tabs show (compact at 80 columns); tabs with no screen yet do not"
e2e_keys 4
e2e_ok '! e2e_wait_gone "Welcome, Adam Admin" 1' "their key does nothing"
e2e_keys '?'
e2e_ok 'e2e_wait_for "Keys of this screen" && e2e_screen | grep -q "^ *h  *go to the home screen"' \
  "help lists the home tab under its key"
e2e_ok 'e2e_screen | grep -q "go to the inbox" && e2e_screen | grep -q "go to the audit log" && ! e2e_screen | grep -q "go to the team"' \
  "and the inbox's and the audit log's, not the tabs not built"
e2e_keys Escape
e2e_keys h
e2e_ok 'e2e_wait_gone "Keys of this screen" && e2e_wait_for "Welcome, Adam Admin"' "h is home"
e2e_resize 140 24
e2e_ok 'e2e_wait_for "[h Home] [2 Inbox] [3 Audit] [5 Security]"' "with room, every tab has its title"
e2e_done
