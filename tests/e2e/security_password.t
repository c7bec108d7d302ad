#!/bin/sh
# The Admin changes the password on the Security tab (p): the form
# refuses a wrong current password, a short new one and two that differ,
# with a hint on the new one's strength; the change ends the account's
# other session (another terminal, u); afterwards the old password is
# refused at sign-in and the new one works.
. "$(dirname "$0")/lib.sh"
e2e_plan 11
e2e_db
NEW='quiet-harbor-lantern-42'

u_wait_for() {
  _i=0
  while [ $_i -lt $((${2:-10} * 20)) ]; do
    e2e_tmux capture-pane -p -t u | grep -qF -- "$1" && return 0
    sleep 0.05; _i=$((_i + 1))
  done
  return 1
}

e2e_lumen
e2e_sign_in admin@brightsmile.test
e2e_wait_for "(Admin)"
# The other session: a second terminal.
e2e_tmux new-session -d -x 80 -y 24 -s u \
  "env LC_ALL=C.UTF-8 TERM=xterm-256color ASAN_OPTIONS=log_path=$E2E_SANDIR/asan-u \
   UBSAN_OPTIONS=log_path=$E2E_SANDIR/ubsan-u $LUMEN_BIN --config $E2E_CONF"
u_wait_for "Sign in to Lumen"
e2e_tmux send-keys -t u -l admin@brightsmile.test; e2e_tmux send-keys -t u Enter
e2e_tmux send-keys -t u -l "$E2E_PASSWORD"; e2e_tmux send-keys -t u Enter
u_wait_for "(Admin)" 30

e2e_keys 5
e2e_wait_for "Sessions of your account (2)"
e2e_keys p
e2e_ok 'e2e_wait_for "Change your password" && e2e_wait_for "at least 10 characters"' \
  "p opens the password change, with a hint on the new one"

e2e_type "not-my-password"; e2e_keys Enter
e2e_type "$NEW"; e2e_keys Enter
e2e_type "$NEW"; e2e_keys Enter
# Each answer waits on Argon2id twice (the current key, the new one): 30 s
# for a machine under load.
e2e_ok 'e2e_wait_for "That is not your current password." 30' "a wrong current password is refused"

# The focus is back on the current password, emptied; the new ones stay.
e2e_type "$E2E_PASSWORD"; e2e_keys Tab C-u
e2e_type short
e2e_ok 'e2e_wait_for "too short"' "the hint says a short password is too short"
e2e_keys Enter C-u; e2e_type "something-else-entirely"; e2e_keys Enter
e2e_ok 'e2e_wait_for "At least 10 characters"' "a short new password is refused"
e2e_keys C-u; e2e_type "$NEW"; e2e_keys Enter C-u; e2e_type "${NEW}x"; e2e_keys Enter
e2e_ok 'e2e_wait_for "The two new passwords differ"' "two new passwords that differ are refused"
e2e_type "$NEW"; e2e_keys Enter
e2e_ok 'e2e_wait_for "Password changed" 30 && e2e_wait_for "1 other session was signed out"' \
  "the password is changed, and the other session ends"
e2e_is "$(e2e_sql "SELECT count(*) FROM lumen.sessions s JOIN lumen.accounts a ON a.id = s.account_id
                   WHERE a.email = 'admin@brightsmile.test' AND s.revoked_why = 'password_changed'")" 1 \
  "ended as password_changed"
e2e_tmux send-keys -t u r
e2e_ok 'u_wait_for "Sign in to Lumen" 20' "the other terminal is back at sign-in"
e2e_ok 'e2e_screen | grep -q "Sessions of your account (1)"' "this one stays signed in"

e2e_keys C-c
e2e_wait_exit
e2e_lumen
e2e_sign_in admin@brightsmile.test
e2e_ok 'e2e_wait_for "Wrong email or password." 30' "the old password is refused at sign-in"
e2e_keys C-u; e2e_type "$NEW"; e2e_keys Enter
e2e_ok 'e2e_wait_for "admin@brightsmile.test (Admin)" 30' "the new one signs in"
e2e_tmux kill-session -t u >/dev/null 2>&1
e2e_done
