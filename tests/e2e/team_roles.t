#!/bin/sh
# What each role is offered on the team tab (DESIGN.md's role table): an
# Admin invites and removes Viewers, but sees no promote, demote, transfer
# or settings key, and no remove on the Owner's or an Admin's row; a
# Viewer reads the members and nothing else (no invites, no keys that
# change anything).  The database refuses all the same (tests/db/130_team.pg).
. "$(dirname "$0")/lib.sh"
e2e_plan 8
e2e_db
help_has() { e2e_keys '?'; e2e_wait_for "Keys of this screen"; e2e_screen | grep -q "$1"; _r=$?; e2e_keys Escape; e2e_wait_gone "Keys of this screen"; return $_r; }

e2e_lumen
e2e_sign_in admin@brightsmile.test
e2e_wait_for "Welcome, Adam Admin"
e2e_keys 4
e2e_ok 'e2e_wait_for "Team of Bright Smile Dental" && e2e_wait_for "Invites not yet accepted (1)" && e2e_screen | grep -q "newhire@"' \
  "an Admin sees the members and the invites"
e2e_ok 'help_has "invite someone" && ! help_has "make the Viewer under the cursor an Admin" && ! help_has "make the Admin under the cursor the Owner" && ! help_has "the practice.s settings"' \
  "an Admin's help has invite, not promote, transfer or settings"
# The Owner's row (first): no remove.
e2e_ok '! help_has "remove the member under the cursor"' "no remove on the Owner's row"
# The last member row is a Viewer (Owner, Admin, then the Viewers by name).
e2e_keys G k
e2e_ok 'help_has "remove the member under the cursor"' "remove on a Viewer's row"
# L on a member's row: the audit log of what they did.
e2e_keys g j L
e2e_ok 'e2e_wait_for "actor:c1000000-0000-4000-8000-000000000002" && e2e_wait_for "login.succe" && ! e2e_screen | grep -q "olivia\|owner@"' \
  "L opens the audit log on what the member under the cursor did"
e2e_stop

e2e_lumen
e2e_sign_in viewer@brightsmile.test
e2e_wait_for "Welcome"
e2e_keys 4
e2e_ok 'e2e_wait_for "Team of Bright Smile Dental" && ! e2e_screen | grep -q "Invites not yet accepted\|newhire"' \
  "a Viewer sees the members, not the invites"
e2e_ok '! help_has "invite someone" && ! help_has "remove the member" && help_has "the audit log of this lead, or of what this member did"' \
  "a Viewer's help offers no change, only the audit trail"
e2e_keys D i
e2e_ok '! e2e_wait_for "Invite as" 1 && ! e2e_screen | grep -q "Remove a member"' "and the keys do nothing"
e2e_done
