#!/bin/sh
# make bench, the audit part (run by tests/bench/run.sh; alone:
# BENCH=audit make bench, or sh tests/bench/audit.sh after make).  Ratios
# measured in the same run on a throwaway cluster of its own
# (build/benchpg-audit), never a timed assertion; not part of make check.
# At the default size, on 2 shared cores: about 25 minutes generating,
# 15 verifying, 10 for the rest.  Every file it writes (a few GB at 10M
# rows) is in a temporary folder removed at the end.
#
# Data: db/demo/demo.sql (practices and accounts), then BENCH_AUDIT_ROWS
# (default 10000000) audit rows of Bright Smile Dental over the last 395
# days, inserted in bulk and chained set-wise by tests/bench/audit_gen.sql
# (its head says how; the chain is checked by lumen audit verify), in two
# steps: the oldest tenth, verified, then the rest.
#
#   0. a guess (api.login, then api.attempt_result in its own transaction,
#      which creates the session) vs two api.me calls: what the two-phase
#      sign-in protocol costs, before Argon2id.
#   a. a page of the audit viewer through the api (api.audit_page with a
#      grant of api.audit_open, 101 rows newest first, as the TUI asks) vs
#      the bare indexed query as the superuser (the same columns of
#      audit.audit_log, the same range, keyset WHERE, ORDER BY and LIMIT;
#      EXPLAINed, the index named): first and next page of the last 30 days,
#      unfiltered and filtered by actor (actor:admin@brightsmile.test, as
#      typed in the viewer).  The api's own page query is EXPLAINed too
#      (as tests/db/101 does, under the practice's row-level security).
#      pgbench -M prepared, one client, BENCH_SECS (default 3) a run, api and
#      bare taking turns for BENCH_ROUNDS (default 3) rounds; the best
#      average latency of each side is kept (the machine is shared).  Then
#      the filtered first page once more with track_functions on: each
#      function's own time per call.  Goal <= 2x.
#   b. lumen audit export (the binary, --from/--to over the last
#      BENCH_EXPORT_DAYS days, default 30, of the practice's calendar) rows/s
#      vs psql's \copy of the same rows and columns as CSV, each writing a
#      file; best of BENCH_XROUNDS (default 2).  The sign-in's cost
#      (Argon2id) is lumen whoami's time, reported apart and subtracted in a
#      second line.  Goal >= 0.95x.
#   c. lumen audit verify rows/s over the whole chain vs sha256sum over the
#      same rows' canonical bytes written to a file (one line a row).  Goal
#      >= 0.5x.  For the cause when it misses: how fast psql alone reads
#      what verify reads (api.audit_chain's columns, the bare join, COPY).
#   d. peak RSS of lumen audit verify (/usr/bin/time) at a tenth of the rows
#      and at all of them.  Goal: flat (it streams by pages; Argon2id's
#      64 MiB during the sign-in is most of it).
set -eu
top=$(pwd)
rows=${BENCH_AUDIT_ROWS:-10000000}
small=$((rows / 10))
secs=${BENCH_SECS:-3}
rounds=${BENCH_ROUNDS:-3}
xdays=${BENCH_EXPORT_DAYS:-30}
pgdir=$top/build/benchpg-audit
tmp=$(mktemp -d)
BSD=a1000000-0000-4000-8000-000000000001
ADMIN=admin@brightsmile.test
t_start=$(date +%s)

sh scripts/pgcluster.sh destroy "$pgdir" >/dev/null 2>&1 || true
sh scripts/pgcluster.sh start "$pgdir" --throwaway >/dev/null
trap 'sh "$top/scripts/pgcluster.sh" destroy "$pgdir" >/dev/null 2>&1; rm -rf "$tmp"' EXIT
trap 'exit 130' INT TERM
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
say() { printf '%s\n' "$*" >&2; }
iso() { echo "to_char(($1) AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.US\"Z\"')"; }  # SQL: UTC, no space
min() { if [ -z "$1" ] || awk -v a="$1" -v b="$2" 'BEGIN { exit !(b < a) }'; then echo "$2"; else echo "$1"; fi; }
# Fewer checkpoints while a few GB go in (the cluster is thrown away).
su "ALTER SYSTEM SET max_wal_size = '16GB'" >/dev/null
su "ALTER SYSTEM SET checkpoint_timeout = '1h'" >/dev/null
su "SELECT pg_reload_conf()" >/dev/null
K=$(awk -v e="$ADMIN" '$1 == e { print $3 }' db/demo/README-kdf.txt)

# ---------------------------------------------------------- 0. a guess
n=300
{
  echo "SELECT api.login('$ADMIN', '\\x$K', '{}') AS id \\gset"
  echo "SELECT token AS tok FROM api.attempt_result(:'id') \\gset"
} > "$tmp/head.sql"
{ cat "$tmp/head.sql"; i=0; while [ $i -lt $n ]; do
    echo "SELECT api.login('$ADMIN', '\\x$K', '{}') AS id \\gset"
    echo "SELECT status FROM api.attempt_result(:'id') \\gset"; i=$((i + 1)); done; } > "$tmp/guess.sql"
{ cat "$tmp/head.sql"; i=0; while [ $i -lt $n ]; do
    echo "SELECT role FROM api.me(:'tok') \\gset"
    echo "SELECT role FROM api.me(:'tok') \\gset"; i=$((i + 1)); done; } > "$tmp/ref.sql"
run_sql() { s=$(ms); psql -X -q -U lumen_client -f "$1" >/dev/null; echo $(( $(ms) - s )); }
run_sql "$tmp/ref.sql" >/dev/null                       # warm up
ref=$(run_sql "$tmp/ref.sql"); guess=$(run_sql "$tmp/guess.sql")

# ------------------------------------------------- the rows, chained
# Row g of 1 .. rows is at t0 + (g - 1 + jitter) * span / rows: the last
# one a few minutes ago.
t0=$(su "SELECT to_char((now() - interval '395 days') AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"')")
gen() {  # gen STEP [psql options] -> ms
  s=$(ms); step=$1; shift
  psql -X -q -v ON_ERROR_STOP=1 -v step="$step" -v bsd="$BSD" -v t0="$t0" \
    -v span='394 days 23 hours 50 minutes' -v n="$rows" "$@" -f tests/bench/audit_gen.sql >/dev/null
  echo $(( $(ms) - s ))
}
verify() {  # verify -> "ms rss_kib rows"; the output in $tmp/verify.out
  rm -rf "$tmp/state"
  s=$(ms)
  printf 'lumen-demo-2026\n' | XDG_STATE_HOME=$tmp/state /usr/bin/time -f '%M' -o "$tmp/rss" \
    ./lumen --config "$conf" audit verify --email "$ADMIN" --password-stdin > "$tmp/verify.out" 2>&1 ||
    { say "audit: lumen audit verify failed:"; cat "$tmp/verify.out" >&2; exit 1; }
  e=$(ms)
  echo "$(( e - s )) $(tail -n 1 "$tmp/rss") $(sed -n 's/.*: \([0-9]*\) rows checked.*/\1/p' "$tmp/verify.out")"
}
say "audit: generating $rows rows (the first $small, verified, then the rest)..."
g_prep=$(gen prepare)
g_rows1=$(gen rows -v lo=1 -v hi="$small")
g_chain1=$(gen chain)
g_an1=$(gen analyze)
# The set-wise chain's bytes against audit.canonical's, on 2,000 rows.
bad=$(su "SELECT count(*) FROM bench.canonical_rows c JOIN audit.audit_log a ON a.id = c.id
          WHERE c.id IN (SELECT 1 + (random() * (SELECT max(id) - 1 FROM audit.audit_log))::bigint
                         FROM generate_series(1, 2000))
            AND c.canonical IS DISTINCT FROM audit.canonical(a)")
[ "$bad" = 0 ] || { say "audit: bench.canonical_rows differs from audit.canonical on $bad rows"; exit 1; }
say "audit: verifying the first $small..."
set -- $(verify); v_small_ms=$1; v_small_rss=$2; v_small_rows=$3
g_rows2=$(gen rows -v lo=$((small + 1)) -v hi="$rows")
g_chain2=$(gen chain)
g_idx=$(gen indexes)
gen_ms=$((g_prep + g_rows1 + g_chain1 + g_an1 + g_rows2 + g_chain2 + g_idx))
sizes=$(su "SELECT pg_total_relation_size('audit.audit_log') / 1000000, pg_total_relation_size('audit.audit_chain') / 1000000" | tr '|' ' ')
say "audit: generated in $((gen_ms / 1000)) s; verifying all of them..."

# ----------------------------------------------- c, d. verify, sha256sum
set -- $(verify); v_ms=$1; v_rss=$2; v_rows=$3
verify_line=$(tail -n 1 "$tmp/verify.out")
# The reference: the canonical bytes of the same rows in chain order, one
# line each, written to a file (bench.canonical_rows, checked above).
say "audit: writing the canonical bytes for sha256sum..."
canon_rows=$(su "SELECT count(*) FROM audit.audit_chain WHERE practice_id = '$BSD'")
psql -X -q -At -v ON_ERROR_STOP=1 -v FETCH_COUNT=20000 -c "
  SELECT convert_from(c.canonical, 'UTF8') FROM audit.audit_chain l
  JOIN bench.canonical_rows c ON c.id = l.audit_id
  WHERE l.practice_id = '$BSD' ORDER BY l.seq" > "$tmp/canonical"
canon_bytes=$(stat -c %s "$tmp/canonical")
sha=""; for r in 1 2; do s=$(ms); sha256sum "$tmp/canonical" >/dev/null; sha=$(min "$sha" $(( $(ms) - s ))); done
[ "$sha" -gt 0 ] || sha=1
rm -f "$tmp/canonical"
# What verify reads, read by psql alone: api.audit_chain's columns, the
# same join, in one COPY.
s=$(ms)
psql -X -q -v ON_ERROR_STOP=1 -c "COPY (
  SELECT l.seq, encode(l.prev_hash, 'hex'), encode(l.hash, 'hex'), a.id IS NOT NULL, l.audit_id::text,
         to_char(a.at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.US\"Z\"'),
         a.practice_id::text, a.actor_id::text, a.actor_email, a.session_id::text, a.action,
         a.target_type, a.target_id, a.outcome,
         CASE WHEN a.server_addr IS NOT NULL THEN format('%s', a.server_addr) END,
         a.reported_origin, a.detail::text
  FROM audit.audit_chain l LEFT JOIN audit.audit_log a ON a.id = l.audit_id
  WHERE l.practice_id = '$BSD' ORDER BY l.seq) TO STDOUT" > "$tmp/chainread"
chainread_ms=$(( $(ms) - s ))
chainread_rows=$(wc -l < "$tmp/chainread")
rm -f "$tmp/chainread"

# ------------------------------------------------ a. pages: api vs bare
say "audit: timing pages (pgbench, ${secs}s x 2 sides x $rounds rounds x 4 cases)..."
{
  cat "$tmp/head.sql"
  echo "SELECT from_at AS f, to_at AS t, $(iso from_at) AS f_iso, $(iso to_at) AS t_iso"
  echo "  FROM api.audit_range(:'tok', 'last30') \\gset"
  echo "SELECT api.audit_open(:'tok', :'f', :'t', '{}') AS g_all \\gset"
  echo "SELECT api.audit_open(:'tok', :'f', :'t', '{\"actor\": \"$ADMIN\"}') AS g_actor \\gset"
  printf '%s\n' '\echo :tok :g_all :g_actor :f_iso :t_iso'
} > "$tmp/signin.sql"
set -- $(psql -X -q -At -v ON_ERROR_STOP=1 -U lumen_client -f "$tmp/signin.sql")
tok=$1; g_all=$2; g_actor=$3; from=$4; to=$5
# The key of the 100th row of each first page: the next page is "after" it.
key_of() { psql -X -q -At -U lumen_client -c "SELECT key FROM api.audit_page('$tok', '$1', 'first', NULL, 101)
                                             OFFSET 99 LIMIT 1"; }
key_all=$(key_of "$g_all"); key_actor=$(key_of "$g_actor")
COLS="a.id, a.at, a.actor_email, a.action, a.target_type, a.target_id, a.outcome, a.reported_origin, a.server_addr"
W="a.practice_id = '$BSD' AND a.at >= :from::timestamptz AND a.at < :to::timestamptz"
ORD="ORDER BY a.at DESC, a.id DESC LIMIT 101"
# name|filter json|grant var|key var|api call|bare query; :from :to :key_*
# :ts_* :id_* are pgbench variables (-D).
cat > "$tmp/cases" <<EOF
last 30 days, first page|{}|g_all||SELECT * FROM api.audit_page(:tok, :g_all, 'first', NULL, 101)|SELECT $COLS FROM audit.audit_log a WHERE $W $ORD
last 30 days, next page|{}|g_all|all|SELECT * FROM api.audit_page(:tok, :g_all, 'after', :key_all, 101)|SELECT $COLS FROM audit.audit_log a WHERE $W AND (a.at, a.id) < (:ts_all::timestamptz, :id_all::bigint) $ORD
actor, first page|{"actor": "$ADMIN"}|g_actor||SELECT * FROM api.audit_page(:tok, :g_actor, 'first', NULL, 101)|SELECT $COLS FROM audit.audit_log a WHERE $W AND a.actor_email = '$ADMIN' $ORD
actor, next page|{"actor": "$ADMIN"}|g_actor|actor|SELECT * FROM api.audit_page(:tok, :g_actor, 'after', :key_actor, 101)|SELECT $COLS FROM audit.audit_log a WHERE $W AND a.actor_email = '$ADMIN' AND (a.at, a.id) < (:ts_actor::timestamptz, :id_actor::bigint) $ORD
EOF
ts_all=${key_all%|*}; id_all=${key_all##*|}; ts_actor=${key_actor%|*}; id_actor=${key_actor##*|}
pb() {  # pb USER SCRIPT -> average latency in ms
  pgbench -n -M prepared -c 1 -T "$secs" -U "$1" -f "$2" -D tok="$tok" -D g_all="$g_all" \
    -D g_actor="$g_actor" -D from="$from" -D to="$to" -D key_all="$key_all" \
    -D key_actor="$key_actor" -D ts_all="$ts_all" -D id_all="$id_all" -D ts_actor="$ts_actor" \
    -D id_actor="$id_actor" bench 2>&1 | sed -n 's/^latency average = \([0-9.]*\) ms$/\1/p'
}
subst() {  # the pgbench variables of stdin put in as literals
  sed "s/:tok/'$tok'/; s/:g_all/'$g_all'/; s/:g_actor/'$g_actor'/; s/:key_all/'$key_all'/;
       s/:key_actor/'$key_actor'/; s/:from/'$from'/; s/:to/'$to'/; s/:ts_all/'$ts_all'/;
       s/:id_all/$id_all/; s/:ts_actor/'$ts_actor'/; s/:id_actor/$id_actor/"
}
scans() {  # EXPLAIN output on stdin -> its scans, "Index Scan Backward audit_log_at+..."
  sed -n 's/^ *\(->  \)\{0,1\}\(Parallel \)\{0,1\}\(Index Scan\|Index Only Scan\|Bitmap Index Scan\|Seq Scan\)\( Backward\)\{0,1\}\( using\| on\)* \([a-z_]*\).*/\2\3\4 \6/p' |
    paste -sd+ -
}
# The plan of the api's page query as audit_page runs it: the text of
# lumen.audit_page_sql EXPLAINed as lumen_owner under the practice's
# row-level security, with the values of the call (as tests/db/101 does).
cat > "$tmp/api_plan.sql" <<'EOF'
CREATE FUNCTION pg_temp.api_plan(p_filter jsonb, p_from text, p_key text, p_lo timestamptz,
                                 p_hi timestamptz) RETURNS SETOF text
LANGUAGE plpgsql AS $$
DECLARE
  f record;
  m text[] := regexp_match(p_key, '^(.*)\|([0-9]+)$');
BEGIN
  SELECT * INTO f FROM lumen.audit_filter(p_filter, 'a1000000-0000-4000-8000-000000000001');
  EXECUTE 'SET LOCAL ROLE lumen_owner';
  PERFORM set_config('lumen.practice_id', 'a1000000-0000-4000-8000-000000000001', true);
  RETURN QUERY EXECUTE 'EXPLAIN (COSTS OFF) ' || lumen.audit_page_sql(p_from, f.w_split, f.split, f.nsplit)
    USING 'a1000000-0000-4000-8000-000000000001'::uuid, p_lo, p_hi,
          f.actor_ids, f.actor_emails, f.actions, f.outcomes, f.not_actor_id, f.not_actor_like,
          f.not_action, f.not_action_prefix, f.target_type, f.target_id, f.not_target_type,
          f.not_target_id, f.q_like, m[1]::timestamptz, m[2]::bigint, 101;
END
$$;
SELECT * FROM pg_temp.api_plan(:'filter', :'from', :'key', :'lo', :'hi');
EOF
i=0
: > "$tmp/pages"
while IFS='|' read -r name filter gvar kvar api bare; do
  i=$((i + 1))
  echo "$api;" > "$tmp/api$i.sql"
  echo "$bare;" > "$tmp/bare$i.sql"
  key=""; mode=first
  case $kvar in all) key=$key_all; mode=after ;; actor) key=$key_actor; mode=after ;; esac
  plan=$(subst < "$tmp/bare$i.sql" | { printf 'EXPLAIN (COSTS OFF) '; cat; } | psql -X -q -At -f - | scans)
  plan_api=$(psql -X -q -At -v filter="$filter" -v from="$mode" -v key="${key:-2000-01-01T00:00:00.000000Z|0}" \
             -v lo="$from" -v hi="$to" -f "$tmp/api_plan.sql" | scans)
  pb lumen_client "$tmp/api$i.sql" >/dev/null; pb postgres "$tmp/bare$i.sql" >/dev/null  # warm
  a=""; b=""; r=0
  while [ $r -lt "$rounds" ]; do
    a=$(min "$a" "$(pb lumen_client "$tmp/api$i.sql")")
    b=$(min "$b" "$(pb postgres "$tmp/bare$i.sql")")
    r=$((r + 1))
  done
  n_api=$(psql -X -q -At -U lumen_client -c "SELECT count(*) FROM ($(subst < "$tmp/api$i.sql" | tr -d ';')) x")
  n_bare=$(psql -X -q -At -c "SELECT count(*) FROM ($(subst < "$tmp/bare$i.sql" | tr -d ';')) x")
  printf '%s|%s|%s|%s|%s|%s|%s\n' "$name" "$a" "$b" "$plan" "$n_api" "$n_bare" "$plan_api" >> "$tmp/pages"
done < "$tmp/cases"
n30=$(su "SELECT count(*) FROM audit.audit_log WHERE practice_id = '$BSD' AND at >= '$from' AND at < '$to'")

# Where an api page's time goes: the filtered first page again with
# track_functions on (its own run, not in the table), per call: each
# function's own time.
su "ALTER ROLE lumen_client SET track_functions = 'all'" >/dev/null
su "SELECT pg_stat_reset()" >/dev/null
pb lumen_client "$tmp/api3.sql" >/dev/null
su "ALTER ROLE lumen_client RESET track_functions" >/dev/null
sleep 1
su "SELECT string_agg(format('%s %s', f.funcname, round((f.self_time / f.calls)::numeric, 3)), ', '
           ORDER BY f.self_time DESC)
    FROM pg_stat_user_functions f WHERE f.calls > 0 AND f.self_time / f.calls >= 0.005" > "$tmp/breakdown"
su "SELECT round((total_time / calls)::numeric, 3) FROM pg_stat_user_functions
    WHERE schemaname = 'api' AND funcname = 'audit_page'" > "$tmp/breakdown_total"

# --------------------------------------- b. lumen audit export vs \copy
TZ_BSD=$(su "SELECT timezone FROM lumen.practices WHERE id = '$BSD'")
x_to=$(su "SELECT (now() AT TIME ZONE '$TZ_BSD')::date")
x_from=$(su "SELECT (now() AT TIME ZONE '$TZ_BSD')::date - $((xdays - 1))")
set -- $(psql -X -q -At -F ' ' -U lumen_client -c "SELECT $(iso from_at), $(iso to_at)
                                                      FROM api.audit_range('$tok', 'custom', '$x_from', '$x_to')")
x_lo=$1; x_hi=$2
X_Q="SELECT id, at, actor_email, action, target_type, target_id, outcome, server_addr, reported_origin,
            session_id, detail FROM audit.audit_log
     WHERE practice_id = '$BSD' AND at >= '$x_lo' AND at < '$x_hi' ORDER BY id"
lumen_in() {  # lumen_in ARGS...: the binary, signed in as the Admin by stdin
  rm -rf "$tmp/state"
  printf 'lumen-demo-2026\n' | XDG_STATE_HOME=$tmp/state ./lumen --config "$conf" "$@" \
    --email "$ADMIN" --password-stdin
}
say "audit: timing lumen audit export and psql's \\copy ($x_from .. $x_to)..."
lumen_in whoami >/dev/null                                         # warm
whoami=""; for r in 1 2 3; do
  s=$(ms); lumen_in whoami >/dev/null; whoami=$(min "$whoami" $(( $(ms) - s )))
done
x_ms=""; c_ms=""; x_fail=""; r=0
while [ $r -lt "${BENCH_XROUNDS:-2}" ]; do
  rm -f "$tmp/export.csv" "$tmp/export.csv.chain" "$tmp/copy.csv"
  s=$(ms); ok=1
  lumen_in audit export --from "$x_from" --to "$x_to" --out "$tmp/export.csv" >/dev/null 2>"$tmp/xerr" || ok=0
  e=$(( $(ms) - s ))
  if [ $ok = 1 ]; then
    x_ms=$(min "$x_ms" "$e")
    x_rows=$(grep -c '^[0-9]*,' "$tmp/export.csv" || true); x_bytes=$(stat -c %s "$tmp/export.csv")
  else
    x_fail="$x_fail$(head -c 120 "$tmp/xerr" | tr '\n' ' ')after $((e / 1000)) s; "
  fi
  s=$(ms)
  PGOPTIONS="-c TimeZone=$TZ_BSD" psql -X -q -v ON_ERROR_STOP=1 -c "\\copy ($(echo $X_Q)) to stdout csv" \
    > "$tmp/copy.csv"
  c_ms=$(min "$c_ms" $(( $(ms) - s )))
  c_rows=$(grep -c '^[0-9]*,' "$tmp/copy.csv" || true); c_bytes=$(stat -c %s "$tmp/copy.csv")
  r=$((r + 1))
done
rm -f "$tmp/export.csv" "$tmp/export.csv.chain" "$tmp/copy.csv"

# ------------------------------------------------------------- the table
t_total=$(( $(date +%s) - t_start ))
awk -F'|' -v n="$n" -v ref="$ref" -v guess="$guess" \
    -v vr="$v_rows" -v vms="$v_ms" -v sha="$sha" -v cbytes="$canon_bytes" -v crows="$canon_rows" \
    -v sr="$v_small_rows" -v sms="$v_small_ms" -v srss="$v_small_rss" -v rss="$v_rss" \
    -v chr_ms="$chainread_ms" -v chr_rows="$chainread_rows" -v vline="$verify_line" \
    -v x_ms="${x_ms:-0}" -v c_ms="$c_ms" -v x_rows="${x_rows:-0}" -v c_rows="$c_rows" \
    -v x_bytes="${x_bytes:-0}" -v c_bytes="$c_bytes" -v whoami="$whoami" -v x_fail="$x_fail" \
    -v x_from="$x_from" -v x_to="$x_to" -v tz="$TZ_BSD" -v n30="$n30" \
    -v rows="$rows" -v gen_ms="$gen_ms" -v g_rows="$((g_rows1 + g_rows2))" \
    -v g_chain="$((g_chain1 + g_chain2))" -v g_idx="$g_idx" -v g_other="$((g_prep + g_an1))" \
    -v sizes="$sizes" -v total="$t_total" -v secs="$secs" -v rounds="$rounds" \
    -v breakdown="$(cat "$tmp/breakdown")" -v bd_total="$(cat "$tmp/breakdown_total")" '
function verdict(ok) { return ok ? "ok" : "MISSED" }
{ name[NR] = $1; api[NR] = $2; bare[NR] = $3; plan[NR] = $4; napi[NR] = $5; nbare[NR] = $6; aplan[NR] = $7 }
END {
  split(sizes, sz, " ")
  printf "\n%-56s %13s %13s %8s  %s\n", "measure (audit log, " vr " rows)", "lumen", "reference", "ratio", "goal"
  printf "%-56s %10.2f ms %10.2f ms %7.2fx\n", "a guess: login + attempt_result  vs  two api.me calls",
         guess / n, ref / n, guess / ref
  for (i = 1; i <= NR; i++)
    printf "%-56s %10.3f ms %10.3f ms %7.2fx  <= 2x %s\n", "page: " name[i] "  api vs bare",
           api[i], bare[i], api[i] / bare[i], verdict(api[i] / bare[i] <= 2)
  cr = c_rows / (c_ms / 1000)
  if (x_ms == 0) {
    printf "%-56s %13s %9.0f r/s %8s  >= 0.95x MISSED\n", "audit export rows/s  vs  psql \\copy csv", "failed", cr, "-"
  } else {
    xr = x_rows / (x_ms / 1000); xs = x_rows / ((x_ms - whoami) / 1000)
    printf "%-56s %9.0f r/s %9.0f r/s %7.2fx  >= 0.95x %s\n", "audit export rows/s  vs  psql \\copy csv",
           xr, cr, xr / cr, verdict(xr / cr >= 0.95)
    printf "%-56s %9.0f r/s %9.0f r/s %7.2fx  >= 0.95x %s\n", "  the same, the sign-in (lumen whoami) subtracted",
           xs, cr, xs / cr, verdict(xs / cr >= 0.95)
  }
  vps = vr / (vms / 1000); sps = crows / (sha / 1000)
  printf "%-56s %9.0f r/s %9.0f r/s %7.3fx  >= 0.5x %s\n", "audit verify rows/s  vs  sha256sum of the canonical bytes",
         vps, sps, vps / sps, verdict(vps / sps >= 0.5)
  rps = chr_rows / (chr_ms / 1000)
  printf "%-56s %9.0f r/s %9.0f r/s %7.2fx\n", "  verify  vs  psql reading what verify reads (one COPY)",
         vps, rps, vps / rps
  printf "%-56s %9d KiB %9d KiB %7.2fx  flat %s\n", sprintf("verify peak RSS at %d rows  vs  at %d rows", vr, sr),
         rss, srss, rss / srss, verdict(rss - srss <= 2048)
  printf "\npages: the last 30 days hold %d rows; pgbench -M prepared, 1 client, best of %d runs of %d s a side;\n", n30, rounds, secs
  printf "  plans (the api page query under RLS | bare), rows (api, bare):\n"
  for (i = 1; i <= NR; i++)
    printf "  %-26s %3d %3d  api: %s | bare: %s\n", name[i], napi[i], nbare[i], aplan[i], plan[i]
  printf "api actor first page with track_functions: %s ms a call; own time a call (ms): %s\n", bd_total, breakdown
  printf "export %s .. %s (%s): %d rows in %.2f s, the sign-in %.2f s of it, vs \\copy %d rows in %.2f s; %.1f vs %.1f MB\n",
         x_from, x_to, tz, x_rows, x_ms / 1000, whoami / 1000, c_rows, c_ms / 1000, x_bytes / 1e6, c_bytes / 1e6
  if (x_fail != "") printf "  the export FAILED: %s\n", x_fail
  printf "verify: %d rows in %.1f s (%d in %.1f s); sha256sum %.2f s over %d rows, %.0f MB;\n",
         vr, vms / 1000, sr, sms / 1000, sha / 1000, crows, cbytes / 1e6
  printf "  psql read the %d links verify reads in %.1f s; verify said: %s\n", chr_rows, chr_ms / 1000, vline
  printf "\n%d rows generated and chained in %.1f s (rows %.1f s, chain %.1f s, indexes and vacuum %.1f s, other %.1f s);\n",
         rows, gen_ms / 1000, g_rows / 1000, g_chain / 1000, g_idx / 1000, g_other / 1000
  printf "  audit_log %d MB, audit_chain %d MB with their indexes; the whole run %d s\n", sz[1], sz[2], total
}' "$tmp/pages"
