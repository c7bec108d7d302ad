#!/bin/sh
# The audit log viewer, as an Owner doing a monthly access review: the
# range always shown as real dates and the practice's zone, presets that
# change it, a typed range (and a clear error for a bad one), filters by
# action prefix and by outcome, a row opened whole with both addresses,
# and a lead's audit trail one key away from the lead.
. "$(dirname "$0")/lib.sh"
e2e_plan 14
e2e_db
tz=America/Chicago
today=$(TZ=$tz date +'%-d %b %Y')
e2e_lumen
e2e_sign_in admin@brightsmile.test
e2e_wait_for "Welcome, Adam Admin"
e2e_keys 3
e2e_ok 'e2e_wait_for "Audit log, " && e2e_screen | sed -n 2p | grep -q "$tz"' \
  "tab 3 is the audit log, its range with the practice's zone"
e2e_ok 'e2e_screen | sed -n 2p | grep -q "$(TZ=$tz date -d "29 days ago" +"%-d %b")"' \
  "the last 30 days by default, as real dates"
e2e_ok 'e2e_wait_for "login.failure" || e2e_wait_for "lead.view"' "the demo's history is listed"
day=$(TZ=$tz date +%Y-%m-%d)
e2e_ok 'e2e_wait_for "$day: "' "the chart of events per day marks the last day, with its count"
e2e_keys Left Left
e2e_ok 'e2e_wait_for "$(TZ=$tz date -d "2 days ago" +%Y-%m-%d): "' "Left moves over the chart, day by day"
e2e_keys t
e2e_ok 'e2e_wait_for "Audit log, $today, $tz"' "t: today, one date"
e2e_keys w
e2e_ok 'e2e_wait_for "$(TZ=$tz date -d "6 days ago" +"%-d")" && e2e_screen | sed -n 2p | grep -q "$(TZ=$tz date +"%-d")"' \
  "w: the last 7 days"
e2e_keys R
e2e_wait_for "Range of days"
e2e_keys C-u
e2e_type "2026-02-30"
e2e_keys Enter
e2e_ok 'e2e_wait_for "2026-02-30 is not a date"' "a typed range that is not a date is refused, saying so"
e2e_keys Escape d
e2e_wait_for "Audit log, "

# Filters: an action prefix, an outcome.
e2e_keys /
e2e_type "action:login."
e2e_keys Enter
rows() { e2e_screen | sed -n "6,23p"; }
e2e_ok 'e2e_wait_until "rows | grep -q login.succe && ! rows | grep -q \"lead\\.\\|audit\\.view\""' \
  "action:login. shows sign-ins only"
e2e_keys Escape /
e2e_type "outcome:denied"
e2e_keys Enter
e2e_ok 'e2e_wait_until "rows | grep -q denied && ! rows | grep -q \" success \""' \
  "outcome:denied shows the denials only"

# One row whole.
e2e_keys Enter
e2e_ok 'e2e_wait_for "Audit row" && e2e_wait_for "Server saw" && e2e_screen | grep -q "reported by the client, not verified"' \
  "Enter opens the row with both addresses, the reported one marked so"
e2e_keys Escape
e2e_wait_for "Audit log, "

# A lead's trail: open a lead, L.
e2e_keys 2
e2e_wait_for "Ana María Pérez"
id=$(e2e_sql "SELECT id FROM lumen.leads WHERE name = 'Ana María Pérez'")
e2e_keys /
e2e_type "Ana María"
e2e_keys Enter
e2e_wait_until '! e2e_screen | grep -q "Priya Sharma" && e2e_screen | grep -q "Ana María Pérez"'
e2e_keys Enter
e2e_wait_for "Lead $id"
e2e_keys L
e2e_ok 'e2e_wait_for "Filter: target:lead:$id" && e2e_wait_for "lead.view"' \
  "L on a lead opens the audit log on that lead"
e2e_ok 'e2e_screen | grep "lead.view" | grep -q "admin@brightsmil"' "who saw it is there"
e2e_is "$(e2e_sql "SELECT count(*) FROM audit.audit_log WHERE action = 'audit.view' AND detail->'filter'->>'target' = 'lead:$id'")" 1 \
  "reading the trail is itself an audit.view row, with its filter"
e2e_done
