#!/bin/sh
# The Owner signs in with a code from oathtool; the same code never works
# twice; a wrong code is refused with a clear message.
. "$(dirname "$0")/lib.sh"
e2e_plan 8
e2e_db
# Codes of the current 30 s step only: start early in a step so that the
# whole test runs within it and the next.
while [ $(( $(date +%s) % 30 )) -gt 20 ]; do sleep 1; done

e2e_lumen
e2e_sign_in owner@brightsmile.test
e2e_ok 'e2e_wait_for "Two-factor code"' "the Owner is asked for a code"
e2e_type 000000; e2e_keys Enter
e2e_ok 'e2e_wait_for "That code is not right"' "a wrong code is refused"
code=$(e2e_totp)
e2e_type "$code"; e2e_keys Enter
e2e_ok 'e2e_wait_for "owner@brightsmile.test (Owner)"' "the code from oathtool signs the Owner in"
e2e_ok 'e2e_screen | grep -q "Two-factor    on"' "home says two-factor is on"
# The server tells the codes left on every success; only a spent recovery
# code is news (a TOTP sign-in once said "Recovery code used: 0 left").
e2e_ok '! e2e_screen | grep -q "Recovery code"' "a TOTP sign-in says nothing of recovery codes"

e2e_keys o y
e2e_ok 'e2e_wait_for "Sign in to Lumen"' "signed out"
e2e_type "$E2E_PASSWORD"; e2e_keys Enter     # the email is kept, the focus on the password
e2e_wait_for "Two-factor code"
e2e_type "$code"; e2e_keys Enter
e2e_ok 'e2e_wait_for "That code is not right, or was used already"' "the same code is refused the second time"
e2e_ok '! e2e_screen | grep -q "(Owner)"' "and the Owner is not signed in"
e2e_done
