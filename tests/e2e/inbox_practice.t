#!/bin/sh
# The inbox is the practice's: a member of two practices who filtered the
# inbox of one and switches to the other sees only the other's leads,
# with no filter carried over; signing out and in as someone else starts
# clean too.
. "$(dirname "$0")/lib.sh"
e2e_plan 5
e2e_db
e2e_lumen
e2e_sign_in owner@harbortherapy.test
e2e_wait_for "Choose a practice"
e2e_keys Enter                       # Bright Smile Dental, as a Viewer
e2e_wait_for "Bright Smile Dental (Viewer)"
e2e_keys 2
e2e_ok 'e2e_wait_for "Ana María Pérez"' "the Bright Smile inbox"
e2e_keys /
e2e_type "Ana"
e2e_keys Enter
e2e_wait_for "Filter: Ana"
e2e_keys 1 p
e2e_wait_for "Choose a practice"
e2e_keys j Enter                     # Harbor Family Therapy, as the Owner
e2e_wait_for "Harbor Family Therapy (Owner)"
e2e_keys 2
e2e_ok 'e2e_wait_for "Grace O'"'"'Malley"' "the other practice's inbox, its own leads"
e2e_ok '! e2e_screen | grep -q "Ana María Pérez\|Filter: Ana"' \
  "nothing of the first practice, and not its filter"
e2e_keys 1 o
e2e_wait_for "Sign out of this session?"
e2e_keys y
e2e_wait_for "Sign in to Lumen"
e2e_keys BTab C-u                    # the email field keeps the last one; the focus is past it
e2e_sign_in admin@brightsmile.test
e2e_wait_for "Welcome, Adam Admin"
e2e_keys 2
e2e_ok 'e2e_wait_for "Ana María Pérez"' "the next person's inbox"
e2e_ok '! e2e_screen | grep -q "Grace O\|Filter:"' "with nothing of the last person's"
e2e_done
