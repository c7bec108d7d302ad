#!/bin/sh
# A session the server ends (signed out from elsewhere) sends the user back
# to sign-in with the server's reason, whichever screen's call learns it
# first; all of them go through one place (lumen_session_error).
. "$(dirname "$0")/lib.sh"
e2e_plan 6
e2e_db
e2e_second_practice
revoke() { e2e_sql "UPDATE lumen.sessions SET revoked_at = now(), revoked_why = 'logout' WHERE revoked_at IS NULL"; }
MSG="This session was ended"
sign_in_home() {             # a fresh client each time: sign-in keeps the email
  e2e_lumen
  e2e_sign_in admin@brightsmile.test
  e2e_wait_for "Harbor Family Therapy"
  e2e_keys Enter
  e2e_wait_for "Welcome, Adam Admin"
}

sign_in_home
revoke
e2e_keys r                              # home's call
e2e_ok 'e2e_wait_for "Sign in to Lumen" && e2e_screen | grep -q "$MSG"' "from home: back to sign-in, saying why"
e2e_ok '! e2e_screen | grep -q "Welcome\|(Admin)"' "and nothing of the session is left"

sign_in_home
e2e_keys p
e2e_wait_for "Choose a practice"
e2e_wait_for "Harbor Family Therapy"
revoke
e2e_keys j Enter                        # the picker's call
e2e_ok 'e2e_wait_for "Sign in to Lumen" && e2e_screen | grep -q "$MSG"' "from the picker: the same"

sign_in_home
e2e_keys C-x
e2e_wait_for "Lumen is locked"
revoke
e2e_type "$E2E_PASSWORD"; e2e_keys Enter    # the lock's call
e2e_ok 'e2e_wait_for "Sign in to Lumen" && e2e_screen | grep -q "$MSG"' "from the lock: the same"
e2e_ok '! e2e_screen | grep -q "Lumen is locked"' "and the lock is gone"
sign_in_home
e2e_ok 'e2e_screen | grep -q "Welcome, Adam Admin"' "signing in again works"
e2e_done
