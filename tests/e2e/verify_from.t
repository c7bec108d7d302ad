#!/bin/sh
# lumen audit verify --from D (issue 8) on the demo's six weeks of history
# (db/demo/audit.sql), in a database of its own: fewer rows than a whole
# verify and ok; the start named, and the stored hash before it taken as
# given; bad days; a superuser's edit after D named exactly, one before D
# (on the very link taken as given) not seen by --from but by a whole
# verify; the head kept from an earlier run still checked when it is
# before the start, so a rewrite of history up to it fails --from too.
set -u
n=0; failed=0
ok() { n=$((n + 1)); if [ "$1" = 0 ]; then echo "ok $n - $2"; else echo "not ok $n - $2"; failed=1; fi; }
echo "1..23"

db="vfrom_$$"
tmp=$(mktemp -d)
trap 'dropdb --if-exists "$db" >/dev/null 2>&1; rm -rf "$tmp"' EXIT
createdb -T lumen_demo "$db" || { echo "Bail out! cannot create $db"; exit 1; }
conf="$tmp/lumen.conf"
sed "s/^dbname = .*/dbname = $db/" "$LUMEN_TEST_CONF" > "$conf"
chmod 600 "$conf"
export XDG_STATE_HOME="$tmp/state"
anchors="$XDG_STATE_HOME/lumen/audit-anchors"
su() { psql -X -q -At -v ON_ERROR_STOP=1 -d "$db" -c "$1"; }
PW=lumen-demo-2026
BSD=a1000000-0000-4000-8000-000000000001
TZ_BSD=America/Chicago
lumen() { "$LUMEN_BIN" --config "$conf" "$@"; }
verify() { printf '%s\n' "$PW" | lumen audit verify --email admin@brightsmile.test --password-stdin "$@" 2>&1; }
rows_of() { echo "$1" | sed -n 's/^ok: [^:]*: \([0-9]*\) rows checked.*/\1/p'; }
head_of() { echo "$1" | sed -n 's/^ok: .*(link \([0-9]*\))$/\1/p'; }
# A superuser's edit of one row, behind the append-only trigger.
edit() {
  su "ALTER TABLE audit.audit_log DISABLE TRIGGER audit_log_no_update_delete;
      UPDATE audit.audit_log SET detail = \$d\$$2\$d\$ WHERE id = $1;
      ALTER TABLE audit.audit_log ENABLE TRIGGER audit_log_no_update_delete" >/dev/null
}

# D: two weeks ago in the practice's zone; S: the first link on or after
# its midnight there, as the client should find it.
D=$(su "SELECT ((now() AT TIME ZONE '$TZ_BSD')::date - 14)::text")
S=$(su "SELECT min(c.seq) FROM audit.audit_chain c JOIN audit.audit_log a ON a.id = c.audit_id
        WHERE c.practice_id = '$BSD' AND a.at >= ('$D'::date)::timestamp AT TIME ZONE '$TZ_BSD'")
link_row() { su "SELECT audit_id FROM audit.audit_chain WHERE practice_id = '$BSD' AND seq = $1"; }

out=$(verify); rc=$?
whole=$(rows_of "$out")
[ $rc = 0 ] && [ -n "$whole" ] && [ "$whole" -gt 500 ]
ok $? "a whole verify of the demo: ok, $whole rows"

out=$(verify --from "$D"); rc=$?
part=$(rows_of "$out"); head=$(head_of "$out")
[ $rc = 0 ] && [ -n "$part" ] && [ "$part" -lt "$whole" ] && [ "$part" -gt 0 ]
ok $? "--from $D: ok, and fewer rows checked ($part) than the whole ($whole)"
[ "$part" = $((head - S + 1)) ]
ok $? "... the rows from link $S, the first on or after $D in $TZ_BSD, to the head (link $head)"
echo "$out" | grep -qx "checked from link $S, the first on or after $D ($TZ_BSD), taking the stored hash before it (link $((S - 1))) as given"
ok $? "... and it says where it started and what it took as given ($out)"
echo "$out" | grep -q "^the chain passes through link [0-9]*, verified on"
ok $? "... through the head the whole verify kept"
grep -q "^$BSD $head [0-9a-f]\{64\} " "$anchors"
ok $? "... and keeps its own head"

old=$(su "SELECT ((now() AT TIME ZONE '$TZ_BSD')::date - 400)::text")
out=$(verify --from "$old"); rc=$?
[ $rc = 0 ] && [ "$(rows_of "$out")" = "$(head_of "$out")" ] &&
  echo "$out" | grep -q "^checked from link 1, the first on or after $old ($TZ_BSD): the whole chain"
ok $? "--from a day before the history: every link, from link 1"

# Bad days: exit 2 before anything signs in.
out=$(lumen audit verify --from 2026-02-30 --email admin@brightsmile.test --password-stdin </dev/null 2>&1); rc=$?
[ $rc = 2 ] && echo "$out" | grep -q "^lumen: --from: 2026-02-30 is not a date: February 2026 has 28 days"
ok $? "--from 2026-02-30: exit 2, saying why ($out)"
out=$(lumen audit verify --from last-week --email admin@brightsmile.test --password-stdin </dev/null 2>&1); rc=$?
[ $rc = 2 ] && echo "$out" | grep -q 'is not a date: write it YYYY-MM-DD'
ok $? "--from last-week: exit 2"
out=$(lumen audit verify --from "$D" --to "$D" --email admin@brightsmile.test --password-stdin </dev/null 2>&1); rc=$?
[ $rc = 2 ] && echo "$out" | grep -q "'lumen audit verify' takes --from, not '--to'"
ok $? "--to is not verify's: exit 2"
out=$(lumen audit verify --help); rc=$?
[ $rc = 0 ] && echo "$out" | grep -q '^usage: lumen audit verify \[--from D\]' && echo "$out" | grep -q 'taken as stored'
ok $? "lumen audit verify --help describes --from"
later=$(su "SELECT ((now() AT TIME ZONE '$TZ_BSD')::date + 30)::text")
out=$(verify --from "$later"); rc=$?
[ $rc = 1 ] && echo "$out" | grep -q "no audit row on or after $later ($TZ_BSD) is in the chain yet"
ok $? "--from a day to come: nothing to verify, exit 1"

# An edit before D, on the very link whose stored hash --from takes.
before=$(link_row $((S - 1)))
before_detail=$(su "SELECT detail::text FROM audit.audit_log WHERE id = $before")
edit "$before" '{"edited": "before D"}'
out=$(verify --from "$D"); rc=$?
[ $rc = 0 ] && echo "$out" | grep -q "^ok: "
ok $? "a row edited before D (link $((S - 1)), row $before) is not seen by --from ($out)"
out=$(verify); rc=$?
[ $rc = 1 ] && echo "$out" | grep -q "first audit row that does not verify: $before (.*its hash does not match"
ok $? "... a whole verify names it, exit 1"

# An edit after D: named exactly.
after=$(su "SELECT c.audit_id FROM audit.audit_chain c JOIN audit.audit_log a ON a.id = c.audit_id
            WHERE c.practice_id = '$BSD' AND a.at >= ('$D'::date)::timestamp AT TIME ZONE '$TZ_BSD'
            ORDER BY c.seq OFFSET 10 LIMIT 1")
after_detail=$(su "SELECT detail::text FROM audit.audit_log WHERE id = $after")
after_at=$(su "SELECT to_char(at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.US\"Z\"') || ', ' || action
               FROM audit.audit_log WHERE id = $after")
edit "$after" '{"edited": "after D"}'
out=$(verify --from "$D"); rc=$?
[ $rc = 1 ] && echo "$out" | grep -qF "first audit row that does not verify: $after ($after_at), link"
ok $? "a row edited after D is named exactly by --from: id, time, action; exit 1 ($out)"
[ "$(echo "$out" | grep -c 'does not verify')" = 1 ] && echo "$out" | grep -q "^checked from link $S,"
ok $? "... only that row, and where the check started"
out=$(verify); rc=$?
[ $rc = 1 ] && echo "$out" | grep -q "first audit row that does not verify: $before "
ok $? "a whole verify still names the first break, the row before D"

# Both rows as they were: the chain holds again.
edit "$after" "$after_detail"
edit "$before" "$before_detail"
out=$(verify); rc=$?
[ $rc = 0 ]
ok $? "both rows restored: a whole verify holds again ($out)"

# A head kept long ago, before the start (a user who last verified on the
# history's third link): --from re-checks that link, not those after it.
h3=$(su "SELECT encode(hash, 'hex') FROM audit.audit_chain WHERE practice_id = '$BSD' AND seq = 3")
printf '%s 3 %s 2026-10-01T00:00:00Z\n' "$BSD" "$h3" > "$anchors"
out=$(verify --from "$D"); rc=$?
[ $rc = 0 ] && echo "$out" | grep -q "^link 3, verified on 2026-10-01T00:00:00Z, still hashes as it did then; links 4 to $((S - 1)) were not checked"
ok $? "an anchor before the start: its link still hashes to it, and what was not checked is said ($out)"

# Rewritten history: the superuser changes the row of link 2 and
# re-computes every later link and the head, so that the chain holds
# everywhere, the server's own check included.  Only the head kept
# outside the database shows it -- with --from too.
su "ALTER TABLE audit.audit_log DISABLE TRIGGER audit_log_no_update_delete;
    ALTER TABLE audit.audit_chain DISABLE TRIGGER audit_chain_no_update_delete;
    UPDATE audit.audit_log SET detail = '{\"rewritten\": true}'
     WHERE id = (SELECT audit_id FROM audit.audit_chain WHERE practice_id = '$BSD' AND seq = 2);
    DO \$\$
    DECLARE prev bytea; h bytea; r record;
    BEGIN
      SELECT hash INTO prev FROM audit.audit_chain WHERE practice_id = '$BSD' AND seq = 1;
      FOR r IN SELECT c.seq, a FROM audit.audit_chain c JOIN audit.audit_log a ON a.id = c.audit_id
               WHERE c.practice_id = '$BSD' AND c.seq >= 2 ORDER BY c.seq LOOP
        h := ext.digest(prev || audit.canonical(r.a), 'sha256');
        UPDATE audit.audit_chain SET prev_hash = prev, hash = h WHERE practice_id = '$BSD' AND seq = r.seq;
        prev := h;
      END LOOP;
      UPDATE audit.audit_chain_heads SET last_hash = prev WHERE practice_id = '$BSD';
    END \$\$;
    ALTER TABLE audit.audit_chain ENABLE TRIGGER audit_chain_no_update_delete;
    ALTER TABLE audit.audit_log ENABLE TRIGGER audit_log_no_update_delete" >/dev/null
[ -z "$(su "SELECT audit.verify('$BSD')")" ]
ok $? "the rewrite passes the server's own check"
printf '%s 3 %s 2026-10-01T00:00:00Z\n' "$BSD" "$h3" > "$anchors"
out=$(verify --from "$D"); rc=$?
[ $rc = 1 ] && echo "$out" | grep -q "audit row $(link_row 3) (.*), link 3: the chain no longer passes through a head verified earlier"
ok $? "--from fails on the anchor's link, before the start: history was rewritten ($out)"
grep -q "^$BSD 3 $h3 " "$anchors"
ok $? "... and the head kept is left as it was"
out=$(XDG_STATE_HOME="$tmp/fresh" verify --from "$D"); rc=$?
[ $rc = 0 ]
ok $? "(without that head, --from sees nothing wrong: the anchor is what shows a rewrite)"
exit $failed
