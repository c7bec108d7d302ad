#!/bin/sh
# make bench: what can be measured of what is built, as ratios against a
# reference run in the same script on the same throwaway cluster (never a
# timed assertion).  Not part of make check.  Takes a few minutes, most of
# it generating the audit rows (about 1,300 a second here, sealed one by
# one as they would be); BENCH_ROWS (default 300000) sets how many.  The
# inbox part after it takes about ten minutes more.
#
#   1. a guess (api.login, then api.attempt_result in its own transaction,
#      which creates the session) vs the reference of two api.me calls:
#      what the two-phase protocol costs per sign-in, before Argon2id
#   2. lumen audit verify, rows per second, vs sha256sum over the same
#      canonical bytes written to a file (goal >= 0.5x)
#   3. peak RSS of lumen audit verify at BENCH_ROWS/10 and BENCH_ROWS rows
#      (goal: flat, it streams by pages; Argon2id's 64 MiB of the sign-in
#      is most of it)
# Then the lead inbox: tests/bench/leads.sh (a million leads, on a cluster
# of its own; its head lists what it measures and its knobs).
#
# BENCH=audit runs only the part above, BENCH=leads only the inbox's
# (e.g. BENCH=leads make bench); unset or all, both, audit first.
set -eu
top=$(pwd)
case ${BENCH:-all} in
  leads) exec sh tests/bench/leads.sh ;;
  audit|all) ;;
  *) echo "make bench: BENCH is audit, leads or all (not '$BENCH')" >&2; exit 2 ;;
esac
rows=${BENCH_ROWS:-300000}
small=$((rows / 10))
pgdir=$top/build/benchpg
tmp=$(mktemp -d)
sh scripts/pgcluster.sh destroy "$pgdir" >/dev/null 2>&1 || true
sh scripts/pgcluster.sh start "$pgdir" --throwaway >/dev/null
trap 'sh "$top/scripts/pgcluster.sh" destroy "$pgdir" >/dev/null 2>&1; rm -rf "$tmp"' EXIT INT TERM
PGHOST=$(sh scripts/pgcluster.sh host "$pgdir"); PGUSER=postgres; PGDATABASE=bench
export PGHOST PGUSER PGDATABASE
conf=$tmp/lumen.conf
printf '[database]\nhost = %s\ndbname = bench\nuser = lumen_client\n[migrate]\nuser = postgres\n' \
  "$PGHOST" > "$conf"
chmod 600 "$conf"
createdb bench
./lumen db migrate --config "$conf" >/dev/null
psql -X -q -v ON_ERROR_STOP=1 -1 -f db/demo/demo.sql >/dev/null
ms() { date +%s%N | cut -c1-13; }
su() { psql -X -q -At -v ON_ERROR_STOP=1 -c "$1"; }
BSD=a1000000-0000-4000-8000-000000000001
K=$(awk '$1 == "admin@brightsmile.test" { print $3 }' db/demo/README-kdf.txt)

# ---------------------------------------------------------- 1. a guess
n=300
{
  echo "SELECT api.login('admin@brightsmile.test', '\\x$K', '{}') AS id \\gset"
  echo "SELECT token AS tok FROM api.attempt_result(:'id') \\gset"
} > "$tmp/head.sql"
{ cat "$tmp/head.sql"; i=0; while [ $i -lt $n ]; do
    echo "SELECT api.login('admin@brightsmile.test', '\\x$K', '{}') AS id \\gset"
    echo "SELECT status FROM api.attempt_result(:'id') \\gset"; i=$((i + 1)); done; } > "$tmp/guess.sql"
{ cat "$tmp/head.sql"; i=0; while [ $i -lt $n ]; do
    echo "SELECT role FROM api.me(:'tok') \\gset"
    echo "SELECT role FROM api.me(:'tok') \\gset"; i=$((i + 1)); done; } > "$tmp/ref.sql"
run_sql() { s=$(ms); psql -X -q -U lumen_client -f "$1" >/dev/null; echo $(( $(ms) - s )); }
run_sql "$tmp/ref.sql" >/dev/null                       # warm up
ref=$(run_sql "$tmp/ref.sql"); guess=$(run_sql "$tmp/guess.sql")

# ------------------------------------------------- audit rows, chained
gen() {  # gen N: N more audit rows in Bright Smile's chain, sealed
  s=$(ms)
  su "SELECT set_config('lumen.practice_id', '$BSD', false);
      INSERT INTO audit.audit_log (at, practice_id, actor_id, actor_email, action, target_type,
                                   target_id, outcome, reported_origin, detail)
      SELECT now(), '$BSD', 'c1000000-0000-4000-8000-000000000002', 'admin@brightsmile.test',
             'lead.view', 'lead', g::text, 'success', '203.0.113.' || (g % 250),
             jsonb_build_object('n', g, 'filter', 'status:new')
      FROM generate_series(1, $1) g" >/dev/null
  su "SELECT audit.seal('$BSD')" >/dev/null
  echo $(( $(ms) - s ))
}
verify() {  # verify -> "ms rss_kib rows"
  rm -rf "$tmp/state"
  s=$(ms)
  out=$(printf 'lumen-demo-2026\n' | XDG_STATE_HOME=$tmp/state /usr/bin/time -f '%M' -o "$tmp/rss" \
        ./lumen --config "$conf" audit verify --email admin@brightsmile.test --password-stdin)
  e=$(ms)
  echo "$(( e - s )) $(cat "$tmp/rss") $(echo "$out" | sed -n 's/.*: \([0-9]*\) rows checked.*/\1/p')"
}
gen_small=$(gen "$small")
set -- $(verify); v_small_ms=$1; v_small_rss=$2; v_small_rows=$3
gen_rest=$(gen $((rows - small)))
set -- $(verify); v_ms=$1; v_rss=$2; v_rows=$3

# The reference: sha256sum over the canonical bytes of the same rows.
su "COPY (SELECT convert_from(audit.canonical(a), 'UTF8') FROM audit.audit_chain l
          JOIN audit.audit_log a ON a.id = l.audit_id
          WHERE l.practice_id = '$BSD' ORDER BY l.seq) TO STDOUT" > "$tmp/canonical"
s=$(ms); sha256sum "$tmp/canonical" >/dev/null; sha=$(( $(ms) - s ))
[ "$sha" -gt 0 ] || sha=1

awk -v n="$n" -v ref="$ref" -v guess="$guess" -v vr="$v_rows" -v vms="$v_ms" -v sha="$sha" \
    -v bytes="$(stat -c %s "$tmp/canonical")" -v sr="$v_small_rows" -v srss="$v_small_rss" \
    -v rss="$v_rss" -v gs="$gen_small" -v gr="$gen_rest" 'BEGIN {
  printf "%-58s %14s %14s %8s\n", "measure", "lumen", "reference", "ratio"
  printf "%-58s %11.2f ms %11.2f ms %7.2fx\n", "a guess: login + attempt_result  vs  two api.me calls",
         guess / n, ref / n, guess / ref
  vps = vr / (vms / 1000); sps = vr / (sha / 1000)
  printf "%-58s %10.0f r/s %10.0f r/s %7.2fx\n", "audit verify rows/s  vs  sha256sum of the canonical bytes",
         vps, sps, vps / sps
  printf "%-58s %10d KiB %10d KiB %7.2fx\n", sprintf("verify peak RSS at %d rows  vs  at %d rows", vr, sr),
         rss, srss, rss / srss
  printf "\n%d rows (%.1f MB canonical) generated and sealed in %.1f s; verify %.1f s\n",
         vr, bytes / 1e6, (gs + gr) / 1000, vms / 1000
}'

if [ "${BENCH:-all}" = all ]; then
  sh scripts/pgcluster.sh destroy "$pgdir" >/dev/null 2>&1    # its memory back first
  echo
  sh tests/bench/leads.sh
fi
