#!/bin/sh
# Two clients of the same account, in two terminals (tmux sessions t and
# u), each over its own SSH origin.  The Security tab lists both, this one
# marked, with the origins the clients reported; ending the other one, or
# signing out everywhere else, sends it back to sign-in within a second,
# without a key pressed (the account's wake-up: NOTIFY, or the poll); all
# sessions, this one included, ends this one too.  A Viewer has the tab
# too, with only their own sessions.
#
# The return within a second needs the account wake-up of screens/main.c
# (LISTEN lumen_account_<id>, then api_session_state); a lumen without it
# has those checks skipped, and the other client is nudged with a key.
. "$(dirname "$0")/lib.sh"
e2e_plan 12
e2e_db

A_ORIGIN=203.0.113.7
B_ORIGIN=198.51.100.9
wake=0
# (The SQL is in the binary too: look for the client's side in the source.)
grep -q 'api_session_state' screens/*.c 2>/dev/null && wake=1

# The second terminal, u, beside lib.sh's t.
u_start() {
  e2e_tmux kill-session -t u >/dev/null 2>&1
  e2e_tmux new-session -d -x 80 -y 24 -s u \
    "env LC_ALL=C.UTF-8 TERM=xterm-256color SSH_CONNECTION='$B_ORIGIN 50022 10.0.0.1 22' \
     ASAN_OPTIONS=log_path=$E2E_SANDIR/asan-u UBSAN_OPTIONS=log_path=$E2E_SANDIR/ubsan-u \
     $LUMEN_BIN --config $E2E_CONF"
}
u_keys() { e2e_tmux send-keys -t u "$@"; }
u_type() { e2e_tmux send-keys -t u -l "$1"; }
u_screen() { e2e_tmux capture-pane -p -t u; }
u_wait_for() {
  _i=0
  [ -n "${2:-}" ] || set -- "$1" 20
  while [ $_i -lt $((${2:-10} * 20)) ]; do
    u_screen | grep -qF -- "$1" && return 0
    sleep 0.05; _i=$((_i + 1))
  done
  return 1
}
# The first time the email too; after a sign-out it is kept, the focus
# on the password.
u_sign_in() {
  u_wait_for "Sign in to Lumen"
  [ "${1:-}" = again ] || { u_type admin@brightsmile.test; u_keys Enter; }
  u_type "$E2E_PASSWORD"; u_keys Enter
  u_wait_for "(Admin)"
}
now_ms() { date +%s%3N; }
# Until u shows sign-in: the milliseconds it took.
u_back_ms() {
  _t0=$1
  u_wait_for "Sign in to Lumen" 5 || { echo 99999; return; }
  echo $(( $(now_ms) - _t0 ))
}
# Step-up, if the server asks for it (the password older than 10 minutes):
# until the change is done (DONE shows) or the password is asked for,
# which is then given.
step_up() {
  e2e_wait_until "e2e_screen | grep -qF -- \"$1\" || e2e_screen | grep -q \"Confirm it is you\"" 20
  if e2e_screen | grep -q "Confirm it is you"; then
    e2e_type "$E2E_PASSWORD"; e2e_keys Enter
  fi
}
within_a_second() {   # MS DESC
  E2E_N=$((E2E_N + 1))
  if [ $wake -eq 0 ]; then
    echo "ok $E2E_N - $2 # SKIP needs the account wake-up (screens/main.c)"
    u_keys r      # home's refresh: the next call finds the session ended
    u_wait_for "Sign in to Lumen"
  elif [ "$1" -le 1500 ]; then
    echo "ok $E2E_N - $2 (${1} ms)"
  else
    echo "not ok $E2E_N - $2 (${1} ms)"
    E2E_FAILED=$((E2E_FAILED + 1))
    u_screen | sed 's/^/# u|/'
  fi
}

e2e_lumen SSH_CONNECTION="'$A_ORIGIN 50011 10.0.0.1 22'"
e2e_sign_in admin@brightsmile.test
e2e_wait_for "(Admin)"
u_start
u_sign_in

e2e_keys 5
# Until the whole table is on the screen (a capture may catch a frame
# half written).
e2e_ok 'e2e_wait_until "e2e_screen | grep -q \"Sessions of your account (2)\" && e2e_screen | grep -q \"^  this \" && e2e_screen | grep -q \"$B_ORIGIN\""' \
  "the Security tab lists both sessions of the account"
e2e_ok 'e2e_screen | grep "^  this " | grep -q "$A_ORIGIN"' "this one is marked, with the SSH origin it reported"
e2e_ok 'e2e_screen | grep -v "^  this " | grep -q "$B_ORIGIN"' "the other one shows its own origin"

# End the other one, from its row.
row=$(e2e_screen | grep -n "$B_ORIGIN" | cut -d: -f1)
cur=$(e2e_screen | grep -n "^  this " | cut -d: -f1)
[ "$row" -gt "$cur" ] && e2e_keys j || e2e_keys k
e2e_keys x
e2e_ok 'e2e_wait_for "End the session"' "x asks before ending the session under the cursor"
e2e_keys y
step_up "Session ended"
# From when this client knows it is done (the other may know first).
e2e_wait_for "Session ended" 20
t0=$(now_ms)
within_a_second "$(u_back_ms "$t0")" "the other client is back at sign-in within a second"
e2e_ok 'e2e_wait_for "Sessions of your account (1)"' "and the list has one session left"

# Sign out everywhere else: the menu's first choice.
u_sign_in again
e2e_keys r
e2e_wait_for "Sessions of your account (2)"
e2e_keys O
e2e_ok 'e2e_wait_for "All other sessions" && e2e_wait_for "All sessions, this one included"' \
  "sign out everywhere offers all others, or all with this one"
e2e_keys Enter
step_up "other session"
e2e_wait_for "other session" 20
t0=$(now_ms)
within_a_second "$(u_back_ms "$t0")" "signed out everywhere else: the other client is back at sign-in within a second"
e2e_ok 'e2e_wait_for "other session" && e2e_screen | grep -q "(Admin)"' "this one stays signed in"

# All of them, this one included.
e2e_keys O
e2e_wait_for "All sessions, this one included"
e2e_keys j Enter
step_up "Sign in to Lumen"
e2e_ok 'e2e_wait_for "Sign in to Lumen" && e2e_wait_for "signed out everywhere"' \
  "all sessions, this one included: this client is signed out too"
e2e_is "$(e2e_sql "SELECT count(*) FROM lumen.sessions s JOIN lumen.accounts a ON a.id = s.account_id
                   WHERE a.email = 'admin@brightsmile.test' AND s.revoked_at IS NULL")" 0 \
  "no session of the account is left"

# A Viewer has the tab too: their own sessions only.
e2e_keys Up C-u
e2e_type viewer@brightsmile.test; e2e_keys Enter
e2e_type "$E2E_PASSWORD"; e2e_keys Enter
e2e_wait_for "(Viewer)"
e2e_keys 5
e2e_ok 'e2e_wait_for "Sessions of your account (1)" && ! e2e_screen | grep -q "$B_ORIGIN"' \
  "a Viewer has the Security tab, with their own session only"
e2e_tmux kill-session -t u >/dev/null 2>&1
e2e_done
