#!/bin/sh
# Unlocking with two-factor: Enter on an empty code asks for the code and
# keeps the password already typed (it used to send both, and the answer
# wiped the password).
. "$(dirname "$0")/lib.sh"
e2e_plan 4
e2e_db
# Sign in with a recovery code, so that the app's code of this 30 s step
# is still unused for the unlock.
rcode=$(e2e_sql "SELECT c FROM lumen.recovery_codes_issue((SELECT id FROM lumen.accounts WHERE email = 'owner@brightsmile.test')) c LIMIT 1")
while [ $(( $(date +%s) % 30 )) -gt 22 ]; do sleep 1; done

e2e_lumen
e2e_sign_in owner@brightsmile.test
e2e_wait_for "Two-factor code"
e2e_keys C-r
e2e_wait_for "Recovery code"
e2e_type "$rcode"; e2e_keys Enter
e2e_ok 'e2e_wait_for "owner@brightsmile.test (Owner)"' "signed in"
e2e_keys C-x
e2e_wait_for "Lumen is locked"
e2e_type "$E2E_PASSWORD"; e2e_keys Enter Enter
e2e_ok 'e2e_wait_for "Enter the 6 digits from your authenticator app."' "Enter on an empty code asks for it"
e2e_ok 'e2e_screen | grep -q "Password *•••"' "and the password stays"
e2e_type "$(e2e_totp)"; e2e_keys Enter
e2e_ok 'e2e_wait_for "Unlocked." && e2e_wait_for "owner@brightsmile.test (Owner)"' "the code typed then unlocks"
e2e_done
