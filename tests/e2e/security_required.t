#!/bin/sh
# Bright Smile Dental requires two-factor; the Admin has none.  After the
# password the enrollment screen says why and offers nothing else but
# enrolling or signing out (C-o): no tab, no way back.  Once the code is
# confirmed and the recovery codes saved, the Admin is in the practice.
#
# The main session routes the server's LMS07 (API_ERR_ENROLL) and api.me's
# mfa_enroll_required to lumen_enroll_required (screens/main.c); without
# that the test is skipped.
. "$(dirname "$0")/lib.sh"
if ! grep -q 'lumen_enroll_required' screens/main.c 2>/dev/null; then
  echo "1..0 # SKIP needs screens/main.c to call lumen_enroll_required"
  exit 0
fi
e2e_plan 7
e2e_db
e2e_sql "UPDATE lumen.practices SET require_mfa = true WHERE name = 'Bright Smile Dental'" >/dev/null

e2e_lumen
e2e_sign_in admin@brightsmile.test
e2e_ok 'e2e_wait_for "Two-factor is required" && e2e_wait_for "Bright Smile Dental requires two-factor"' \
  "after the password, the enrollment screen says the practice requires two-factor"
e2e_keys Escape
e2e_ok 'sleep 0.3; e2e_screen | grep -q "Two-factor is required" && e2e_screen | grep -q "C-o sign out" && e2e_screen | grep -q "or sign out (C-o)"' \
  "Esc leads nowhere; signing out is offered"
e2e_keys C-o
e2e_ok 'e2e_wait_for "Sign in to Lumen" && e2e_wait_for "requires two-factor"' "C-o signs out, saying why"

e2e_type "$E2E_PASSWORD"; e2e_keys Enter
e2e_wait_for "Key   "
secret=$(e2e_screen | sed -n 's/^  Key   //p' | tr -d ' ')
e2e_type "$(oathtool --totp -b "$secret")"; e2e_keys Enter
e2e_ok 'e2e_wait_for "Your recovery codes: shown this once" && e2e_wait_for "then on into the practice"' \
  "the code confirms: the recovery codes, then the practice"
e2e_keys Enter
e2e_wait_for "Saved them?"
e2e_type saved; e2e_keys Enter
e2e_ok 'e2e_wait_for "Welcome, Adam Admin" && e2e_wait_for "Two-factor    on"' "on into the practice, two-factor on"
e2e_keys 2
e2e_ok 'e2e_wait_for "Inbox, newest first"' "and the inbox opens"
e2e_ok '[ "$(e2e_sql "SELECT count(*) FROM audit.audit_log WHERE action = '"'login.enroll_required'"'")" -ge 1 ]' \
  "the sign-in that owed enrollment is in the audit log"
e2e_done
