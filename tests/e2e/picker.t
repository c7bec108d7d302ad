#!/bin/sh
# A member of two practices picks one after signing in.
. "$(dirname "$0")/lib.sh"
e2e_plan 4
e2e_db
e2e_sql "INSERT INTO lumen.memberships (practice_id, account_id, role)
         SELECT p.id, a.id, 'viewer' FROM lumen.practices p, lumen.accounts a
         WHERE p.name = 'Harbor Family Therapy' AND a.email = 'admin@brightsmile.test'" >/dev/null
e2e_lumen
e2e_sign_in admin@brightsmile.test
e2e_ok 'e2e_wait_for "Choose a practice"' "a member of two practices is asked to choose"
e2e_ok 'e2e_wait_for "Harbor Family Therapy" && e2e_screen | grep -q "Bright Smile Dental"' "both practices are listed"
e2e_keys j Enter
e2e_ok 'e2e_wait_for "admin@brightsmile.test (Viewer)" && e2e_screen | head -n 1 | grep -q "Harbor Family Therapy"' "choosing the second enters it, with the role held there"
e2e_keys p
e2e_ok 'e2e_wait_for "Choose a practice"' "p goes back to the picker"
e2e_done
