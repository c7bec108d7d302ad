#!/bin/sh
# lumen sessions list | revoke ID | revoke --all (issue 10), on a database
# of its own copied from the demo data.  Other sessions of the Admin are
# opened through the api in psql as the client role, as another terminal
# would; one reports a hostile origin (a right-to-left override, which the
# server's control-character filter lets through).  The list shows them and
# marks the command's own; revoking one ends it (its next call is refused,
# LMS02); another account's id and an
# unknown one get the same line; --all ends every other session; usage.
set -u
. "$(dirname "$0")/lib.sh"

if [ "$(psql -X -At -d lumen_demo -c "SELECT to_regprocedure('api.sessions(text)') IS NOT NULL")" != t ]; then
  echo "1..0 # SKIP api.sessions does not exist yet (the backend of issue 10)"
  exit 0
fi
e2e_plan 16
e2e_db

PW=$E2E_PASSWORD
ADMIN=admin@brightsmile.test
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"; e2e_cleanup' EXIT
lumen() { "$LUMEN_BIN" --config "$E2E_CONF" "$@"; }
as_client() { psql -X -q -At -v ON_ERROR_STOP=1 -U lumen_client -d "$E2E_DB" "$@"; }
key() { awk -v e="$1" '$1 == e { print "\\x" $3 }' db/demo/README-kdf.txt; }
result() { _id=$(as_client -c "SELECT $2") && as_client -c "SELECT $1 FROM api.attempt_result('$_id')"; }
# A session of a demo member without two-factor; CLIENT its p_client.
token() { result token "api.login('$1', '$(key "$1")', '${2:-{\}}')"; }
sid() { as_client -c "SELECT session_id FROM api.me('$1')"; }
# The SQLSTATE of api.me on TOKEN, or "ok".
me_state() {
  psql -X -q -At -U lumen_client -d "$E2E_DB" -v VERBOSITY=sqlstate -c "SELECT 1 FROM api.me('$1')" >/dev/null 2>"$tmp/me"
  [ $? = 0 ] && echo ok || grep -o 'LMS0[0-9]' "$tmp/me" | head -1
}
sessions() { printf '%s\n' "$PW" | lumen sessions --email "$ADMIN" --password-stdin "$@"; }

T1=$(token $ADMIN '{"origin": "10.0.0.9 \u202egnp.exe", "version": "lumen 9.9"}')
T2=$(token $ADMIN)
T3=$(token $ADMIN)
OWNER_T=$(token owner@harbortherapy.test)
S1=$(sid "$T1"); S2=$(sid "$T2"); S3=$(sid "$T3"); SO=$(sid "$OWNER_T")

out=$(sessions list 2>"$tmp/err"); rc=$?
e2e_is "$rc" 0 "sessions list: exit 0 ($(cat "$tmp/err"))"
e2e_is "$(echo "$out" | head -1 | tr -s ' ')" " ID CREATED LAST ACTIVE STATE ADDRESS ORIGIN CLIENT PRACTICE" "the heading"
e2e_ok "echo \"\$out\" | grep -q '^ *$S1 .* live .*lumen 9.9 *Bright Smile Dental\$' && echo \"\$out\" | grep -q '^ *$S2 ' && echo \"\$out\" | grep -q '^ *$S3 '" \
  "the other sessions are listed, with their client and practice"
e2e_is "$(echo "$out" | grep -c '^\*  *[0-9a-f]')" 1 "exactly one is marked as this command's own"
e2e_ok "! echo \"\$out\" | grep -q \"$SO\"" "another account's session is not listed"
e2e_ok "! echo \"\$out\" | grep -q \"\$(printf '\342\200\256')\" && echo \"\$out\" | grep '$S1' | grep -q '10.0.0.9 �gnp.exe'" \
  "a reported origin's right-to-left override is shown as a placeholder"
e2e_is "$(echo "$out" | tail -1)" "* this command's own session (signed out as it ends)" "the last line says what '*' is"

out=$(sessions revoke "$S1" 2>&1); rc=$?
e2e_ok "[ $rc = 0 ] && [ \"\$out\" = 'session $S1 ended' ]" "revoke ID: exit 0, one line ($out)"
e2e_is "$(me_state "$T1")" LMS02 "that session's next call is refused (LMS02)"
e2e_is "$(e2e_sql "SELECT revoked_why FROM lumen.sessions WHERE id = '$S1'")" revoked "ended as revoked"

out=$(sessions revoke "$SO" 2>&1); rc=$?
out2=$(sessions revoke 00000000-0000-4000-8000-000000000000 2>&1); rc2=$?
e2e_ok "[ $rc = 1 ] && [ \"\$out\" = 'lumen: no open session of yours has the id $SO' ] && [ $rc2 = 1 ] && [ \"\$out2\" = 'lumen: no open session of yours has the id 00000000-0000-4000-8000-000000000000' ] && [ \"\$(me_state $OWNER_T)\" = ok ]" \
  "another account's session and an unknown id: the same one line, exit 1; the other account's stays"

out=$(sessions revoke --all 2>&1); rc=$?
e2e_ok "[ $rc = 0 ] && [ \"\$out\" = 'signed out everywhere: 2 other sessions ended' ]" "revoke --all: exit 0, how many ended ($out)"
e2e_ok "[ \"\$(me_state $T2)\" = LMS02 ] && [ \"\$(me_state $T3)\" = LMS02 ] && [ \"\$(me_state $OWNER_T)\" = ok ]" \
  "every other session of the account is refused on its next call; another account's is not"
e2e_is "$(e2e_sql "SELECT count(*) FROM lumen.sessions s JOIN lumen.accounts a ON a.id = s.account_id
                   WHERE a.email = '$ADMIN' AND s.revoked_at IS NULL")" 0 \
  "and the command's own session was signed out at its end"

# A member of two practices is not asked to choose one for this.
out=$(printf '%s\n' "$PW" | lumen sessions list --email owner@harbortherapy.test --password-stdin 2>&1); rc=$?
e2e_ok "[ $rc = 0 ] && echo \"\$out\" | grep -q '$SO'" "a member of two practices lists without --practice ($out)"

lumen sessions revoke >/dev/null 2>&1; r1=$?
lumen sessions revoke not-an-id >/dev/null 2>&1; r2=$?
lumen sessions revoke "$S2" --all >/dev/null 2>&1; r3=$?
lumen sessions list --all >/dev/null 2>&1; r4=$?
lumen sessions >/dev/null 2>&1; r5=$?
out=$(lumen sessions --help); r6=$?
e2e_ok "[ $r1 = 2 ] && [ $r2 = 2 ] && [ $r3 = 2 ] && [ $r4 = 2 ] && [ $r5 = 2 ] && [ $r6 = 0 ] && echo \"\$out\" | grep -q '^usage: lumen sessions list'" \
  "usage errors exit 2 (no ID, a malformed one, ID and --all, --all on list, no command); --help"

e2e_done
