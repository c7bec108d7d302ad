#!/bin/sh
# C-r on the code step takes a one-time recovery code instead; it works
# once, and the client says how many are left.
. "$(dirname "$0")/lib.sh"
e2e_plan 5
e2e_db
# The first of the ten fixed codes of the demo data, which make demo prints.
code=$(grep -m 1 -E '^[A-Z2-7]{5}-[A-Z2-7]{5}$' db/demo/recovery-codes.txt)

e2e_lumen
e2e_sign_in owner@brightsmile.test
e2e_wait_for "Two-factor code"
e2e_keys C-r
e2e_ok 'e2e_wait_for "Recovery code" && e2e_wait_for "Enter one of your recovery codes."' "C-r switches to a recovery code"
e2e_type "$code"; e2e_keys Enter
e2e_ok 'e2e_wait_for "owner@brightsmile.test (Owner)"' "a recovery code signs in"
e2e_ok 'e2e_wait_for "Recovery code used: 9 left."' "and the client says how many are left"

e2e_keys o y
e2e_wait_for "Sign in to Lumen"
e2e_type "$E2E_PASSWORD"; e2e_keys Enter
e2e_wait_for "Two-factor code"
e2e_keys C-r
e2e_type "$code"; e2e_keys Enter
e2e_ok 'e2e_wait_for "That code is not right, or was used already"' "the same recovery code is refused the second time"
e2e_ok '! e2e_screen | grep -q "(Owner)"' "and the Owner is not signed in"
e2e_done
