#!/bin/sh
# A visitor's deletion request: D on the lead's page asks for the lead's
# number to be typed, the server wants a fresh proof of the password
# (step-up, older than 10 minutes here), the step-up box asks for it and
# the deletion is replayed; the lead is gone, its audit row stays.  Esc in
# the step-up box does nothing.  And A assigns a lead from a menu.
. "$(dirname "$0")/lib.sh"
e2e_plan 11
e2e_db
id=$(e2e_ingest "Delia Deletetest" "Cleaning" "Please delete my data.")
id2=$(e2e_ingest "Arno Assigntest" "Crown")
e2e_lumen
e2e_sign_in admin@brightsmile.test
e2e_wait_for "Welcome, Adam Admin"
# The sign-in's proof of the password is made old.
e2e_sql "UPDATE lumen.sessions SET step_up_at = now() - interval '11 minutes'" >/dev/null
e2e_keys 2
e2e_wait_for "Arno Assigntest"

# Assign from the menu.
e2e_keys A
e2e_ok 'e2e_wait_for "Assign 1 lead to" && e2e_screen | grep -q "Nobody"' "A offers the members, and nobody"
e2e_keys a Enter
e2e_ok 'e2e_wait_for "1 lead assigned."' "a member chosen: assigned"
e2e_is "$(e2e_sql "SELECT a.email FROM lumen.leads l JOIN lumen.accounts a ON a.id = l.assigned_to WHERE l.id = $id2")" \
  admin@brightsmile.test "the database has the assignment"

# Delete, with step-up.
e2e_keys j Enter
e2e_wait_for "Lead $id: Delia Deletetest"
e2e_keys D
e2e_ok 'e2e_wait_for "Delete a lead" && e2e_wait_for "Type the lead'"'"'s number, $id"' "D asks for the lead's number"
e2e_type "999"
e2e_keys Enter Enter
e2e_ok 'e2e_wait_for "Type the lead'"'"'s number exactly"' "a wrong number deletes nothing"
e2e_keys BSpace BSpace BSpace
e2e_type "$id"
e2e_keys Enter Enter
e2e_ok 'e2e_wait_for "Confirm it is you" && e2e_wait_for "Deleting a lead needs your password"' \
  "the server wants a fresh proof: the step-up box asks for the password"
e2e_keys Escape
e2e_ok 'e2e_wait_for "Not done" && e2e_wait_gone "Confirm it is you"' "Esc there does nothing"
e2e_is "$(e2e_sql "SELECT count(*) FROM lumen.leads WHERE id = $id")" 1 "the lead is still there"
e2e_keys D
e2e_wait_for "Delete a lead"
e2e_type "$id"
e2e_keys Enter Enter
e2e_wait_for "Confirm it is you"
e2e_type "$E2E_PASSWORD"
e2e_keys Enter
e2e_ok 'e2e_wait_for "Lead $id deleted." && e2e_wait_for "Inbox, newest first" && e2e_wait_gone "Delia Deletetest"' \
  "the password given, the deletion is replayed and the inbox shows it gone"
e2e_is "$(e2e_sql "SELECT count(*) FROM lumen.leads WHERE id = $id")|$(e2e_sql "SELECT count(*) FROM lumen.lead_messages WHERE lead_id = $id")" \
  "0|0" "the lead and its transcript are gone from the database"
e2e_is "$(e2e_sql "SELECT outcome || ' ' || (detail->>'reason') FROM audit.audit_log WHERE action = 'lead.delete' AND target_id = '$id'")" \
  "success visitor's request" "the audit row stays, with who and why"
e2e_done
