#!/bin/sh
# NO_COLOR: no colour escape reaches the terminal; bold and reverse still
# carry the meaning.  Without it, colour is used (so the check can fail).
. "$(dirname "$0")/lib.sh"
e2e_plan 4
e2e_db
esc=$(printf '\033')
sgr() {  # every SGR parameter on the screen, one a line
  e2e_screen_escapes | grep -Eo "$esc\\[[0-9;]*m" | tr -d "$esc[m" | tr ';' '\n'
}
colours() { sgr | grep -Ec '^(3[0-8]|4[0-8]|9[0-7]|10[0-7])$'; }
e2e_lumen NO_COLOR=1
e2e_sign_in admin@brightsmile.test
e2e_ok 'e2e_wait_for "Welcome, Adam Admin"' "signed in with NO_COLOR"
e2e_is "$(colours)" 0 "no colour escape codes on the home screen"
e2e_ok 'sgr | grep -qx 7' "reverse video still marks the header and status rows"

e2e_lumen
e2e_sign_in viewer@brightsmile.test
e2e_wait_for "Welcome"
e2e_ok '[ "$(colours)" -gt 0 ]' "without NO_COLOR the same screen has colour"
e2e_done
