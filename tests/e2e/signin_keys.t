#!/bin/sh
# What a new user hit on the sign-in screen: Esc goes back and never quits
# (as its hint says), q is a letter and C-c quits, an edit clears the
# message about the old text, and the spinner goes once the sign-out is
# answered.
. "$(dirname "$0")/lib.sh"
e2e_plan 11
e2e_db
e2e_lumen
e2e_wait_for "Sign in to Lumen"
e2e_ok 'e2e_screen | tail -n 1 | grep -q "C-c quit" && ! e2e_screen | tail -n 1 | grep -q " q quit"' \
  "the hints offer C-c to quit, not q, which is a letter here"
e2e_ok '! e2e_screen | tail -n 1 | grep -q "Esc back"' "on an empty email there is nothing to go back to, and no Esc hint"
e2e_keys Escape
e2e_type q
e2e_ok 'e2e_wait_for "Email    q" && [ -z "$(e2e_exit_status)" ]' "Esc and q do not quit: q is typed"
e2e_keys BSpace
e2e_type admin@brightsmile.test; e2e_keys Enter
e2e_type secret
e2e_ok 'e2e_wait_for "••••••" && e2e_screen | tail -n 1 | grep -q "Esc back"' "on the password Esc offers to go back"
e2e_keys Escape
e2e_ok 'e2e_wait_gone "••••••" && [ -z "$(e2e_exit_status)" ]' "Esc goes back to the email, wiping the password"

e2e_keys Enter
e2e_type wrong-password; e2e_keys Enter
e2e_ok 'e2e_wait_for "Wrong email or password."' "a wrong password"
e2e_type x
e2e_ok 'e2e_wait_gone "Wrong email or password."' "editing clears the message about the old password"
e2e_keys C-u
e2e_type "$E2E_PASSWORD"; e2e_keys Enter
e2e_ok 'e2e_wait_for "Welcome, Adam Admin"' "signed in"

e2e_keys o y
e2e_wait_for "Sign in to Lumen"
e2e_ok 'e2e_wait_gone "working" 3' "after signing out the spinner goes once the sign-out is answered"
e2e_keys C-c
e2e_ok 'e2e_wait_exit 5' "C-c quits on the sign-in screen"
e2e_is "$(e2e_exit_status)" 0 "exit status 0"
e2e_done
