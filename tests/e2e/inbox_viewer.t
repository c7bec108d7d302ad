#!/bin/sh
# A Viewer reads the inbox and opens leads, but is offered no key that
# changes one (help and the status row leave them out, and the keys do
# nothing); a change sent by hand is refused by the database, answered
# "denied" after the audit row of the attempt was committed.
. "$(dirname "$0")/lib.sh"
e2e_plan 7
e2e_db
id=$(e2e_ingest "Viola Viewerstest" "Crown")
e2e_lumen
e2e_sign_in viewer@brightsmile.test
e2e_wait_for "Welcome"
e2e_keys 2
e2e_ok 'e2e_wait_for "Viola Viewers"' "a Viewer reads the inbox"
e2e_keys '?'
e2e_ok 'e2e_wait_for "Keys of this screen" && e2e_screen | grep -q "filter" && ! e2e_screen | grep -q "set the status\|assign to\|add a note\|export the leads\|tag or untag"' \
  "help lists no key that changes a lead or exports"
e2e_keys Escape
e2e_wait_gone "Keys of this screen"
e2e_keys c s a n e Space
e2e_ok '! e2e_wait_for "marked" 1 && ! e2e_screen | grep -q "Status of\|Add a note\|Export leads\|tagged"' \
  "the change keys do nothing"
e2e_keys Enter
e2e_ok 'e2e_wait_for "Lead $id: Viola Viewerstest" && e2e_wait_for "Transcript"' "a Viewer opens a lead"
e2e_ok '! e2e_screen | grep -q " s status\| D \|A assign"' "its page offers no change either"

# By hand, as the client role: sign in as the Viewer, then try.
K=$(awk '$1 == "viewer@brightsmile.test" { print $3 }' db/demo/README-kdf.txt)
out=$(psql -X -q -At -U lumen_client -d "$E2E_DB" -v ON_ERROR_STOP=1 <<SQL
SELECT api.login('viewer@brightsmile.test', '\\x$K', '{}') AS a \gset
SELECT token AS tok FROM api.attempt_result(:'a') \gset
SELECT api.leads_set_status(:'tok', ARRAY[$id]::bigint[], 'spam') AS c \gset
SELECT status FROM api.attempt_result(:'c');
SQL
)
e2e_is "$out" denied "the database answers a Viewer's status change: denied"
e2e_is "$(e2e_sql "SELECT status || ' ' || (SELECT count(*) FROM audit.audit_log WHERE action = 'lead.update' AND outcome = 'denied' AND target_id = '$id') FROM lumen.leads WHERE id = $id")" \
  "new 1" "the lead is unchanged and the denial is in the audit log"
e2e_done
