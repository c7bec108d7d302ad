#!/bin/sh
# lumen demo, as someone who installed the .deb runs it: no source tree,
# HOME and XDG_DATA_HOME of its own.  Without a terminal it makes the demo
# (a private cluster in $XDG_DATA_HOME/lumen/demo, migrated, the demo data,
# lumen.conf beside it) and prints the sign-ins; a demo sign-in then works
# with that config; a second run reuses it all; in a terminal Enter opens
# the sign-in screen on it; --stop stops it, --stop --reset deletes it.  As
# root (CI) the cluster runs as the user postgres, and when root's folder is
# closed to postgres its files go to /var/tmp; an ordinary user's cluster
# is theirs, in DIR/pg.  Every cluster this test starts is removed at exit,
# whatever happened.
. "$(dirname "$0")/lib.sh"
e2e_plan 21

tmp=$(mktemp -d)
export HOME="$tmp/home" XDG_DATA_HOME="$tmp/data"
mkdir -p "$HOME"
dir=$XDG_DATA_HOME/lumen/demo
conf=$dir/lumen.conf
other=$tmp/nobody/demo

# A cluster left running by a failed step: stop its postmaster, delete
# what it made under /var/tmp, then the rest.
kill_cluster() {
  _pg=$1/pg
  [ -e "$_pg" ] || return 0
  "$LUMEN_BIN" demo --stop --reset --dir "$1" >/dev/null 2>&1
  _pid=$(head -n 1 "$_pg/data/postmaster.pid" 2>/dev/null)
  [ -n "$_pid" ] && kill -INT "$_pid" 2>/dev/null && sleep 2
  _target=$(readlink "$_pg" 2>/dev/null)
  case $_target in /var/tmp/lumen-*) rm -rf "$_target" ;; esac
}
cleanup() {
  kill_cluster "$dir"
  kill_cluster "$other"
  rm -rf "$tmp"
  e2e_cleanup
}
trap cleanup EXIT
trap 'exit 1' INT TERM

out=$("$LUMEN_BIN" demo </dev/null 2>"$tmp/err"); rc=$?
e2e_ok '[ $rc = 0 ] && grep -q "^lumen demo: loading the demo data$" "$tmp/err" &&
        echo "$out" | grep -q "every password is  lumen-demo-2026" &&
        echo "$out" | grep -q "^lumen demo: not a terminal; run lumen --config $conf in one$"' \
  "without a terminal, lumen demo makes the demo, prints the sign-ins and exits 0"
[ $rc = 0 ] || { sed 's/^/# /' "$tmp/err"; echo "Bail out! no demo"; exit 1; }

codes=$(echo "$out" | grep -oE '[A-Z2-7]{5}-[A-Z2-7]{5}')
e2e_is "$codes" "$(grep -E '^[A-Z2-7]{5}-[A-Z2-7]{5}$' db/demo/recovery-codes.txt)" \
  "it prints the ten recovery codes of db/demo/recovery-codes.txt"
e2e_is "$(echo "$out" | sed -n '/^Lumen demo/,/^Keys:/p' | grep -v 'make demo\|lumen demo\|^Keys')" \
       "$(sh scripts/demo.sh </dev/null | sed -n '/^Lumen demo/,/^Keys:/p' | grep -v 'make demo\|lumen demo\|^Keys')" \
  "its sign-in text is that of make demo (scripts/demo.sh)"

e2e_is "$(stat -c %a "$conf") $("$LUMEN_BIN" config check --config "$conf" 2>&1)" "600 ok" \
  "it writes DIR/lumen.conf, mode 0600, which lumen accepts"

host=$(sed -n 's/^host = //p' "$conf")
su_sql() { psql -X -q -At -h "$host" -U postgres -d lumen -c "$1"; }
e2e_is "$(su_sql "SELECT current_setting('listen_addresses') || '|' || current_setting('unix_socket_permissions')")" \
  "|0700" "the cluster listens on its Unix socket only, for its owner alone"
e2e_is "$(su_sql "SELECT count(*) FROM lumen.practices")/$(su_sql "SELECT count(*) FROM lumen.accounts")" "2/4" \
  "the demo data is loaded: two practices, four accounts"

pid=$(head -n 1 "$dir/pg/data/postmaster.pid")
if [ "$(id -u)" = 0 ]; then
  e2e_is "$(ps -o user= -p "$pid") $(readlink "$dir/pg" | cut -c1-24)" "postgres /var/tmp/lumen-postgres-" \
    "as root, the server runs as postgres, its files under /var/tmp (root's folder is closed to it)"
else
  e2e_is "$(ps -o user= -p "$pid") $(stat -c %F "$dir/pg")" "$(id -un) directory" \
    "the server runs as the caller, its files in DIR/pg"
fi

# PID has ended (a zombie too: here init may not reap what it inherits).
gone() { ! [ -e "/proc/$1" ] || grep -q '^State:[[:space:]]*[ZX]' "/proc/$1/status" 2>/dev/null; }

whoami() {  # EMAIL: lumen whoami's output with the demo password, then rc=N
  printf 'lumen-demo-2026\n' |
    "$LUMEN_BIN" whoami --config "$conf" --email "$1" --password-stdin 2>&1
  echo "rc=$?"
}
out=$(whoami admin@brightsmile.test)
e2e_ok 'echo "$out" | grep -q "^rc=0$" && echo "$out" | grep -q "^role *admin$" &&
        echo "$out" | grep -q "^practice *Bright Smile Dental"' \
  "lumen whoami signs admin@brightsmile.test in with the written config"

out=$("$LUMEN_BIN" demo </dev/null 2>"$tmp/err"); rc=$?
e2e_ok '[ $rc = 0 ] && [ "$(cat "$tmp/err")" = "lumen demo: ready; lumen --config $conf" ] &&
        [ "$(head -n 1 "$dir/pg/data/postmaster.pid")" = "$pid" ]' \
  "a second run reuses the running cluster and loads nothing"
[ $rc = 0 ] || sed 's/^/# /' "$tmp/err"

e2e_start "env HOME=$HOME XDG_DATA_HOME=$XDG_DATA_HOME $LUMEN_BIN demo"
e2e_ok 'e2e_wait_for "Press Enter to open Lumen" 30' "in a terminal it asks for Enter after the sign-ins"
e2e_keys Enter
e2e_ok 'e2e_sign_in viewer@brightsmile.test && e2e_wait_for "viewer@brightsmile.test, Viewer" 20' \
  "Enter opens the sign-in screen on the demo, where a demo sign-in works"
e2e_keys q
e2e_ok 'e2e_wait_exit && [ "$(e2e_exit_status)" = 0 ]' "q quits, exit status 0"

"$LUMEN_BIN" demo --stop >"$tmp/out" 2>&1; rc=$?
e2e_ok '[ $rc = 0 ] && grep -q "^lumen demo: stopped the demo database in $dir$" "$tmp/out" &&
        gone "$pid"' "--stop stops the server"
out=$(whoami admin@brightsmile.test)
e2e_ok 'echo "$out" | grep -q "^rc=1$"' "and signing in then fails"
"$LUMEN_BIN" demo --stop >"$tmp/out" 2>&1; rc=$?
e2e_ok '[ $rc = 0 ] && grep -q "is not running" "$tmp/out"' "--stop again says it is not running, exit 0"

"$LUMEN_BIN" demo </dev/null >/dev/null 2>"$tmp/err"; rc=$?
out=$(whoami admin@brightsmile.test)
e2e_ok '[ $rc = 0 ] && grep -q "^lumen demo: starting PostgreSQL" "$tmp/err" &&
        ! grep -q "loading\|creating" "$tmp/err" && echo "$out" | grep -q "^rc=0$"' \
  "lumen demo starts it again, with its data kept"

target=$(readlink "$dir/pg")
"$LUMEN_BIN" demo --stop --reset >"$tmp/out" 2>&1; rc=$?
e2e_ok '[ $rc = 0 ] && ! [ -e "$dir" ] && { [ -z "$target" ] || ! [ -e "$target" ]; } &&
        grep -q "^lumen demo: deleted the demo in $dir$" "$tmp/out"' \
  "--stop --reset stops it and deletes it all (the /var/tmp folder too)"

"$LUMEN_BIN" demo --bogus >/dev/null 2>&1
e2e_is "$?" 2 "an unknown option is a usage error (exit 2)"
e2e_ok '"$LUMEN_BIN" demo --help | grep -q "^usage: lumen demo"' "lumen demo --help prints its usage"

# An ordinary user (nobody, from root): the cluster is theirs, in DIR/pg.
if [ "$(id -u)" = 0 ] && id nobody >/dev/null 2>&1 && runuser -u nobody -- test -x "$LUMEN_BIN"; then
  mkdir -p "$tmp/nobody" && chown nobody "$tmp/nobody" && chmod 700 "$tmp/nobody" && chmod 711 "$tmp"
  runuser -u nobody -- "$LUMEN_BIN" demo --dir "$other" </dev/null >/dev/null 2>"$tmp/err"; rc=$?
  pid=$(head -n 1 "$other/pg/data/postmaster.pid" 2>/dev/null)
  e2e_ok '[ $rc = 0 ] && [ "$(ps -o user= -p "$pid")" = nobody ] && [ -d "$other/pg" ] && ! [ -L "$other/pg" ]' \
    "as an ordinary user the server is theirs, its files in DIR/pg"
  [ $rc = 0 ] || sed 's/^/# /' "$tmp/err"
  runuser -u nobody -- "$LUMEN_BIN" demo --dir "$other" --stop --reset >/dev/null 2>&1
  e2e_ok '! [ -e "$other" ] && gone "$pid"' "and --stop --reset removes it"
else
  echo "ok 20 # skip not root, or nobody cannot run $LUMEN_BIN"
  echo "ok 21 # skip not root, or nobody cannot run $LUMEN_BIN"
  E2E_N=21
fi
e2e_done
