#!/bin/sh
# A hostile client with psql and the client role's credentials (issue 13):
# the three ways to undo a guess after seeing its answer, a guess loop that
# commits, an open transaction that must not freeze anyone's sign-in, and
# a flood of failures that must not flood the audit log.  The lead inbox
# (issue 7): a read grant is useless until its audit row has committed, and
# a Viewer's denied change is audited before the Viewer can learn it.  The
# audit log viewer (issue 8): its grants too.  Account security (issue
# 10): its guesses, and the wake-up of sign out everywhere.  Team
# management (issue 9): two transfers racing, a removed member refused and
# woken, invite codes as guesses.  Notifications (issue 11): the Owner's
# writes as the team's; the client and the deliverer each reach only
# their own schema; the deliverer is woken at a commit.  Each runs in
# autocommit against a database of its own copied from the demo data, as
# lumen_client, the way `psql` on a jump host would.
set -u
n=0; failed=0
ok() { n=$((n + 1)); if [ "$1" = 0 ]; then echo "ok $n - $2"; else echo "not ok $n - $2"; failed=1; fi; }
echo "1..62"

db="hostile_$$"
tmp=$(mktemp -d)
cleanup() { kill $(jobs -p) 2>/dev/null; wait 2>/dev/null; dropdb --if-exists "$db" >/dev/null 2>&1; rm -rf "$tmp"; }
trap cleanup EXIT
createdb -T lumen_demo "$db" || { echo "Bail out! cannot create $db"; exit 1; }

as_client() { psql -X -q -At -v ON_ERROR_STOP=1 -U lumen_client -d "$db" "$@" 2>&1; }
as_su() { psql -X -q -At -v ON_ERROR_STOP=1 -d "$db" -c "$1"; }
# The demo's stretched keys (db/demo/README-kdf.txt) and a wrong one.
key() { awk -v e="$1" '$1 == e { print "\\x" $3 }' db/demo/README-kdf.txt; }
ADMIN=admin@brightsmile.test; OWNER=owner@brightsmile.test; VIEWER=viewer@brightsmile.test
WRONG="\\x$(printf '%064d' 0)"
# Rows this test made: the demo's own history (db/demo/audit.sql) is older.
since=$(as_su "SELECT now()")
count() { as_su "SELECT count(*) FROM audit.audit_log WHERE at >= '$since' AND ($1)"; }
# An attempt and, in a transaction of its own after it committed, one
# column of its outcome: what an honest client does.
result() {  # result COLUMN ATTEMPT-SQL
  _id=$(as_client -c "SELECT $2")
  as_client -c "SELECT $1 FROM api.attempt_result('$_id')"
}

# ---------------------------------------------------------------- the tricks
out=$(as_client -c "BEGIN" -c "SELECT api.login('$ADMIN', '$WRONG', '{}')" -c "ROLLBACK")
id=$(echo "$out" | grep -E '^[0-9a-f]{64}$')
[ -n "$id" ] && ! echo "$out" | grep -qi 'invalid\|locked'
ok $? "api.login answers only an attempt id"
out=$(as_client -c "SELECT status FROM api.attempt_result('$id')"); rc=$?
[ $rc -ne 0 ] && echo "$out" | grep -q 'unknown attempt'
ok $? "trick 1 (BEGIN; guess; ROLLBACK): the rolled-back attempt has no answer to ask for"

out=$(as_client -c "BEGIN" -c "SELECT status FROM api.attempt_result(api.login('$ADMIN', '$WRONG', '{}'))" -c "COMMIT")
echo "$out" | grep -q 'has not been committed' && ! echo "$out" | grep -qx 'invalid'
ok $? "the answer is refused inside the transaction that made the attempt"

out=$(as_client -c "SELECT CASE WHEN r.status = 'ok' THEN r.token ELSE (1 / (length(r.status) - length(r.status)))::text END
                    FROM api.attempt_result(api.login('$ADMIN', '$WRONG', '{}')) r")
echo "$out" | grep -q 'has not been committed' && ! echo "$out" | grep -q 'division by zero'
ok $? "trick 2 (one statement that fails on purpose): it fails before any answer exists"

out=$(as_client -c "DO \$\$ DECLARE s text; BEGIN
  FOR i IN 1 .. 5 LOOP
    BEGIN
      SELECT status INTO s FROM api.attempt_result(api.login('$ADMIN', '$WRONG', '{}'));
      RAISE NOTICE 'answer %', s;
    EXCEPTION WHEN OTHERS THEN RAISE NOTICE 'caught %', SQLSTATE;
    END;
  END LOOP; END \$\$")
[ "$(echo "$out" | grep -c 'caught LMG01')" = 5 ] && ! echo "$out" | grep -q 'answer'
ok $? "trick 3 (an exception block around each guess): every guess is refused, none answered"

tok=$(result token "api.login('$ADMIN', '$(key $ADMIN)', '{}')")
out=$(as_client -c "BEGIN" -c "SELECT api.login('$ADMIN', '$WRONG', '{}')" -c "SELECT role FROM api.me('$tok')")
echo "$out" | grep -q 'has not been committed' && ! echo "$out" | grep -qx 'admin'
ok $? "no other api call runs in a transaction after an attempt (nothing it changed can be seen)"
[ "$(count "actor_email = '$ADMIN' AND action = 'login.failure'")" = 0 ]
ok $? "none of the undone guesses left a count or a row, and none was answered"

# ------------------------------------------ guesses that commit are counted
# Each guess commits; each answer is then read in a transaction that is
# rolled back: the count and the rows stand.
answers=""
for i in 1 2 3 4 5; do
  id=$(as_client -c "SELECT api.login('$ADMIN', '$WRONG', '{}')")
  answers="$answers $(as_client -c "BEGIN" -c "SELECT status FROM api.attempt_result('$id')" -c "ROLLBACK")"
done
[ "$answers" = " invalid invalid invalid invalid locked" ]
ok $? "five committed wrong keys: the fifth locks, though every answer was read and rolled back ($answers)"
[ "$(count "actor_email = '$ADMIN' AND action = 'login.failure' AND outcome = 'failure'")" -ge 5 ]
ok $? "each of them is an audit row"
st=$(result status "api.login('$ADMIN', '$(key $ADMIN)', '{}')")
[ "$st" = locked ]
ok $? "the right key is refused while the lock lasts"

# The second factor: a guess loop on the code of a signed-in Owner.
tok=$(result token "api.login('$OWNER', '$(key $OWNER)', '{}')")
answers=""
for i in 1 2 3 4 5 6; do
  id=$(as_client -c "SELECT api.mfa_verify('$tok', '00000$i')")
  answers="$answers $(as_client -c "BEGIN" -c "SELECT status FROM api.attempt_result('$id')" -c "ROLLBACK")"
done
case "$answers" in *locked*locked) r=0 ;; *) r=1 ;; esac
[ $r = 0 ] && [ "$(as_su "SELECT mfa_locked_until > now() FROM lumen.accounts WHERE email = '$OWNER'")" = t ]
ok $? "TOTP guesses: the factor locks after five, whatever the caller rolls back ($answers)"
[ "$(count "actor_email = '$OWNER' AND action = 'mfa.failure' AND outcome = 'failure'")" -ge 5 ]
ok $? "every committed TOTP guess is an audit row"
code=$(oathtool --totp -b JBSWY3DPEHPK3PXP)
st=$(result status "api.mfa_verify('$tok', '$code')")
[ "$st" = locked ]
ok $? "while the factor is locked even the right code is refused"

# ----------------------------------- an open transaction freezes nobody
# A holds a transaction open after a failed sign-in (and so the chain of
# the practice it audited into, and any row it wrote).
as_client -c "BEGIN" -c "SELECT api.login('$VIEWER', '$WRONG', '{}')" -c "SELECT pg_sleep(60)" \
  -c "ROLLBACK" > /dev/null &
holder=$!
# Wait until A's transaction has written its attempt.
i=0
while [ $i -lt 50 ] && [ "$(as_su "SELECT count(*) FROM pg_stat_activity WHERE datname = '$db'
                                   AND state = 'active' AND query LIKE '%pg_sleep%'
                                   AND pid <> pg_backend_pid()")" != 1 ]; do
  sleep 0.1; i=$((i + 1))
done
as_su "UPDATE lumen.accounts SET mfa_locked_until = NULL, mfa_failures = 0" >/dev/null
st=$(result status "api.login('$VIEWER', '$(key $VIEWER)', '{}')")
kill -0 $holder 2>/dev/null; alive=$?
[ "$st" = ok ] && [ $alive = 0 ]
ok $? "the same person's right key signs in while the other transaction is still open ($st)"
st=$(result status "api.login('owner@harbortherapy.test', '$(key owner@harbortherapy.test)', '{}')")
kill -0 $holder 2>/dev/null; alive=$?
[ "$st" = ok ] && [ $alive = 0 ]
ok $? "another member's sign-in completes while it is still open (no lock waited on) ($st)"
as_su "SELECT pg_cancel_backend(pid) FROM pg_stat_activity
       WHERE datname = '$db' AND query LIKE '%pg_sleep(60)%' AND pid <> pg_backend_pid()" >/dev/null
wait $holder
as_su "SELECT audit.seal_all()" >/dev/null
bad=$(as_su "SELECT count(*) FROM (SELECT audit.verify(p) v FROM
               (SELECT NULL::uuid p UNION ALL SELECT id FROM lumen.practices) x) y WHERE v IS NOT NULL")
[ "$bad" = 0 ] && [ "$(as_su "SELECT count(*) FROM audit.audit_pending")" = 0 ]
ok $? "afterwards every row is sealed into its chain and every chain verifies"

# ------------------------------------------------------------- a flood
# 200 wrong keys for 200 emails from one host, each reporting another
# origin: the address the server sees locks after 20, and the refusals
# after that write one audit row a minute, not one each.
as_su "DELETE FROM lumen.throttle_events" >/dev/null
before=$(count "true")
i=1
while [ $i -le 200 ]; do
  echo "SELECT api.login('flood-$i@example.test', '$WRONG', '{\"origin\": \"198.51.100.$((i % 250))\"}');"
  i=$((i + 1))
done > "$tmp/flood.sql"
as_client -f "$tmp/flood.sql" > /dev/null
added=$(( $(count "true") - before ))
[ "$added" -le 30 ]
ok $? "200 failed sign-ins from one address write $added audit rows (bounded, not 200)"
st=$(result status "api.login('flood-x@example.test', '$WRONG', '{\"origin\": \"203.0.113.1\"}')")
[ "$st" = locked ]
ok $? "a new email from that address, reporting yet another origin, is refused"
st=$(result status "api.login('owner@harbortherapy.test', '$(key owner@harbortherapy.test)', '{}')")
[ "$st" = ok ]
ok $? "a colleague who signed in from this address before still signs in with the right key"

# ------------------------------------------------------------ lead inbox
as_su "DELETE FROM lumen.throttle_events" >/dev/null
tok=$(result token "api.login('$ADMIN', '$(key $ADMIN)', '{}')")
vtok=$(result token "api.login('$VIEWER', '$(key $VIEWER)', '{}')")
ana=$(as_su "SELECT id FROM lumen.leads WHERE name = 'Ana María Pérez'")
lists=$(count "action = 'lead.list'")
out=$(printf '%s\n' "BEGIN;" "SELECT api.leads_open('$tok', '{}') AS g \\gset" \
        "SELECT count(*) FROM api.leads_page('$tok', :'g', 'newest', 'first', NULL, 10);" "COMMIT;" | as_client)
echo "$out" | grep -q 'grant has not been committed' && ! echo "$out" | grep -qx '10'
ok $? "a list grant reads nothing in the transaction that opened it (LMG01)"
out=$(as_client -c "SELECT name FROM api.lead_get('$tok', api.lead_open('$tok', $ana))")
echo "$out" | grep -q 'grant has not been committed' && ! echo "$out" | grep -q 'Ana'
ok $? "nor does a lead's, even in one statement"
g=$(as_client -c "BEGIN" -c "SELECT api.leads_open('$tok', '{}')" -c "ROLLBACK" | grep -E '^[0-9a-f]{64}$')
out=$(as_client -c "SELECT count(*) FROM api.leads_page('$tok', '$g', 'newest', 'first', NULL, 10)")
[ -n "$g" ] && echo "$out" | grep -q 'unknown grant' && [ "$(count "action = 'lead.list'")" = "$lists" ]
ok $? "a rolled-back grant never works, and left no audit row to miss"
g=$(as_client -c "SELECT api.leads_open('$tok', '{\"q\": \"Ana María\"}')")
[ "$(as_client -c "SELECT name FROM api.leads_page('$tok', '$g', 'newest', 'first', NULL, 10)")" = "Ana María Pérez" ] &&
  [ "$(count "action = 'lead.list'")" = $((lists + 1)) ]
ok $? "a committed grant reads, its lead.list row already in"
out=$(as_client -c "SELECT count(*) FROM api.leads_page('$vtok', '$g', 'newest', 'first', NULL, 10)")
echo "$out" | grep -q 'unknown grant'
ok $? "another session cannot use it"

denied=$(count "action = 'lead.update' AND outcome = 'denied'")
out=$(printf '%s\n' "BEGIN;" "SELECT api.leads_set_status('$vtok', ARRAY[$ana]::bigint[], 'spam') AS a \\gset" \
        "SELECT status FROM api.attempt_result(:'a');" "ROLLBACK;" | as_client)
echo "$out" | grep -q 'has not been committed' && ! echo "$out" | grep -qx 'denied' &&
  [ "$(count "action = 'lead.update' AND outcome = 'denied'")" = "$denied" ]
ok $? "a Viewer's change rolled back: no answer to be had (and no row, since nothing was learnt)"
a=$(as_client -c "SELECT api.leads_set_status('$vtok', ARRAY[$ana]::bigint[], 'spam')")
[ "$(count "action = 'lead.update' AND outcome = 'denied' AND target_id = '$ana'")" = $((denied + 1)) ]
ok $? "a Viewer's change committed: the denied audit row is in before the answer is read"
st=$(as_client -c "BEGIN" -c "SELECT status FROM api.attempt_result('$a')" -c "ROLLBACK")
[ "$st" = denied ] && [ "$(as_su "SELECT status FROM lumen.leads WHERE id = $ana")" = new ] &&
  [ "$(count "action = 'lead.update' AND outcome = 'denied' AND target_id = '$ana'")" = $((denied + 1)) ]
ok $? "its answer is denied, the lead unchanged, and rolling back the reading undoes nothing ($st)"
# ------------------------------------------------------------ audit viewer
range="now() - interval '1 day', now() + interval '1 minute'"
views=$(count "action = 'audit.view'")
out=$(printf '%s\n' "BEGIN;" "SELECT api.audit_open('$tok', $range, '{}') AS g \\gset" \
        "SELECT count(*) FROM api.audit_page('$tok', :'g', 'first', NULL, 10);" "COMMIT;" | as_client)
echo "$out" | grep -q 'grant has not been committed' && ! echo "$out" | grep -qx '10'
ok $? "an audit_open grant reads no page in the transaction that opened it (LMG01)"
g=$(as_client -c "BEGIN" -c "SELECT api.audit_open('$tok', $range, '{}')" -c "ROLLBACK" | grep -E '^[0-9a-f]{64}$')
out=$(as_client -c "SELECT count(*) FROM api.audit_row('$tok', '$g', 1)")
[ -n "$g" ] && echo "$out" | grep -q 'unknown grant' && [ "$(count "action = 'audit.view'")" = "$views" ]
ok $? "a rolled-back audit grant never works, and left no audit.view row to miss"
g=$(as_client -c "SELECT api.audit_open('$tok', $range, '{\"action\": \"login.\"}')")
rows=$(as_client -c "SELECT count(*) FROM api.audit_page('$tok', '$g', 'first', NULL, 1000)")
[ "$rows" -gt 0 ] && [ "$(count "action = 'audit.view'")" = $((views + 1)) ] &&
  [ "$(count "action = 'audit.view' AND detail->'filter' = '{\"action\": \"login.\"}'")" = 1 ]
ok $? "a committed audit grant reads, its audit.view row with the filter already in ($rows rows)"
exports=$(count "action = 'audit.export'")
out=$(as_client -c "SELECT count(*) FROM api.audit_export_rows('$tok',
                      (SELECT \"grant\" FROM api.audit_export_open('$tok', $range, '{}')), NULL, NULL)")
echo "$out" | grep -q 'grant has not been committed' && [ "$(count "action = 'audit.export'")" = "$exports" ]
ok $? "an export opened and read in one statement reads nothing (and its row went with it)"
# ------------------------------------------------------- account security
# Issue 10's guesses: a confirmation code, a code to disable 2FA, the
# current password's key.  Each is counted and audited by its own commit;
# a rolled-back one has no answer and changed nothing.
as_su "DELETE FROM lumen.throttle_events" >/dev/null
as_su "UPDATE lumen.accounts SET mfa_locked_until = NULL, mfa_failures = 0" >/dev/null
stok=$(result token "api.login('$ADMIN', '$(key $ADMIN)', '{}')")
stok2=$(result token "api.login('$ADMIN', '$(key $ADMIN)', '{}')")
b32=$(as_client -c "SELECT secret_base32 FROM api.mfa_enroll_begin('$stok')")
code=$(oathtool --totp -b "$b32")
out=$(printf '%s\n' "BEGIN;" "SELECT api.mfa_enroll_confirm('$stok', '$code') AS a \\gset" \
        "SELECT status, secret FROM api.attempt_result(:'a');" "ROLLBACK;" | as_client)
echo "$out" | grep -q 'has not been committed' && ! echo "$out" | grep -q '^ok' &&
  [ "$(as_su "SELECT mfa_enabled FROM lumen.accounts WHERE email = '$ADMIN'")" = f ]
ok $? "mfa_enroll_confirm rolled back: no answer, no recovery codes, 2FA still off"
enr=$(count "actor_email = '$ADMIN' AND action = 'mfa.enroll' AND outcome = 'failure'")
id=$(as_client -c "SELECT api.mfa_enroll_confirm('$stok', '$( [ "$code" = 000000 ] && echo 111111 || echo 000000)')")
st=$(as_client -c "BEGIN" -c "SELECT status FROM api.attempt_result('$id')" -c "ROLLBACK")
[ "$st" = invalid ] && [ "$(as_su "SELECT mfa_failures FROM lumen.accounts WHERE email = '$ADMIN'")" = 1 ] &&
  [ "$(count "actor_email = '$ADMIN' AND action = 'mfa.enroll' AND outcome = 'failure'")" = $((enr + 1)) ]
ok $? "a wrong confirmation: its count and audit row stand though its answer was read and rolled back ($st)"
id=$(as_client -c "SELECT api.mfa_enroll_confirm('$stok', '$code')")
codes=$(as_client -c "SELECT secret FROM api.attempt_result('$id')")
[ "$(echo "$codes" | grep -cE '^[A-Z2-7]{5}-[A-Z2-7]{5}$')" = 10 ] &&
  [ "$(as_su "SELECT mfa_enabled FROM lumen.accounts WHERE email = '$ADMIN'")" = t ] &&
  [ "$(as_su "SELECT count(*) FROM lumen.attempts WHERE secret_sealed IS NOT NULL AND revealed_at IS NOT NULL")" = 0 ]
ok $? "committed, the right code answers ten recovery codes, once (wiped from the attempt as told); 2FA on"
out=$(as_client -c "SELECT secret FROM api.attempt_result('$id')")
echo "$out" | grep -q 'unknown attempt' && ! echo "$out" | grep -qE '^[A-Z2-7]{5}-'
ok $? "the codes are not told a second time"
rc1=$(echo "$codes" | head -1)
out=$(printf '%s\n' "BEGIN;" "SELECT api.mfa_disable('$stok', '$rc1') AS a \\gset" \
        "SELECT status FROM api.attempt_result(:'a');" "ROLLBACK;" | as_client)
echo "$out" | grep -q 'has not been committed' && ! echo "$out" | grep -qx ok &&
  [ "$(as_su "SELECT mfa_enabled FROM lumen.accounts WHERE email = '$ADMIN'")" = t ] &&
  [ "$(as_su "SELECT count(*) FROM lumen.recovery_codes r JOIN lumen.accounts a ON a.id = r.account_id
              WHERE a.email = '$ADMIN' AND r.used_at IS NULL")" = 10 ]
ok $? "mfa_disable rolled back: no answer, 2FA still on, the recovery code not spent"
dis=$(count "actor_email = '$ADMIN' AND action = 'mfa.disable' AND outcome = 'failure'")
id=$(as_client -c "SELECT api.mfa_disable('$stok', 'AAAAA-AAAAA')")
st=$(as_client -c "BEGIN" -c "SELECT status FROM api.attempt_result('$id')" -c "ROLLBACK")
[ "$st" = invalid ] && [ "$(as_su "SELECT mfa_failures FROM lumen.accounts WHERE email = '$ADMIN'")" = 1 ] &&
  [ "$(count "actor_email = '$ADMIN' AND action = 'mfa.disable' AND outcome = 'failure'")" = $((dis + 1)) ]
ok $? "a wrong code to disable: counted and audited before its answer ($st)"
salt=$(as_su "SELECT pw_salt FROM lumen.accounts WHERE email = '$ADMIN'")
NEWSALT="\\x$(printf '%032d' 7)"; NEWKEY="\\x$(printf '%064d' 7)"
out=$(printf '%s\n' "BEGIN;" "SELECT api.password_change('$stok', '$(key $ADMIN)', '$NEWSALT', 2, 67108864, '$NEWKEY') AS a \\gset" \
        "SELECT status FROM api.attempt_result(:'a');" "ROLLBACK;" | as_client)
echo "$out" | grep -q 'has not been committed' && ! echo "$out" | grep -qx ok &&
  [ "$(as_su "SELECT pw_salt FROM lumen.accounts WHERE email = '$ADMIN'")" = "$salt" ] &&
  [ "$(as_client -c "SELECT count(*) FROM api.me('$stok2')")" = 1 ]
ok $? "password_change rolled back: no answer, the password and the other session as they were"
fails=$(as_su "SELECT count(*) FROM lumen.throttle_events WHERE key = 'email:$ADMIN' AND event = 'failure'")
id=$(as_client -c "SELECT api.password_change('$stok', '$WRONG', '$NEWSALT', 2, 67108864, '$NEWKEY')")
st=$(as_client -c "BEGIN" -c "SELECT status FROM api.attempt_result('$id')" -c "ROLLBACK")
[ "$st" = invalid ] &&
  [ "$(as_su "SELECT count(*) FROM lumen.throttle_events WHERE key = 'email:$ADMIN' AND event = 'failure'")" = $((fails + 1)) ] &&
  [ "$(count "actor_email = '$ADMIN' AND action = 'password.change' AND outcome = 'failure'")" = 1 ]
ok $? "a wrong current password: counted on the email's sign-in throttle and audited before its answer ($st)"

# The wake-up: a client LISTENing on the account's channel hears sign out
# everywhere when it commits (not when it is rolled back), and the other
# session's state says so at once.
chan=$(as_su "SELECT lumen.account_channel(id) FROM lumen.accounts WHERE email = '$ADMIN'")
# psql prints a notification after the statement during which it came: the
# listener runs short statements (up to 30 s) until it is ended below.
{ echo "LISTEN $chan;"; i=0; while [ $i -lt 300 ]; do echo "SELECT pg_sleep(0.1);"; i=$((i + 1)); done; } > "$tmp/listen.sql"
as_client -f "$tmp/listen.sql" > "$tmp/listen.out" &
listener=$!
i=0
while [ $i -lt 100 ] && [ "$(as_su "SELECT count(*) FROM pg_stat_activity WHERE datname = '$db'
                                    AND query LIKE '%pg_sleep(0.1)%' AND pid <> pg_backend_pid()")" != 1 ]; do
  sleep 0.1; i=$((i + 1))
done
as_client -c "BEGIN" -c "SELECT api.sessions_revoke_all('$stok', false)" -c "ROLLBACK" >/dev/null
st=$(as_client -c "SELECT state FROM api.session_state('$stok2')")
id=$(as_client -c "SELECT api.sessions_revoke_all('$stok', false)")
st2=$(as_client -c "SELECT state || ' ' || why FROM api.session_state('$stok2')")
i=0
while [ $i -lt 100 ] && ! grep -q "notification \"$chan\"" "$tmp/listen.out"; do sleep 0.1; i=$((i + 1)); done
sleep 0.5
as_su "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '$db'
       AND query LIKE '%pg_sleep(0.1)%' AND pid <> pg_backend_pid()" >/dev/null
wait $listener 2>/dev/null
[ "$st" = live ] && [ "$st2" = "revoked signed_out_everywhere" ] &&
  [ "$(grep -c "notification \"$chan\"" "$tmp/listen.out")" = 1 ]
ok $? "sign out everywhere: one wake-up on $chan (none for the rolled-back one); the other session is revoked at once ($st, $st2)"
out=$(as_client -c "SELECT * FROM api.me('$stok2')")
echo "$out" | grep -q 'session revoked'
ok $? "the signed-out session's next call is refused (LMS02)"
# ------------------------------------------------------------ team
# Fixtures of their own (as postgres): a practice with an Owner, two
# Admins and a Viewer, whose stretched keys K are made up (32 bytes each).
as_su "DELETE FROM lumen.throttle_events" >/dev/null
RP=93300000-0000-4000-8000-000000000001
RO=93300000-0000-4000-8000-0000000000a0; RA1=93300000-0000-4000-8000-0000000000a1
RA2=93300000-0000-4000-8000-0000000000a2; RV=93300000-0000-4000-8000-0000000000a3
kk() { printf '\\x%s' "$(printf "%064d" 0 | tr 0 "$1")"; }   # kk 1: \x1111...
as_su "INSERT INTO lumen.practices (id, name, vertical) VALUES ('$RP', 'Race Practice', 'dental');
       INSERT INTO lumen.accounts (id, email, display_name, pw_salt, pw_verifier)
       SELECT id::uuid, email, email, ext.gen_random_bytes(16), ext.digest(k::bytea, 'sha256')
       FROM (VALUES ('$RO', 'race-own@example.test', '$(kk 1)'), ('$RA1', 'race-a1@example.test', '$(kk 2)'),
                    ('$RA2', 'race-a2@example.test', '$(kk 3)'), ('$RV', 'race-v@example.test', '$(kk 4)')) v(id, email, k);
       INSERT INTO lumen.memberships (practice_id, account_id, role) VALUES
         ('$RP', '$RO', 'owner'), ('$RP', '$RA1', 'admin'), ('$RP', '$RA2', 'admin'), ('$RP', '$RV', 'viewer')" >/dev/null
t1=$(result token "api.login('race-own@example.test', '$(kk 1)', '{}')")
t2=$(result token "api.login('race-own@example.test', '$(kk 1)', '{}')")
# Two transfers on two connections (two sessions of the Owner): the first
# holds its transaction open a moment after its transfer; the second
# starts meanwhile, waits on the Owner's row, and finds its caller an
# Admin when its turn comes.
as_client -c "BEGIN" -c "SELECT api.practice_transfer('$t1', '$RA1')" -c "SELECT pg_sleep(0.8)" -c "COMMIT" \
  > "$tmp/race1.out" &
racer=$!
i=0
while [ $i -lt 50 ] && [ "$(as_su "SELECT count(*) FROM pg_stat_activity WHERE datname = '$db'
                                   AND state = 'active' AND query LIKE '%pg_sleep(0.8)%'
                                   AND pid <> pg_backend_pid()")" != 1 ]; do
  sleep 0.05; i=$((i + 1))
done
id2=$(as_client -c "SELECT api.practice_transfer('$t2', '$RA2')")
wait $racer
id1=$(grep -E '^[0-9a-f]{64}$' "$tmp/race1.out")
st1=$(as_client -c "SELECT status FROM api.attempt_result('$id1')")
st2=$(as_client -c "SELECT status FROM api.attempt_result('$id2')")
[ "$st1" = ok ] && [ "$st2" = denied ]
ok $? "two transfers racing on two connections: one wins, the other is denied ($st1, $st2)"
[ "$(as_su "SELECT string_agg(account_id::text || ':' || role, ',' ORDER BY account_id) FROM lumen.memberships
            WHERE practice_id = '$RP'")" = "$RO:admin,$RA1:owner,$RA2:admin,$RV:viewer" ] &&
  [ "$(count "action = 'practice.transfer' AND outcome = 'denied' AND detail->>'reason' = 'not_owner'")" = 1 ]
ok $? "exactly one Owner (the winner's Admin), and the loser's refusal is an audit row"

# A removed member's token is refused on the next call, and their open
# client is woken (LISTEN on the account's channel).
tn=$(result token "api.login('race-a1@example.test', '$(kk 2)', '{}')")   # the new Owner
ta2=$(result token "api.login('race-a2@example.test', '$(kk 3)', '{}')")
chan=lumen_account_$(echo "$RA2" | tr -d -)
as_client -c "LISTEN $chan" -c "SELECT pg_sleep(1.5)" -c "SELECT 'listened'" > "$tmp/listen.out" &
listener=$!
i=0
while [ $i -lt 50 ] && [ "$(as_su "SELECT count(*) FROM pg_stat_activity WHERE datname = '$db'
                                   AND state = 'active' AND query LIKE '%pg_sleep(1.5)%'
                                   AND pid <> pg_backend_pid()")" != 1 ]; do
  sleep 0.05; i=$((i + 1))
done
st=$(result status "api.member_remove('$tn', '$RA2')")
out=$(as_client -c "SELECT role FROM api.me('$ta2')")
[ "$st" = ok ] && echo "$out" | grep -q 'session revoked'
ok $? "a removed member's token is refused on the next call ($st)"
wait $listener
grep -q "Asynchronous notification \"$chan\" received" "$tmp/listen.out"
ok $? "and their open client (listening on the account's channel) is woken at the commit"

# A member who holds their own session row in an open transaction (any
# api call locks it) cannot keep themselves in: the removal gives up
# ending that session after the lock timeout and goes through.
tv=$(result token "api.login('race-v@example.test', '$(kk 4)', '{}')")
as_client -c "BEGIN" -c "SELECT count(*) FROM api.team_members('$tv')" -c "SELECT pg_sleep(4)" -c "COMMIT" \
  > /dev/null 2>&1 &
holder=$!
i=0
while [ $i -lt 50 ] && [ "$(as_su "SELECT count(*) FROM pg_stat_activity WHERE datname = '$db'
                                   AND state = 'active' AND query LIKE '%pg_sleep(4)%'
                                   AND pid <> pg_backend_pid()")" != 1 ]; do
  sleep 0.05; i=$((i + 1))
done
start=$(date +%s)
st=$(result status "api.member_remove('$tn', '$RV')")
took=$(( $(date +%s) - start ))
kill -0 $holder 2>/dev/null; alive=$?
[ "$st" = ok ] && [ $alive = 0 ] && [ $took -le 3 ] &&
  [ "$(as_su "SELECT count(*) FROM lumen.memberships WHERE account_id = '$RV'")" = 0 ]
ok $? "a member holding their session open is removed all the same, in about the lock timeout ($st, ${took}s)"
wait $holder
out=$(as_client -c "SELECT count(*) FROM api.team_members('$tv')")
echo "$out" | grep -q 'no practice selected' &&
  [ "$(count "action = 'member.remove' AND target_id = '$RV' AND outcome = 'success' AND detail ? 'sessions_ended' = false")" = 1 ]
ok $? "and once they let go, their next call is refused (the audit row says their session was not ended)"

# Invite codes: guesses, as sign-in.  The demo's pending invite
# (db/demo/team.sql) and made-up codes.
as_su "DELETE FROM lumen.throttle_events" >/dev/null
NEWHIRE=newhire@brightsmile.test; CODE=NEWH-IRE2-BRIG-HTSM-ILED-EMOI-NVIT-E222
fails() { as_su "SELECT count(*) FROM lumen.throttle_events WHERE key = 'email:$1' AND event = 'failure'"; }
out=$(as_client -c "BEGIN" -c "SELECT status FROM api.attempt_result(api.invite_check('$CODE', '$NEWHIRE'))" -c "COMMIT")
echo "$out" | grep -q 'has not been committed' && ! echo "$out" | grep -qx ok
ok $? "invite_check: no outcome inside the transaction that made the guess"
id=$(as_client -c "BEGIN" -c "SELECT api.invite_check('AAAA-BBBB', '$NEWHIRE')" -c "ROLLBACK" | grep -E '^[0-9a-f]{64}$')
out=$(as_client -c "SELECT status FROM api.attempt_result('$id')")
[ -n "$id" ] && echo "$out" | grep -q 'unknown attempt' && [ "$(fails $NEWHIRE)" = 0 ]
ok $? "a guess rolled back: no answer to be had (and nothing was learnt)"
out=$(as_client -c "DO \$\$ DECLARE s text; BEGIN
  FOR i IN 1 .. 3 LOOP
    BEGIN
      SELECT status INTO s FROM api.attempt_result(api.invite_check('CCCC-' || i, '$NEWHIRE'));
      RAISE NOTICE 'answer %', s;
    EXCEPTION WHEN OTHERS THEN RAISE NOTICE 'caught %', SQLSTATE;
    END;
  END LOOP; END \$\$")
[ "$(echo "$out" | grep -c 'caught LMG01')" = 3 ] && ! echo "$out" | grep -q 'answer'
ok $? "guesses in an exception block: every one refused its answer"
id=$(as_client -c "SELECT api.invite_check('DDDD-EEEE', '$NEWHIRE')")
st=$(as_client -c "BEGIN" -c "SELECT status FROM api.attempt_result('$id')" -c "ROLLBACK")
[ "$st" = invalid ] && [ "$(fails $NEWHIRE)" = 1 ] &&
  [ "$(count "action = 'member.join' AND outcome = 'failure' AND actor_email = '$NEWHIRE'")" = 1 ]
ok $? "a wrong code committed: answered after the commit, and still counted and audited though the reading was rolled back ($st)"
out=$(as_client -c "SELECT CASE WHEN r.status = 'ok' THEN r.info::text ELSE (1 / (length(r.status) - length(r.status)))::text END
                    FROM api.attempt_result(api.invite_accept('$CODE', '$NEWHIRE', 'New Hire',
                      '\\x00112233445566778899aabbccddeeff', 2, 67108864, '$(kk 5)', '{}')) r")
echo "$out" | grep -q 'has not been committed' &&
  [ "$(as_su "SELECT count(*) FROM lumen.accounts WHERE email = '$NEWHIRE'")" = 0 ]
ok $? "invite_accept in one statement that would fail on purpose: it fails before any answer, and joins nobody"
info=$(result info "api.invite_accept('$CODE', '$NEWHIRE', 'New Hire', '\\x00112233445566778899aabbccddeeff',
                                     2, 67108864, '$(kk 5)', '{}')")
st=$(result status "api.invite_accept('$CODE', '$NEWHIRE', 'New Hire', '\\x00112233445566778899aabbccddeeff',
                                     2, 67108864, '$(kk 5)', '{}')")
tnh=$(result token "api.login('$NEWHIRE', '$(kk 5)', '{}')")
role=$(as_client -c "SELECT role FROM api.me('$tnh')")
echo "$info" | grep -q '"role": "viewer"' && [ "$st" = invalid ] && [ "$(fails $NEWHIRE)" = 2 ] && [ "$role" = viewer ]
ok $? "the demo invite accepted once, committed ($info); the same code again is invalid, and counted; the new member signs in as a Viewer"
# ------------------------------------------------- the team's denials
# A Viewer's try at each of the team's writes: no answer inside the
# transaction that made it (rolled back, it leaves nothing); committed, it
# is answered denied, and its audit row stays though the reading is rolled
# back.
tv=$(result token "api.login('$VIEWER', '$(key $VIEWER)', '{}')")
DADM=c1000000-0000-4000-8000-000000000002
DINV=$(as_su "SELECT id FROM lumen.invites WHERE email = 'newhire@brightsmile.test' LIMIT 1")
bad=""
for call in "member_invite:member.invite:'x@example.test', 'viewer'" \
            "member_remove:member.remove:'$DADM'" \
            "member_set_role:member.role_change:'$DADM', 'viewer'" \
            "practice_transfer:practice.transfer:'$DADM'" \
            "practice_settings_set:practice.settings:true, 900" \
            "practice_close:practice.close:'Bright Smile Dental'" \
            "invite_revoke:member.invite_revoke:'$DINV'"; do
  fn=${call%%:*}; rest=${call#*:}; action=${rest%%:*}; args=${rest#*:}
  before=$(count "action = '$action' AND outcome = 'denied' AND actor_email = '$VIEWER'")
  out=$(as_client -c "BEGIN" -c "SELECT status FROM api.attempt_result(api.$fn('$tv', $args))" -c "ROLLBACK")
  echo "$out" | grep -q 'has not been committed' && ! echo "$out" | grep -qx denied &&
    [ "$(count "action = '$action' AND outcome = 'denied' AND actor_email = '$VIEWER'")" = "$before" ] ||
    bad="$bad $fn(in-transaction)"
  id=$(as_client -c "SELECT api.$fn('$tv', $args)")
  st=$(as_client -c "BEGIN" -c "SELECT status FROM api.attempt_result('$id')" -c "ROLLBACK")
  [ "$st" = denied ] &&
    [ "$(count "action = '$action' AND outcome = 'denied' AND actor_email = '$VIEWER'")" = $((before + 1)) ] ||
    bad="$bad $fn(committed:$st)"
done
[ -z "$bad" ]
ok $? "a Viewer's team writes: no answer inside their transaction; committed, denied and audited though the reading is rolled back${bad:+ (failed:$bad)}"
# ------------------------------------------------- notifications
# A Viewer's try at each of the Owner's notification writes: no answer
# inside the transaction that made it (rolled back, it leaves nothing);
# committed, it is denied and audited, and stays so though the reading is
# rolled back or fails on purpose once the answer is seen.
as_su "DELETE FROM lumen.throttle_events" >/dev/null
tv=$(result token "api.login('$VIEWER', '$(key $VIEWER)', '{}')")
FRONT=$(as_su "SELECT id FROM lumen.notify_emails WHERE email = 'frontdesk@brightsmile.test'")
HOOK=00000000-0000-4000-8000-0000000000ff
bad=""
for call in "notify_webhook_add:notify.webhook_add:'https://hooks.example.test/x', 'mine'" \
            "notify_webhook_rotate:notify.webhook_rotate:'$HOOK'" \
            "notify_webhook_remove:notify.webhook_remove:'$HOOK'" \
            "notify_webhook_enable:notify.webhook_enable:'$HOOK'" \
            "notify_email_add:notify.email_add:'me@example.test'" \
            "notify_email_remove:notify.email_remove:'$FRONT'" \
            "notify_test:notify.test:'$FRONT'" \
            "notify_lead_link_set:notify.lead_link_set:'https://evil.example.test/{lead_id}'"; do
  fn=${call%%:*}; rest=${call#*:}; action=${rest%%:*}; args=${rest#*:}
  before=$(count "action = '$action' AND outcome = 'denied' AND actor_email = '$VIEWER'")
  out=$(as_client -c "BEGIN" -c "SELECT status FROM api.attempt_result(api.$fn('$tv', $args))" -c "ROLLBACK")
  echo "$out" | grep -q 'has not been committed' && ! echo "$out" | grep -qx denied &&
    [ "$(count "action = '$action' AND outcome = 'denied' AND actor_email = '$VIEWER'")" = "$before" ] ||
    bad="$bad $fn(in-transaction)"
  out=$(as_client -c "SELECT CASE WHEN r.status = 'denied' THEN (1 / (length(r.status) - length(r.status)))::text ELSE r.status END
                      FROM api.attempt_result(api.$fn('$tv', $args)) r")
  echo "$out" | grep -q 'has not been committed' && ! echo "$out" | grep -q 'division by zero' ||
    bad="$bad $fn(one-statement)"
  id=$(as_client -c "SELECT api.$fn('$tv', $args)")
  out=$(as_client -c "SELECT CASE WHEN r.status = 'denied' THEN (1 / (length(r.status) - length(r.status)))::text ELSE r.status END
                      FROM api.attempt_result('$id') r")
  echo "$out" | grep -q 'division by zero' || bad="$bad $fn(fail-on-purpose:$out)"
  st=$(as_client -c "BEGIN" -c "SELECT status FROM api.attempt_result('$id')" -c "ROLLBACK")
  [ "$st" = denied ] &&
    [ "$(count "action = '$action' AND outcome = 'denied' AND actor_email = '$VIEWER'")" = $((before + 1)) ] ||
    bad="$bad $fn(committed:$st)"
done
[ -z "$bad" ]
ok $? "a Viewer's notification writes: no answer inside their transaction; committed, denied and audited though the reading fails on purpose or is rolled back${bad:+ (failed:$bad)}"
[ "$(as_su "SELECT count(*) FROM lumen.notify_webhooks")" = 0 ] &&
  [ "$(as_su "SELECT count(*) FROM lumen.notify_emails WHERE removed_at IS NULL")" = 1 ] &&
  [ "$(as_su "SELECT lead_link FROM lumen.practices WHERE id = 'a1000000-0000-4000-8000-000000000001'")" = \
    'https://brightsmile.test/lumen/leads/{lead_id}' ] &&
  [ "$(as_su "SELECT count(*) FROM lumen.outbox WHERE kind = 'notify.test'")" = 0 ]
ok $? "and none of them changed anything: no webhook, the recipient and the link as they were, no test sent"

# Each role reaches its own schema only.
as_notify() { psql -X -q -At -v ON_ERROR_STOP=1 -U lumen_notify -d "$db" "$@" 2>&1; }
bad=""
for sql in "SELECT count(*) FROM notify.status()" "SELECT count(*) FROM notify.claim(1)" \
           "SELECT notify.next_due()" "SELECT notify.delivered(1, gen_random_uuid(), 200)"; do
  as_client -c "$sql" | grep -q 'permission denied' || bad="$bad '$sql'"
done
[ -z "$bad" ]
ok $? "lumen_client cannot execute notify.*${bad:+ (allowed:$bad)}"
bad=""
for t in outbox notify_webhooks notify_webhook_secrets notify_emails account_origins; do
  as_client -c "SELECT count(*) FROM lumen.$t" | grep -q 'permission denied' || bad="$bad $t"
done
[ -z "$bad" ]
ok $? "lumen_client cannot read the outbox, the webhooks, their secrets, the recipients or the origins${bad:+ (read:$bad)}"
bad=""
for sql in "SELECT count(*) FROM api.login_begin('x@example.test')" "SELECT count(*) FROM api.attempt_result('00')" \
           "SELECT ingest.lead_capture('lik_00', '{}')" "SELECT lumen.secret_open('\\x00')"; do
  as_notify -c "$sql" | grep -q 'permission denied' || bad="$bad '$sql'"
done
[ -z "$bad" ]
ok $? "lumen_notify cannot call the api, ingest or lumen's functions${bad:+ (allowed:$bad)}"
bad=""
for t in lumen.outbox lumen.notify_webhooks lumen.notify_webhook_secrets lumen.notify_emails lumen.leads \
         lumen.lead_messages audit.audit_log; do
  as_notify -c "SELECT count(*) FROM $t" | grep -q 'permission denied' || bad="$bad $t"
done
[ -z "$bad" ]
ok $? "lumen_notify reads no table (the outbox, webhooks, secrets, recipients, leads, transcripts, audit log)${bad:+ (read:$bad)}"

# The deliverer's wake-up: a listener on lumen_outbox hears a committed
# lead alert, not a rolled-back one; then it claims the alert in a
# transaction of its own and reports it delivered.
{ echo "LISTEN lumen_outbox;"; i=0; while [ $i -lt 300 ]; do echo "SELECT pg_sleep(0.1);"; i=$((i + 1)); done; } > "$tmp/listen-outbox.sql"
as_notify -f "$tmp/listen-outbox.sql" > "$tmp/listen-outbox.out" &
listener=$!
i=0
while [ $i -lt 100 ] && [ "$(as_su "SELECT count(*) FROM pg_stat_activity WHERE datname = '$db' AND usename = 'lumen_notify'
                                    AND query LIKE '%pg_sleep(0.1)%'")" != 1 ]; do
  sleep 0.1; i=$((i + 1))
done
ikey=$(as_su "SELECT lumen.ingest_key_new('a1000000-0000-4000-8000-000000000001')")
as_ingest() { psql -X -q -At -v ON_ERROR_STOP=1 -U lumen_ingest -d "$db" "$@" 2>&1; }
as_ingest -c "BEGIN" -c "SELECT ingest.lead_capture('$ikey', '{\"name\": \"Rolled Back\"}')" -c "ROLLBACK" >/dev/null
sleep 0.5
heard_rollback=$(grep -c 'notification "lumen_outbox"' "$tmp/listen-outbox.out")
as_ingest -c "SELECT ingest.lead_capture('$ikey', '{\"name\": \"Quinn Private\", \"phone\": \"+1 555 0177\", \"service\": \"Whitening\"}')" >/dev/null
i=0
while [ $i -lt 100 ] && ! grep -q 'notification "lumen_outbox"' "$tmp/listen-outbox.out"; do sleep 0.1; i=$((i + 1)); done
as_su "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '$db' AND usename = 'lumen_notify'" >/dev/null
wait $listener 2>/dev/null
[ "$heard_rollback" = 0 ] && [ "$(grep -c 'notification "lumen_outbox"' "$tmp/listen-outbox.out")" = 1 ]
ok $? "lumen_outbox: one wake-up for the committed lead alert, none for the rolled-back one"
row=$(as_notify -F ' ' -c "SELECT id, claim FROM notify.claim(10, '{email}') WHERE kind = 'lead.new'")
rid=${row%% *}; rclaim=${row#* }
body=$(as_su "SELECT body FROM lumen.outbox o, lumen.notify_render(o) r WHERE o.id = ${rid:-0}")
[ "$(as_notify -c "SELECT notify.delivered(${rid:-0}, '$rclaim', 202)")" = t ] &&
  [ "$(as_su "SELECT recipient || ' ' || (delivered_at IS NOT NULL) FROM lumen.outbox WHERE id = ${rid:-0}")" = \
    "frontdesk@brightsmile.test true" ] &&
  ! echo "$body" | grep -q 'Quinn\|0177'
ok $? "lumen_notify claims Bright Smile's lead alert (to frontdesk@, no name or phone in it) and reports it delivered, each call committed on its own"
exit $failed
