#!/bin/sh
# Subcommands that sign in (no terminal UI): lumen whoami and lumen audit
# verify, with --email E --password-stdin (password, then the code), on a
# database of their own copied from the demo data.  The rewrite at the end
# is what only a head kept outside the database can show (issue 13, item 5).
set -u
n=0; failed=0
ok() { n=$((n + 1)); if [ "$1" = 0 ]; then echo "ok $n - $2"; else echo "not ok $n - $2"; failed=1; fi; }
echo "1..15"

db="subcmd_$$"
tmp=$(mktemp -d)
trap 'dropdb --if-exists "$db" >/dev/null 2>&1; rm -rf "$tmp"' EXIT
createdb -T lumen_demo "$db" || { echo "Bail out! cannot create $db"; exit 1; }
conf="$tmp/lumen.conf"
sed "s/^dbname = .*/dbname = $db/" "$LUMEN_TEST_CONF" > "$conf"
chmod 600 "$conf"
export XDG_STATE_HOME="$tmp/state"
su() { psql -X -q -At -v ON_ERROR_STOP=1 -d "$db" -c "$1"; }
PW=lumen-demo-2026
BSD=a1000000-0000-4000-8000-000000000001
lumen() { "$LUMEN_BIN" --config "$conf" "$@"; }
# A fresh TOTP step for the demo owner: a code is accepted once per step.
code() { su "UPDATE lumen.accounts SET totp_last_step = NULL" >/dev/null; oathtool --totp -b JBSWY3DPEHPK3PXP; }

out=$(printf '%s\n' "$PW" | lumen whoami --email admin@brightsmile.test --password-stdin 2>&1); rc=$?
[ $rc = 0 ] && echo "$out" | grep -q '^role *admin$' && echo "$out" | grep -q "Bright Smile Dental ($BSD)"
ok $? "whoami as the Admin: exit 0, the practice and the role"
sid=$(echo "$out" | awk '$1 == "session" { print $2 }')
[ "$(su "SELECT revoked_why FROM lumen.sessions WHERE id = '$sid'")" = logout ]
ok $? "its session is signed out when it is done"

out=$(printf '%s\n%s\n' "$PW" "$(code)" | lumen whoami --email owner@brightsmile.test --password-stdin 2>&1); rc=$?
[ $rc = 0 ] && echo "$out" | grep -q '^role *owner$'
ok $? "whoami as the Owner with an oathtool code on the second line"

out=$(printf '%s\n' "$PW" | lumen whoami --email owner@brightsmile.test --password-stdin 2>&1); rc=$?
[ $rc = 1 ] && [ "$(echo "$out" | wc -l)" = 1 ] && echo "$out" | grep -q 'two-factor'
ok $? "the Owner without a code: exit 1, one line that says a code is needed"

out=$(printf 'not the password\n' | lumen whoami --email admin@brightsmile.test --password-stdin 2>&1); rc=$?
[ $rc = 1 ] && [ "$out" = "lumen: wrong email or password" ]
ok $? "a wrong password: exit 1 and one clear line"

out=$(printf '' | lumen whoami --email admin@brightsmile.test --password-stdin 2>&1); rc=$?
[ $rc = 1 ] && echo "$out" | grep -q 'no password was given on standard input'
ok $? "no password on standard input is said so"

out=$(lumen whoami --bogus 2>&1); rc=$?
[ $rc = 2 ]
ok $? "an unknown option is a usage error (exit 2)"

verify() { printf '%s\n' "$PW" | lumen audit verify --email admin@brightsmile.test --password-stdin 2>&1; }
out=$(verify); rc=$?
[ $rc = 0 ] && echo "$out" | grep -q '^ok: Bright Smile Dental: [0-9]* rows checked; head [0-9a-f]\{64\}'
ok $? "audit verify on the demo data: ok and the head ($out)"
anchors="$XDG_STATE_HOME/lumen/audit-anchors"
[ "$(stat -c %a "$anchors")" = 600 ] && grep -q "^$BSD " "$anchors"
ok $? "the verified head is kept in a 0600 file under XDG_STATE_HOME"
out=$(verify); rc=$?
[ $rc = 0 ] && echo "$out" | grep -q 'the chain passes through link [0-9]*, verified on'
ok $? "a second verify passes through the head verified by the first"
su "SELECT count(*) FROM audit.audit_log WHERE action = 'audit.view' AND detail ->> 'purpose' = 'verify'" \
  | grep -qx 2
ok $? "each verify is audited as audit.view"

# A superuser edits one row in the middle of the chain, behind the triggers.
mid=$(su "SELECT audit_id FROM audit.audit_chain WHERE practice_id = '$BSD' ORDER BY seq OFFSET 2 LIMIT 1")
su "SET session_replication_role = replica;
    UPDATE audit.audit_log SET detail = '{\"edited\": true}' WHERE id = $mid" >/dev/null
out=$(verify); rc=$?
[ $rc = 1 ] && echo "$out" | grep -q "first audit row that does not verify: $mid (.*its hash does not match"
ok $? "an edited row is named exactly, exit 1 ($out)"

# Rewritten history: the superuser deletes that row and re-computes every
# later link and the head, so that the server's own check finds nothing.
su "SET session_replication_role = replica;
    DELETE FROM audit.audit_log WHERE id = $mid;
    CREATE TEMP TABLE keep AS
      SELECT row_number() OVER (ORDER BY seq) AS seq, audit_id FROM audit.audit_chain
      WHERE practice_id = '$BSD' AND audit_id <> $mid;
    DELETE FROM audit.audit_chain WHERE practice_id = '$BSD';
    DO \$\$
    DECLARE prev bytea := decode(repeat('00', 32), 'hex'); h bytea; r record;
    BEGIN
      FOR r IN SELECT k.seq, a FROM keep k JOIN audit.audit_log a ON a.id = k.audit_id ORDER BY k.seq LOOP
        h := ext.digest(prev || audit.canonical(r.a), 'sha256');
        INSERT INTO audit.audit_chain (practice_id, seq, audit_id, prev_hash, hash)
        VALUES ('$BSD', r.seq, (r.a).id, prev, h);
        prev := h;
      END LOOP;
      UPDATE audit.audit_chain_heads SET last_seq = (SELECT max(seq) FROM keep), last_hash = prev,
             last_id = (SELECT audit_id FROM keep ORDER BY seq DESC LIMIT 1)
      WHERE practice_id = '$BSD';
    END \$\$" >/dev/null
[ -z "$(su "SELECT audit.verify('$BSD')")" ]
ok $? "the rewrite passes the server's own check (as db/API.md says it would)"
out=$(verify); rc=$?
[ $rc = 1 ] && echo "$out" | grep -q 'no longer passes through a head verified earlier'
ok $? "lumen audit verify fails: the chain no longer passes through the head it verified ($out)"

chmod 666 "$anchors"
out=$(verify); rc=$?
[ $rc = 1 ] && echo "$out" | grep -q 'writable by others'
ok $? "an anchors file others can write is not trusted"
exit $failed
