#!/bin/sh
# The demo's owner@harbortherapy.test is also a Viewer of Bright Smile
# Dental, so the demo shows the practice picker after sign-in, and p.
. "$(dirname "$0")/lib.sh"
e2e_plan 4
e2e_db
e2e_lumen
e2e_sign_in owner@harbortherapy.test
e2e_ok 'e2e_wait_for "Choose a practice" && e2e_wait_for "Harbor Family Therapy" && e2e_screen | grep -q "Bright Smile Dental"' \
  "the Harbor owner is asked to choose between both practices"
e2e_keys Enter
e2e_ok 'e2e_wait_for "(Viewer)" && e2e_screen | head -n 1 | grep -q "Bright Smile Dental .*(Viewer)" && e2e_screen | grep -q "owner@harbortherapy.test, Viewer"' \
  "the first, Bright Smile Dental, opens with the Viewer role"
e2e_keys p
e2e_ok 'e2e_wait_for "Choose a practice"' "p goes back to the picker"
e2e_keys j Enter
e2e_ok 'e2e_wait_for "(Owner)" && e2e_screen | head -n 1 | grep -q "Harbor Family Therapy .*(Owner)" && e2e_screen | grep -q "owner@harbortherapy.test, Owner"' \
  "and the second, Harbor Family Therapy, opens with the Owner role"
e2e_done
