#!/bin/sh
# A member of two practices picks one after signing in; the picker keeps
# drawing across resizes (issue 6, bug 2); opened with p from home, Esc
# and 1 lead back.
. "$(dirname "$0")/lib.sh"
e2e_plan 10
e2e_db
e2e_second_practice
e2e_lumen
e2e_sign_in admin@brightsmile.test
e2e_ok 'e2e_wait_for "Choose a practice"' "a member of two practices is asked to choose"
e2e_ok 'e2e_wait_for "Harbor Family Therapy" && e2e_screen | grep -q "Bright Smile Dental"' "both practices are listed"

# Wider, then back: the list must be drawn into the new body, not into a
# subwindow of the old one that the resize left behind.
e2e_resize 100 24
e2e_ok 'e2e_wait_for "Harbor Family Therapy"' "at 100 columns the practices are listed"
e2e_resize 80 24
e2e_ok 'e2e_wait_for "Harbor Family Therapy" && e2e_screen | grep -q "Bright Smile Dental"' \
  "back at 80 columns the practices are still listed"

e2e_keys j Enter
e2e_ok 'e2e_wait_for "admin@brightsmile.test, Viewer" && e2e_screen | head -n 1 | grep -q "Harbor Family Therapy"' "choosing the second enters it, with the role held there"
e2e_keys p
e2e_ok 'e2e_wait_for "Choose a practice"' "p goes to the picker"
e2e_ok 'e2e_screen | tail -n 1 | grep -q "Esc back"' "whose hints say how to go back"
e2e_keys Escape
e2e_ok 'e2e_wait_for "Welcome, Adam Admin" && ! e2e_screen | grep -q "Choose a practice"' "Esc goes back home"
e2e_keys p
e2e_wait_for "Choose a practice"
e2e_keys 1
e2e_ok 'e2e_wait_for "Welcome, Adam Admin" && ! e2e_screen | grep -q "Choose a practice"' "and so does 1"
e2e_ok 'e2e_screen | head -n 1 | grep -q "Harbor Family Therapy"' "in the practice chosen before"
e2e_done
