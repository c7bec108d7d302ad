#!/bin/sh
# lumen notify's command line (issue 11): --help, usage errors, what
# config check says of [notify], --once without a database, and status
# (its table, a last error's escape sequence shown as a placeholder).
# Delivery itself is tested by the other tests/e2e/notify_*.t.
set -u
. "$(dirname "$0")/lib.sh"

have_status=$(psql -X -At -d lumen_demo -c "SELECT to_regprocedure('notify.status()') IS NOT NULL" 2>/dev/null)
if [ "$have_status" = t ]; then e2e_plan 18; else e2e_plan 12; fi

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"; e2e_cleanup' EXIT
# What the sanitizers find (make SANITIZE=1) fails the test in e2e_done.
ASAN_OPTIONS=log_path=$E2E_SANDIR/asan
UBSAN_OPTIONS=log_path=$E2E_SANDIR/ubsan:print_stacktrace=1
export ASAN_OPTIONS UBSAN_OPTIONS
run() { LC_ALL=C.UTF-8 "$LUMEN_BIN" "$@" >"$tmp/out" 2>"$tmp/err"; echo $?; }
# run2 CMD...: any command, its output kept the same way.
run2() { LC_ALL=C.UTF-8 "$@" >"$tmp/out" 2>"$tmp/err"; echo $?; }

e2e_is "$(run notify --help)" 0 "notify --help exits 0"
e2e_ok 'head -1 "$tmp/out" | grep -q "^usage: lumen notify \[--once\]" && grep -q "notify status" "$tmp/out"' \
  "notify --help shows both forms"
e2e_ok '[ "$(run notify frobnicate)" = 2 ] && grep -q "unknown command .notify frobnicate.: there are .lumen notify \[--once\]. and .lumen notify status." "$tmp/err"' \
  "an unknown notify command: exit 2, naming the two there are"
e2e_ok '[ "$(run notify status --once)" = 2 ] && grep -q -- "--once is not for .notify status." "$tmp/err"' \
  "--once with status: exit 2"
e2e_ok '[ "$(run whoami --once)" = 2 ] && grep -q -- "--once is for .lumen notify.; not for .whoami." "$tmp/err"' \
  "--once with another command: exit 2"
e2e_ok '[ "$(run notify --email a@b.test)" = 2 ] && grep -q "signs in as no member" "$tmp/err"' \
  "notify takes no member's sign-in options"

conf() { printf '[database]\nhost = /nonexistent\ndbname = lumen\n[notify]\n%s\n' "$1" > "$tmp/$2"; chmod "${3:-600}" "$tmp/$2"; }
conf 'email_api = https://api.mail.example/send
email_key = sk_1
email_from = a@b.example' key.conf 644
e2e_ok '[ "$(run config check --config "$tmp/key.conf")" = 1 ] && grep -q "holds \[notify\] email_key but is readable by group or others (mode 0644); run chmod 600" "$tmp/err"' \
  "a config holding email_key that others can read is refused, saying chmod 600"
chmod 600 "$tmp/key.conf"
e2e_is "$(run config check --config "$tmp/key.conf")" 0 "the same at mode 0600 checks ok"
conf 'email_api = http://mail.example/send
email_key = sk_1
email_from = a@b.example' http.conf
e2e_ok '[ "$(run config check --config "$tmp/http.conf")" = 1 ] && grep -q "\[notify\] email_api refused: http:// without TLS" "$tmp/err"' \
  "an http email_api is refused without allow_private"
conf 'email_api = https://mail.example/send' nokey.conf
e2e_ok '[ "$(run config check --config "$tmp/nokey.conf")" = 1 ] && grep -q "email_api is set but email_key" "$tmp/err"' \
  "email_api without email_key is refused"
conf 'allow_private = maybe' bool.conf
e2e_ok '[ "$(run config check --config "$tmp/bool.conf")" = 1 ] && grep -q "allow_private: .maybe. is not one of: no, yes" "$tmp/err"' \
  "allow_private takes yes or no"
conf 'concurrency = 2' down.conf
e2e_ok '[ "$(run notify --once --config "$tmp/down.conf")" = 1 ] && grep -q "lumen notify: cannot connect: " "$tmp/err"' \
  "--once without a database: exit 1, saying why"

if [ "$have_status" = t ]; then
  e2e_db
  # A delivery error that quotes a receiver: an escape sequence in it.
  e2e_sql "SELECT lumen.outbox_put('$E2E_BSD', 'member.remove', 'gone@x.test', '{}')" >/dev/null
  e2e_sql "UPDATE lumen.outbox SET attempts = 1, last_error = E'HTTP 500 \\033[2Jboom', last_error_at = now(),
           next_attempt_at = now() + interval '1 hour' WHERE kind = 'member.remove' AND recipient = 'gone@x.test'" >/dev/null
  e2e_is "$(run notify status --config "$E2E_CONF")" 0 "notify status: exit 0 ($(head -c 200 "$tmp/err"))"
  e2e_is "$(head -1 "$tmp/out" | tr -s ' ')" "KIND CHANNEL DUE WAITING FAILED DELIVERED LAST ERROR AT LAST ERROR" \
    "the heading"
  e2e_ok 'grep -Eq "^member.remove +email +[0-9]+ +[1-9][0-9]* +[0-9]+ +[0-9]+ +[0-9-]+ [0-9:]+ +HTTP 500 ␛\[2Jboom$" "$tmp/out"' \
    "a row per kind and channel; the escape in the error shown as a placeholder"
  e2e_ok '! grep -q "$(printf "\033")" "$tmp/out" && grep -q "email_api is not set" "$tmp/out"' \
    "no raw escape reaches the terminal; email waiting without email_api is said"

  # Reached, but every call refused: --once (for cron) ends, it does not
  # reconnect and try again for ever.
  e2e_sql "REVOKE EXECUTE ON ALL FUNCTIONS IN SCHEMA notify FROM lumen_notify" >/dev/null
  e2e_is "$(run2 timeout 120 "$LUMEN_BIN" notify --once --config "$E2E_CONF")" 1 \
    "--once when every call fails: exit 1, in bounded time"
  e2e_ok 'grep -q "giving up after [0-9]* connections that each failed: .*permission denied" "$tmp/err"' \
    "it says it gave up, and why"
fi
e2e_done
