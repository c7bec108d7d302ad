#!/bin/sh
# A read replica ([database] replica_host): a streaming replica of the test
# cluster (tests/replica/standby.sh, pg_basebackup -R), the TUI pointed at
# it.  Grant reads are served there, everything else on the primary; a
# replica that is behind (replay paused) is passed over; a session revoked
# on the primary is evicted by the primary's wake-up, and the replica
# serves its grants no longer than the window after their open.
. "$(dirname "$0")/../e2e/lib.sh"
e2e_plan 13
e2e_db
# A short window (db/migrations/018_replica.sql), set before the copy.
e2e_sql "UPDATE lumen.replica_settings SET grant_window = '3 seconds'" >/dev/null
SB=$(pwd)/build/replica/t$$
R=$(sh tests/replica/standby.sh start "$PGHOST" "$SB") || { echo "Bail out! no standby"; exit 1; }
replica_cleanup() { sh tests/replica/standby.sh destroy "$SB" >/dev/null 2>&1; e2e_cleanup; }
trap replica_cleanup EXIT
sed -i "s|^\[database\]\$|[database]\nreplica_host = $R|" "$E2E_CONF"

P=$PGHOST
q() { psql -X -q -At -h "$1" -U lumen_client -d "$E2E_DB" -c "$2" 2>&1; }
rsql() { psql -X -q -At -h "$R" -U postgres -d "$E2E_DB" -c "$1"; }
# The replica has replayed what the primary has written.  The insert
# position, not the write one: the test cluster commits with
# synchronous_commit = off, so a commit just made may not be written yet,
# and a wait for the write position can end before it is replayed.
caught_up() {
  lsn=$(psql -X -At -h "$P" -U postgres -d "$E2E_DB" -c "SELECT pg_current_wal_insert_lsn()")
  e2e_wait_until "[ \"\$(rsql \"SELECT pg_last_wal_replay_lsn() >= '$lsn'\")\" = t ]" 10
}
K=$(awk '$1=="admin@brightsmile.test"{print $3}' db/demo/README-kdf.txt)
sign_in_sql() {      # a session of the Admin in Bright Smile, as the client makes one
  _a=$(q "$P" "SELECT api.login('admin@brightsmile.test', decode('$K','hex'), '{\"version\":\"e2e\"}')")
  _t=$(q "$P" "SELECT token FROM api.attempt_result('$_a')")
  q "$P" "SELECT api.select_practice('$_t', '$E2E_BSD')" >/dev/null
  echo "$_t"
}
page() { q "$1" "SELECT count(*) FROM api.leads_page('$2', '$3', 'newest', 'first', NULL, 20)"; }
revoke() { e2e_sql "UPDATE lumen.sessions SET revoked_at = now(), revoked_why = 'logout'
                    WHERE token_hash = ext.digest(decode('$1', 'hex'), 'sha256')" >/dev/null; }

# --- by hand: what the replica answers
T=$(sign_in_sql)
G=$(q "$P" "SELECT api.leads_open('$T', '{}')")
caught_up
e2e_is "$(rsql 'SELECT pg_is_in_recovery()')" t "the replica is a hot standby"
e2e_is "$(page "$R" "$T" "$G")" 20 "a page of the inbox is served by the replica, with the primary's grant"
AG=$(q "$P" "SELECT api.audit_open('$T', now() - interval '30 days', now(), '{}')")
caught_up
e2e_is "$(q "$R" "SELECT count(*) FROM api.audit_page('$T', '$AG', 'first', NULL, 5)")" 5 \
  "and so is a page of the audit log"
e2e_ok 'q "$R" "SELECT api.leads_open('"'"'$T'"'"', '"'"'{}'"'"')" | grep -q "read-only transaction"' \
  "an audited open (a write) cannot run on the replica"
e2e_ok 'q "$R" "SELECT email FROM api.me('"'"'$T'"'"')" | grep -q "read-only transaction"' \
  "nor can any other api function: session_check's row lock is refused there"

# Replay paused: a grant made since is not there; the replica says so.
rsql "SELECT pg_wal_replay_pause()" >/dev/null
G2=$(q "$P" "SELECT api.leads_open('$T', '{}')")
e2e_ok 'page "$R" "$T" "$G2" | grep -q "LMR01\|ask the primary: the grant is not replayed"' \
  "a grant the paused replica has not replayed: ask the primary"
e2e_is "$(page "$P" "$T" "$G2")" 20 "which serves it"
# Revoked on the primary while the replica lags: the grant it has is
# honoured only within the window after its open, then refused.
revoke "$T"
e2e_ok 'page "$P" "$T" "$G" | grep -q "session revoked"' "the primary refuses the revoked session at once"
sleep 3.2
e2e_ok 'page "$R" "$T" "$G" | grep -q "older than the standby may honour"' \
  "the lagging replica refuses its old grant once the window has passed"
rsql "SELECT pg_wal_replay_resume()" >/dev/null
# Caught up, within the window: the revocation itself refuses.  A window
# a loaded machine cannot outlast between the open and the read, so that
# the answer is the revocation's, not the age's.
e2e_sql "UPDATE lumen.replica_settings SET grant_window = '60 seconds'" >/dev/null
T2=$(sign_in_sql); G3=$(q "$P" "SELECT api.leads_open('$T2', '{}')"); caught_up
rsql "SELECT pg_wal_replay_pause()" >/dev/null
revoke "$T2"
rsql "SELECT pg_wal_replay_resume()" >/dev/null; caught_up
# ... and the revocation itself is there, seen as the superuser.
e2e_wait_until "[ \"\$(rsql \"SELECT revoked_at IS NOT NULL FROM lumen.sessions
  WHERE token_hash = ext.digest(decode('$T2', 'hex'), 'sha256')\")\" = t ]" 10
r10=$(page "$R" "$T2" "$G3")
echo "$r10" | grep -q "session or grant does not pass" || echo "# the replica answered: $r10"
e2e_ok 'echo "$r10" | grep -q "session or grant does not pass"' \
  "once replayed, the revocation is refused by the replica too"

# --- the client: pages from the replica, opens and audit rows on the primary
calls() { rsql "SELECT coalesce(sum(calls), 0) FROM pg_stat_user_functions WHERE funcname = 'leads_page'"; }
lists() { e2e_sql "SELECT count(*) FROM audit.audit_log WHERE action = 'lead.list'"; }
before=$(calls); lists0=$(lists)
e2e_lumen
e2e_sign_in admin@brightsmile.test
e2e_wait_for "Welcome, Adam Admin"
e2e_keys 2
e2e_wait_for "Inbox, newest first"
sleep 2.5                               # past DB_REPLICA_PIN_MS after the open
e2e_keys NPage NPage NPage G
e2e_wait_for "of"
e2e_ok 'e2e_wait_until "[ \$(calls) -gt $before ]" 5' "the inbox's pages went to the replica"
e2e_ok '[ "$(lists)" -gt "$lists0" ]' "the list's audit row (lead.list) is on the primary"
# Replay paused, the client's session revoked on the primary: evicted by the
# primary's wake-up all the same.
rsql "SELECT pg_wal_replay_pause()" >/dev/null
e2e_sql "UPDATE lumen.sessions SET revoked_at = now(), revoked_why = 'logout' WHERE revoked_at IS NULL" >/dev/null
e2e_sql "SELECT pg_notify('lumen_account_' || replace(id::text, '-', ''), '') FROM lumen.accounts WHERE email = 'admin@brightsmile.test'" >/dev/null
e2e_ok 'e2e_wait_for "Sign in to Lumen" 5' "a lagging replica does not keep a revoked client signed in"
rsql "SELECT pg_wal_replay_resume()" >/dev/null
e2e_done
