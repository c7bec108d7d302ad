#!/bin/sh
# What `make demo` promises (DESIGN.md, "Interfaces that stay stable"), on
# the path a new user takes: scripts/demo-db.sh in a checkout of its own,
# then the sign-ins that scripts/demo.sh prints.  The Harbor owner is also a
# Viewer of Bright Smile Dental; the Bright Smile owner's recovery codes are
# the ten printed, each good for one sign-in; loading changed demo data
# again adds what is new.
set -u
n=0; failed=0
ok() { n=$((n + 1)); if [ "$1" = 0 ]; then echo "ok $n - $2"; else echo "not ok $n - $2"; failed=1; fi; }
echo "1..11"

top=$(pwd)
# A checkout that the postgres user may enter (as /srv/lumen would be):
# as root, the cluster's files then live in .lumen itself.
tmp=$(mktemp -d)
chmod 755 "$tmp"
trap 'sh "$top/scripts/pgcluster.sh" destroy "$tmp/.lumen" >/dev/null 2>&1; rm -rf "$tmp"' EXIT
ln -s "$top/db" "$tmp/db"
ln -s "$top/scripts" "$tmp/scripts"
ln -s "$LUMEN_BIN" "$tmp/lumen"
cd "$tmp"

out=$(sh scripts/demo-db.sh 2>&1); rc=$?
[ $rc = 0 ] && echo "$out" | grep -q '^demo-db: loading the demo data$' &&
  [ "$(./lumen config check --config .lumen/lumen.conf 2>&1)" = ok ]
ok $? "demo-db.sh makes the demo in a fresh checkout, and lumen accepts its config"
[ $rc = 0 ] || { echo "$out" | sed 's/^/# /'; echo "Bail out! no demo database"; exit 1; }

host=$(sh scripts/pgcluster.sh host .lumen)
su() { psql -X -q -At -h "$host" -U postgres -d lumen -v ON_ERROR_STOP=1 -c "$1"; }
whoami() {  # EMAIL [CODE] [--practice NAME]: lumen whoami's output, then rc=N
  _email=$1; _code=${2:-}; shift; [ $# -gt 0 ] && shift
  printf 'lumen-demo-2026\n%s\n' "$_code" |
    ./lumen whoami --config .lumen/lumen.conf --email "$_email" --password-stdin "$@" 2>&1
  echo "rc=$?"
}
OWNER=c1000000-0000-4000-8000-000000000001

[ "$(su "SELECT string_agg(p.name || ':' || m.role, ',' ORDER BY p.name)
         FROM lumen.memberships m JOIN lumen.practices p ON p.id = m.practice_id
         JOIN lumen.accounts a ON a.id = m.account_id WHERE a.email = 'owner@harbortherapy.test'")" = \
  "Bright Smile Dental:viewer,Harbor Family Therapy:owner" ]
ok $? "owner@harbortherapy.test is the Owner of Harbor Family Therapy and a Viewer of Bright Smile Dental"

out=$(whoami owner@harbortherapy.test)
echo "$out" | grep -q '^rc=1$' && echo "$out" | grep -q 'Bright Smile Dental, Harbor Family Therapy'
ok $? "signing in, the Harbor owner is asked which practice, and both are offered"
out=$(whoami owner@harbortherapy.test "" --practice "Bright Smile Dental")
echo "$out" | grep -q '^rc=0$' && echo "$out" | grep -q '^role *viewer$'
ok $? "in Bright Smile Dental the Harbor owner is a Viewer"

printed=$(sh scripts/demo.sh </dev/null | grep -oE '[A-Z2-7]{5}-[A-Z2-7]{5}')
[ "$(echo "$printed" | sort -u | wc -l)" = 10 ] &&
  [ "$printed" = "$(grep -E '^[A-Z2-7]{5}-[A-Z2-7]{5}$' db/demo/recovery-codes.txt)" ]
ok $? "make demo prints ten distinct recovery codes, those of db/demo/recovery-codes.txt"

list=$(echo "$printed" | sed "s/.*/'&'/" | paste -sd, -)
[ "$(su "SELECT count(*) FROM lumen.recovery_codes WHERE account_id = '$OWNER' AND used_at IS NULL")" = 10 ] &&
  [ "$(su "SELECT count(*) FROM lumen.recovery_codes r
           WHERE r.account_id = '$OWNER' AND r.code_hash IN
             (SELECT lumen.recovery_hash('$OWNER', c) FROM unnest(ARRAY[$list]) c)")" = 10 ]
ok $? "the Bright Smile owner's ten stored codes are the hashes of the printed ones"

# One sign-in each; then each again, with the second-factor lock lifted
# (db/API.md, "For tests") so that only the code decides.
good=0; left_ok=0; again=0; i=9
for c in $printed; do
  out=$(whoami owner@brightsmile.test "$c")
  echo "$out" | grep -q '^rc=0$' && echo "$out" | grep -q '^role *owner$' && good=$((good + 1))
  [ "$(su "SELECT count(*) FROM lumen.recovery_codes WHERE account_id = '$OWNER' AND used_at IS NULL")" = $i ] &&
    left_ok=$((left_ok + 1))
  i=$((i - 1))
done
[ $good = 10 ] && [ $left_ok = 10 ]
ok $? "each printed code signs the owner in, and is spent ($good, $left_ok of 10)"
for c in $printed; do
  su "UPDATE lumen.accounts SET mfa_locked_until = NULL, mfa_failures = 0; DELETE FROM lumen.throttle_events" >/dev/null
  out=$(whoami owner@brightsmile.test "$c")
  echo "$out" | grep -q '^rc=1$' && echo "$out" | grep -q 'already used two-factor code' && again=$((again + 1))
done
[ $again = 10 ]
ok $? "each is refused the second time ($again of 10)"

out=$(sh scripts/demo-db.sh 2>&1)
[ "$out" = "demo-db: ready; ./lumen --config .lumen/lumen.conf" ] &&
  [ "$(su "SELECT count(*) FROM lumen.recovery_codes WHERE account_id = '$OWNER' AND used_at IS NULL")" = 0 ]
ok $? "demo-db.sh again loads nothing, and used codes stay used"

# Demo data loaded before the second membership and the codes existed,
# from an older demo.sql: demo-db.sh loads the new one, which adds them.
su "DELETE FROM lumen.recovery_codes WHERE account_id = '$OWNER';
    DELETE FROM lumen.memberships WHERE account_id = 'c2000000-0000-4000-8000-000000000004' AND role = 'viewer';
    COMMENT ON TABLE public.lumen_demo_loaded IS 'an older demo.sql'"
out=$(sh scripts/demo-db.sh 2>&1)
echo "$out" | grep -q '^demo-db: the demo data changed; adding what is new$' &&
  [ "$(su "SELECT count(*) FROM lumen.recovery_codes WHERE account_id = '$OWNER' AND used_at IS NULL")" = 10 ] &&
  [ "$(su "SELECT count(*) FROM lumen.memberships WHERE account_id = 'c2000000-0000-4000-8000-000000000004'")" = 2 ]
ok $? "a demo made from an older demo.sql gets the new facts when demo-db.sh runs again"
[ "$(su "SELECT count(*) FROM lumen.accounts")" = 4 ] && [ "$(su "SELECT count(*) FROM lumen.practices")" = 2 ]
ok $? "and nothing else is added twice"
exit $failed
