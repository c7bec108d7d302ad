#!/bin/sh
# The practice's settings, the Owner's (team tab, S): the idle lock, require
# two-factor (an open client of a member without it goes to enrollment
# within a second, without a key), the chatbot's key shown once and
# working, and the danger zone: closing the practice ends every other
# session in it at once and shows the Owner the audit chain's final head,
# an Admin can no longer sign in to it, and the Owner takes it back.
. "$(dirname "$0")/lib.sh"
e2e_plan 12
e2e_db
BSD=a1000000-0000-4000-8000-000000000001
while [ $(( $(date +%s) % 30 )) -gt 22 ]; do sleep 1; done      # one TOTP step for the sign-in

e2e_lumen
e2e_sign_in owner@brightsmile.test
e2e_wait_for "Two-factor code"
e2e_type "$(e2e_totp)"; e2e_keys Enter
e2e_wait_for "Welcome, Olivia Owner"
e2e_keys 4
e2e_wait_for "Team of Bright Smile Dental"
e2e_keys S
e2e_ok 'e2e_wait_for "Settings of Bright Smile Dental" && e2e_wait_for "15 minutes without a key" && e2e_screen | grep -q "Danger zone"' \
  "S opens the practice's settings"

e2e_keys j Enter
e2e_wait_for "Idle lock"
e2e_keys BSpace BSpace; e2e_type 5; e2e_keys Enter
e2e_ok 'e2e_wait_for "5 minutes without a key"' "the idle lock is set to 5 minutes"
e2e_is "$(e2e_sql "SELECT extract(epoch FROM idle_timeout)::int FROM lumen.practices WHERE id = '$BSD'")" 300 \
  "the database has it"

# A member without two-factor, signed in elsewhere.
e2e_use a
e2e_lumen
e2e_sign_in admin@brightsmile.test
e2e_wait_for "Welcome, Adam Admin"
e2e_use t
e2e_keys k Enter
e2e_wait_for "Every member must use two-factor"    # the dialog, not the row
e2e_keys y
e2e_ok 'e2e_wait_until "e2e_screen | grep -q \"Require two-factor for every member  *yes\""' \
  "two-factor is now required"
e2e_use a
e2e_ok 'e2e_wait_for "Two-factor is required" 3' "the Admin's open client goes to enrollment, without a key"

e2e_use t
e2e_keys j j Enter
e2e_wait_for "Rotate the chatbot's key"
e2e_keys y
e2e_ok 'e2e_wait_for "shown this once"' "a new chatbot key is shown once"
KEY=$(e2e_screen | grep -oE 'lik_[0-9a-f]{64}' | head -1)
e2e_keys Escape
e2e_ok 'e2e_wait_gone "shown this once" && ! e2e_screen | grep -q lik_' "and gone at the next key"
id=$(psql -X -q -At -v ON_ERROR_STOP=1 -d "$E2E_DB" -v key="$KEY" <<'SQL'
SELECT ingest.lead_capture(:'key', jsonb_build_object('name', 'Keyed Lead', 'service', 'Cleaning',
  'transcript', jsonb_build_array(jsonb_build_object('from', 'visitor', 'text', 'Hi'))));
SQL
)
e2e_ok '[ -n "$id" ]' "and the chatbot's backend takes leads with it"

e2e_keys j Enter
e2e_wait_for "Close the practice"
e2e_type "Bright Smile Dental"; e2e_keys Enter
e2e_wait_for "compare with lumen audit"
head=$(e2e_sql "SELECT last_seq FROM audit.audit_chain_heads WHERE practice_id = '$BSD'")
hash=$(e2e_sql "SELECT substr(encode(last_hash, 'hex'), 1, 32) FROM audit.audit_chain_heads WHERE practice_id = '$BSD'")
e2e_ok 'e2e_wait_for "The practice is closed" && e2e_wait_for "verify): link $head," && e2e_screen | grep -q "$hash"' \
  "closing it shows the audit chain's final head to the Owner, who stays"
e2e_keys Enter
e2e_use a
e2e_ok 'e2e_wait_for "Sign in to Lumen" 3 && e2e_screen | grep -q "The practice was closed"' \
  "every other member's session ends at once, saying why"
e2e_type "$E2E_PASSWORD"; e2e_keys Enter
e2e_ok 'e2e_wait_for "Sign in to Lumen" && e2e_wait_for "This practice has been closed by its Owner"' \
  "and they cannot sign in to it"

e2e_use t
e2e_wait_for "Enter takes it back"
e2e_keys G Enter
e2e_wait_for "Keep the practice"
e2e_keys y
e2e_ok 'e2e_wait_for "The practice stays" && e2e_wait_for "open"' "the Owner takes the closing back"
e2e_done
