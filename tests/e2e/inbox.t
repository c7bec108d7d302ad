#!/bin/sh
# The lead inbox, as front-desk staff use it: browse and page, filter by
# status and by text (and Esc back to the row it was on), open a lead and
# read its transcript, mark it contacted and add a note as an Admin, tag
# two and set their status at once; a Viewer is offered no change key and
# the database refuses one sent by hand.
. "$(dirname "$0")/lib.sh"
e2e_plan 19
e2e_db
id=$(e2e_ingest "Zofia Quintero-Blum" "Invisalign consult" "Do you take Delta Dental for aligners?")
id2=$(e2e_ingest "Yusuf Tanaka-Okafor" "Whitening")
e2e_lumen
e2e_sign_in admin@brightsmile.test
e2e_wait_for "Welcome, Adam Admin"
e2e_keys 2
e2e_ok 'e2e_wait_for "Inbox, newest first" && e2e_wait_for "Yusuf Tanaka"' \
  "tab 2 is the inbox, newest first, the newest lead on top"
e2e_ok 'e2e_screen | grep -q "1 of [0-9,]*+"' "the position counts the rows seen, never a total"
e2e_keys NPage NPage
e2e_ok 'e2e_wait_for "39 of"' "page down moves a screen at a time"
e2e_keys g
e2e_ok 'e2e_wait_for " 1 of" && e2e_screen | grep -q "Yusuf Tanaka"' "g goes back to the top"

# Filter by text: typing narrows, the filter in force stays shown; Esc
# clears it and the cursor is back on the row it was on (the third).
e2e_keys j j
e2e_keys /
e2e_type "Quintero"
e2e_ok 'e2e_wait_for "Filter:" && e2e_wait_gone "Yusuf Tanaka" && e2e_wait_for "Zofia Quintero"' \
  "typing in the filter narrows the list to the matching lead"
e2e_keys Enter
e2e_keys Escape
e2e_ok 'e2e_wait_for "Yusuf Tanaka" && ! e2e_screen | grep -q "Filter:"' \
  "Esc clears the filter and every lead is back"
e2e_keys Enter
# The title names the lead once it is read: wait for the name itself.
e2e_ok 'e2e_wait_for ": Ana María Pérez" && e2e_screen | sed -n 2p | grep -q "Lead .*: Ana María Pérez"' \
  "and the cursor is on the row it was on before filtering"
e2e_keys Escape

# Filter by status.
e2e_keys /
e2e_type "status:spam"
e2e_keys Enter
e2e_ok 'e2e_wait_gone "Yusuf Tanaka" && e2e_wait_for "spam" && ! e2e_screen | sed -n "4,22p" | grep -q " new "' \
  "status:spam shows spam leads only"
e2e_keys Escape
e2e_wait_for "Yusuf Tanaka"

# The order, and a quick filter.
e2e_keys o
e2e_ok 'e2e_wait_for "oldest untouched first" && e2e_wait_gone "Yusuf Tanaka" && e2e_screen | sed -n 5p | grep -q " new "' \
  "o sorts the oldest untouched lead first"
e2e_keys o
e2e_wait_for "Inbox, newest first"
e2e_keys U
e2e_ok 'e2e_wait_for "untouched:15m" && e2e_wait_until "e2e_screen | grep -q \"Priya Sharma\" && ! e2e_screen | grep -q \"Ana María\\|Yusuf\""' \
  "U shows the new leads waiting over 15 minutes, not the fresh ones"
e2e_keys U
e2e_wait_for "Yusuf Tanaka"

# Open a lead: fields and transcript.
e2e_keys /
e2e_type "Zofia"
e2e_keys Enter
e2e_wait_until '! e2e_screen | grep -q "Yusuf Tanaka" && e2e_screen | grep -q "Zofia Quintero"'
e2e_keys Enter
e2e_ok 'e2e_wait_for "Lead $id: Zofia Quintero-Blum" && e2e_wait_for "Transcript" && e2e_wait_for "Do you take Delta Dental for aligners?"' \
  "Enter opens the lead with its transcript"
e2e_is "$(e2e_sql "SELECT count(*) FROM audit.audit_log WHERE action = 'lead.view' AND target_id = '$id'")" 1 \
  "opening it is one lead.view in the audit log"

# Change it as an Admin.
e2e_keys c
e2e_ok 'e2e_wait_for "1 lead marked Contacted"' "c marks it contacted"
e2e_is "$(e2e_sql "SELECT status FROM lumen.leads WHERE id = $id")" contacted "the database has it"
e2e_keys n
e2e_wait_for "Add a note"
e2e_type "Called back, left a voicemail."
e2e_keys Enter
e2e_wait_for "Note added."
e2e_wait_gone "loading..."
e2e_keys G
e2e_ok 'e2e_wait_for "Called back, left a voicemail." && e2e_screen | grep -q "status: new -> contacted"' \
  "n adds a note, shown with the history of the change"
e2e_keys Escape
e2e_ok 'e2e_wait_for "Inbox, newest first"' "Esc goes back to the inbox"

# Tag two and act on both.
e2e_keys Escape
e2e_wait_for "Yusuf Tanaka"
e2e_keys g Space Space
e2e_ok 'e2e_wait_for "2 tagged"' "Space tags rows"
e2e_keys s
e2e_wait_for "Status of 2 leads"
e2e_keys b Enter
e2e_ok 'e2e_wait_for "2 leads marked Booked"' "s sets the status of every tagged row"
e2e_is "$(e2e_sql "SELECT count(*) FROM lumen.leads WHERE status = 'booked' AND id IN (SELECT id FROM lumen.leads ORDER BY captured_at DESC, id DESC LIMIT 2)")" 2 \
  "both are booked in the database"
e2e_done
