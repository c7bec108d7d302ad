#!/bin/sh
# make bench, the sign-out-everywhere part (run by tests/bench/run.sh;
# alone: BENCH=revoke make bench, or sh tests/bench/revoke.sh after make).
# Measured on a throwaway cluster of its own (build/benchpg-revoke), never a
# timed assertion; not part of make check.  About 4 minutes: 20 tries a
# mode (each a sign-in with Argon2id, a random wait and the wake-up), then
# one idle minute a mode.
#
# Data: db/demo/demo.sql (practices and accounts).  The watching client is
# the real ./lumen in tmux (80x24, the e2e tests' tests/e2e/lib.sh), signed
# in as admin@brightsmile.test at home.  The signing-out side is a stand-in
# for the Security tab's "All sessions, this one included": psql as
# lumen_client signs in (api.login with the demo K of db/demo/README-kdf.txt,
# then api.attempt_result: a fresh sign-in is the step-up
# sessions_revoke_all needs), calls api.sessions_revoke_all(token, true) in
# autocommit (the SQL client/api_security.c sends), and its next statement
# reads clock_timestamp(): t0, right after the commit that sends the NOTIFY
# (a second client driven by keys would add its confirm, its step-up check
# and its own round trips to t0, less precisely), then reads the
# attempt's outcome as the client does.
#
#   a. latency: from t0 to t1, the end of the first `tmux capture-pane` that
#      shows "Sign in to Lumen" (tests/bench/revoke_poll.pl, a capture every
#      BENCH_CAPTURE_MS, default 10; each try's resolution, the time since
#      the last capture without it began, is reported).  BENCH_REVOKE_TRIES
#      (default 20) tries a mode, the watcher signed in again after each and
#      left at home for a random 0.3 to 1.3 s first (so a try falls anywhere
#      in the poll's second).  Two modes: LISTEN (the default config: the
#      client LISTENs on lumen_account_<id>) and the poll fallback
#      ([database] pooler = transaction in the watcher's config: no LISTEN,
#      api.session_state every WAKE_POLL_MS of screens/wake.c).  Median and
#      worst of each; goal: both under 1 s (issue 10).  Each try also checks
#      that the sign-in screen says why ("signed out everywhere").
#   b. idle cost: the watcher signed in at home, untouched, for
#      BENCH_IDLE_SECS (default 60) in each mode: api.session_state calls per
#      minute, counted twice: from the server log (log_statement = all,
#      lines of lumen_client in that stretch of the log; parameters not
#      logged) and from pg_stat_user_functions (track_functions = pl; the
#      backends flush it about once a second, so +-1 at each end).  Also
#      every api.* call of the client in that minute, from the log.
set -eu
top=$(pwd)
tries=${BENCH_REVOKE_TRIES:-20}
idle_secs=${BENCH_IDLE_SECS:-60}
capture_ms=${BENCH_CAPTURE_MS:-10}
pgdir=$top/build/benchpg-revoke
tmp=$(mktemp -d)
t_start=$(date +%s)

# tmux helpers (e2e_start, e2e_keys, e2e_wait_for ...) of the e2e tests.
LUMEN_BIN=$top/lumen
. "$top/tests/e2e/lib.sh"
cleanup() {
  e2e_cleanup
  sh "$top/scripts/pgcluster.sh" destroy "$pgdir" >/dev/null 2>&1
  rm -rf "$tmp"
}
[ -x "$LUMEN_BIN" ] || { echo "revoke: no ./lumen (make first)" >&2; exit 1; }
sh scripts/pgcluster.sh destroy "$pgdir" >/dev/null 2>&1 || true
sh scripts/pgcluster.sh start "$pgdir" --throwaway >/dev/null
trap cleanup EXIT
trap 'exit 130' INT TERM
PGHOST=$(sh scripts/pgcluster.sh host "$pgdir"); PGUSER=postgres; PGDATABASE=bench
export PGHOST PGUSER PGDATABASE
log=$pgdir/postgres.log
# The watcher's two configs: the default (LISTEN), and behind a transaction
# pooler (the poll).
printf '[database]\nhost = %s\ndbname = bench\nuser = lumen_client\n%b[migrate]\nuser = postgres\n' \
  "$PGHOST" "" > "$tmp/listen.conf"
printf '[database]\nhost = %s\ndbname = bench\nuser = lumen_client\n%b[migrate]\nuser = postgres\n' \
  "$PGHOST" 'pooler = transaction\n' > "$tmp/poll.conf"
chmod 600 "$tmp/listen.conf" "$tmp/poll.conf"
createdb bench
./lumen db migrate --config "$tmp/listen.conf" >/dev/null
psql -X -q -v ON_ERROR_STOP=1 -1 -f db/demo/demo.sql >/dev/null
ms() { date +%s%N | cut -c1-13; }
su() { psql -X -q -At -v ON_ERROR_STOP=1 -c "$1"; }
say() { printf '%s\n' "$*" >&2; }
K=$(awk '$1 == "admin@brightsmile.test" { print $3 }' db/demo/README-kdf.txt)

# Every statement in the log, with its user, without its parameters (the
# tokens); function calls counted.  From here on: the migration and the
# demo data are not in the counts.
su "ALTER SYSTEM SET log_statement = 'all'" >/dev/null
su "ALTER SYSTEM SET log_parameter_max_length = 0" >/dev/null
su "ALTER SYSTEM SET log_line_prefix = '%n [%p] %u '" >/dev/null
su "ALTER SYSTEM SET track_functions = 'pl'" >/dev/null
su "SELECT pg_reload_conf()" >/dev/null
sleep 1

# The stand-in's sign-out everywhere: t0, the status and how many sessions
# it ended.
{
  echo "SELECT api.login('admin@brightsmile.test', '\\x$K', '{}') AS lid \\gset"
  echo "SELECT token AS tok FROM api.attempt_result(:'lid') \\gset"
  echo "SELECT api.sessions_revoke_all(:'tok', true) AS aid \\gset"
  echo "SELECT round(extract(epoch FROM clock_timestamp()) * 1000, 1) AS t0 \\gset"
  echo "SELECT status, affected FROM api.attempt_result(:'aid') \\gset"
  printf '%s\n' '\echo :t0 :status :affected'
} > "$tmp/revoke.sql"

# 0.3 to 1.3 s, at random.
jitter() { awk -v r="$(od -An -N2 -tu2 /dev/urandom)" 'BEGIN { printf "%.3f", 0.3 + r / 65536 }'; }
fail() { say "revoke: $*; the screen:"; e2e_screen >&2; exit 1; }

# session_state and api calls of lumen_client in the log between two byte
# offsets: "STATE_CALLS API_CALLS".
log_counts() {
  tail -c +$(($1 + 1)) "$log" | head -c $(($2 - $1)) |
    awk '/ lumen_client LOG: +(statement|execute [^:]*):/ {
           if (index($0, "api.session_state(")) s++
           if ($0 ~ /api\.[a-z_]+\(/) a++
         } END { print s + 0, a + 0 }'
}
fn_calls() {
  su "SELECT coalesce(sum(calls), 0) FROM pg_stat_user_functions
      WHERE schemaname = 'api' AND funcname = 'session_state'"
}

# run_mode NAME CONF: the tries, then the idle minute; lines
# "NAME i t0 t1 gap captures status affected why asked" to $tmp/tries, and
# "NAME secs log_state log_api fn_state" to $tmp/idle.
run_mode() {
  name=$1; conf=$2
  say "revoke: $name: $tries tries..."
  e2e_start "env XDG_STATE_HOME=$tmp/state-$name XDG_CONFIG_HOME=$tmp/config $LUMEN_BIN --config $conf"
  e2e_sign_in admin@brightsmile.test || fail "no sign-in screen"
  e2e_wait_for "Welcome, Adam Admin" 30 || fail "sign-in failed"
  i=1
  while [ "$i" -le "$tries" ]; do
    sleep "$(jitter)"
    : > "$tmp/poll"
    perl "$top/tests/bench/revoke_poll.pl" "$E2E_SOCK" "$E2E_TMUXCONF" t "Sign in to Lumen" 10 \
      "$capture_ms" > "$tmp/poll" &
    pp=$!
    while [ ! -s "$tmp/poll" ]; do sleep 0.005; done
    b=$(wc -c < "$log")
    set -- $(psql -X -q -At -v ON_ERROR_STOP=1 -U lumen_client -f "$tmp/revoke.sql")
    t0=$1; status=$2; affected=$3
    wait "$pp" || true
    set -- $(tail -n 1 "$tmp/poll")
    [ "$1" != timeout ] && [ "$1" != ready ] || fail "try $i: not at sign-in 10 s after the sign-out"
    # When the watcher's api.session_state that found the session ended
    # reached the server: its log line's epoch (%n); the last such line
    # after the stand-in's sessions_revoke_all (once it learns, the watcher
    # asks no more; one asked before the commit saw it live).
    ask=$(tail -c +$((b + 1)) "$log" | awk '
      / lumen_client LOG: +(statement|execute [^:]*):/ {
        if (index($0, "api.sessions_revoke_all(")) seen = 1
        else if (seen && index($0, "api.session_state(")) last = $1 * 1000
      } END { if (last) printf "%.0f", last }')
    why=0
    e2e_screen | grep -q "signed out everywhere" && why=1
    echo "$name $i $t0 $1 $2 $3 $status $affected $why ${ask:-0}" >> "$tmp/tries"
    e2e_type "$E2E_PASSWORD"; e2e_keys Enter
    e2e_wait_for "Welcome, Adam Admin" 30 || fail "try $i: signing in again failed"
    i=$((i + 1))
  done
  say "revoke: $name: idle for ${idle_secs}s..."
  # pg_stat_user_functions: a backend that flushed less than a second ago
  # holds its counts for up to 10 s.
  sleep 11
  b0=$(wc -c < "$log"); f0=$(fn_calls); s=$(ms)
  sleep "$idle_secs"
  b1=$(wc -c < "$log"); f1=$(fn_calls); e=$(ms)
  e2e_screen | grep -q "Welcome, Adam Admin" || fail "the client left home while idle"
  echo "$name $(( e - s )) $(log_counts "$b0" "$b1") $(( f1 - f0 ))" >> "$tmp/idle"
  e2e_stop
}

: > "$tmp/tries"; : > "$tmp/idle"
run_mode listen "$tmp/listen.conf"
run_mode poll "$tmp/poll.conf"

# ------------------------------------------------------------- the tables
t_total=$(( $(date +%s) - t_start ))
awk -v tries="$tries" -v capture_ms="$capture_ms" -v total="$t_total" -v idle="$tmp/idle" '
function verdict(ok) { return ok ? "ok" : "MISSED" }
function sorted_at(arr, n, k,   i, j, t, c) {       # the k-th smallest (1-based)
  for (i = 1; i <= n; i++) c[i] = arr[i]
  for (i = 2; i <= n; i++) { t = c[i]; for (j = i - 1; j >= 1 && c[j] > t; j--) c[j + 1] = c[j]; c[j + 1] = t }
  return c[k]
}
function median(arr, n) {
  return n % 2 ? sorted_at(arr, n, (n + 1) / 2) : (sorted_at(arr, n, n / 2) + sorted_at(arr, n, n / 2 + 1)) / 2
}
function r0(x) { x = sprintf("%.0f", x); return x == "-0" ? "0" : x }
function worst(arr, n,   i, w) { w = arr[1]; for (i = 2; i <= n; i++) if (arr[i] > w) w = arr[i]; return w }
{
  m = $1; k = ++cnt[m]
  lat[m, k] = $4 - $3; gap[m, k] = $5; caps[m, k] = $6
  if ($7 != "ok" || $8 < 1) bad[m] = bad[m] sprintf(" try %d: %s %s;", $2, $7, $8)
  if ($9 != 1) nowhy[m]++
  if ($10 != 0) { na[m]++; ask[m, na[m]] = $10 - $3; rest[m, na[m]] = $4 - $10 }
}
END {
  label["listen"] = "LISTEN (default config)"
  label["poll"] = "poll fallback (pooler = transaction)"
  printf "\n%-52s %9s %9s  %s\n", "sign out everywhere -> other client at sign-in", "median", "worst", "goal"
  for (mi = 1; mi <= 2; mi++) {
    m = mi == 1 ? "listen" : "poll"; n = cnt[m]
    if (!n) continue
    for (i = 1; i <= n; i++) { l[i] = lat[m, i]; g[i] = gap[m, i] }
    med = median(l, n); w = worst(l, n)
    printf "%-52s %6.0f ms %6.0f ms  < 1000 ms %s\n", sprintf("  %s, %d tries", label[m], n),
           med, w, verdict(med < 1000 && w < 1000)
    line = ""
    for (i = 1; i <= n; i++) line = line sprintf(" %.0f", l[i])
    printf "    every try (ms):%s\n", line
    printf "    resolution: a capture every %d ms asked; the gap around the change median %.0f ms, worst %.0f ms\n",
           capture_ms, median(g, n), worst(g, n)
    if (na[m]) {
      for (i = 1; i <= na[m]; i++) { a[i] = ask[m, i]; r[i] = rest[m, i] }
      printf "    where: t0 -> the watcher\047s api.session_state in the server log median %s ms, worst %s ms;\n",
             r0(median(a, na[m])), r0(worst(a, na[m]))
      printf "           from there -> the capture showing sign-in median %.0f ms, worst %.0f ms (%d tries)\n",
             median(r, na[m]), worst(r, na[m]), na[m]
    }
    if (nowhy[m]) printf "    %d tries did not say \"signed out everywhere\"\n", nowhy[m]
    if (bad[m] != "") printf "    the stand-in did not end a session:%s\n", bad[m]
  }
  printf "t0: right after api.sessions_revoke_all(token, true) committed (psql as lumen_client, its next\n"
  printf "statement\047s clock_timestamp()); t1: the end of the first tmux capture-pane showing \"Sign in to Lumen\".\n"
  printf "(t0 is read by the statement after the commit: a question sent at once can reach the server\n"
  printf "a millisecond or two before it, so \"where\" may start below 0.)\n"

  printf "\n%-52s %13s %13s %13s\n", sprintf("idle, at home (one client, %s)", "per minute"),
         "session_state", "(fn stats)", "all api.*"
  while ((getline ln < idle) > 0) {
    split(ln, f, " ")
    per = 60000 / f[2]
    printf "%-52s %13.1f %13.1f %13.1f\n", "  " label[f[1]], f[3] * per, f[5] * per, f[4] * per
    secs = f[2] / 1000
  }
  printf "session_state and all api.*: lumen_client\047s statements in the server log (log_statement = all)\n"
  printf "over %.0f s; (fn stats): pg_stat_user_functions calls (track_functions = pl), +-1 at each end.\n", secs
  printf "\nthe whole run %d s\n", total
}' "$tmp/tries"
