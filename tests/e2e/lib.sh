# tests/e2e/lib.sh — drive the real lumen in a real terminal (tmux).
#
# Each test sources this file, then:
#   e2e_start "COMMAND"         start COMMAND in a fresh, private tmux server
#                               (80x24, LC_ALL=C.UTF-8, TERM=xterm-256color)
#   e2e_keys KEY...             send keys (tmux send-keys names: Enter, Tab...)
#   e2e_type TEXT               send TEXT literally
#   e2e_wait_for TEXT [SECS]    wait until the screen shows TEXT (default 10 s)
#   e2e_wait_gone TEXT [SECS]   wait until the screen no longer shows TEXT
#   e2e_screen                  print the screen as text
#   e2e_screen_escapes          print the screen with its escape sequences
#   e2e_resize COLS ROWS
#   e2e_ok COND DESC / e2e_is GOT WANT DESC / e2e_done
# A failing check prints the screen as TAP comments.  The tmux server is
# killed on exit.  Nothing sleeps for a fixed time: waits poll the screen.

E2E_SOCK="lumen-e2e-$$-$(basename "$0" .t)"
E2E_N=0
E2E_FAILED=0
E2E_COLS=80
E2E_ROWS=24
LUMEN_BIN=${LUMEN_BIN:-$(pwd)/lumen}

E2E_CONF=$(mktemp)
printf 'set -g remain-on-exit on\nset -g status off\nset -g default-size 80x24\n' > "$E2E_CONF"
e2e_tmux() { tmux -L "$E2E_SOCK" -f "$E2E_CONF" "$@"; }

e2e_cleanup() { e2e_tmux kill-server >/dev/null 2>&1 || true; rm -f "$E2E_CONF"; }
trap e2e_cleanup EXIT

e2e_plan() { echo "1..$1"; }

# remain-on-exit (set in the server's config, before anything runs) keeps
# the last screen of a program that quit, to read it and its exit status.
e2e_start() {
  e2e_tmux kill-server >/dev/null 2>&1 || true
  e2e_tmux new-session -d -x "$E2E_COLS" -y "$E2E_ROWS" -s t \
    "env LC_ALL=C.UTF-8 TERM=xterm-256color $1"
}

e2e_keys() { e2e_tmux send-keys -t t "$@"; }
e2e_type() { e2e_tmux send-keys -t t -l "$1"; }
# tmux scrolls a dead pane by one line to write "Pane is dead"; once the
# program has exited, read the history too so its first line is not lost.
e2e_screen() {
  if [ "$(e2e_tmux display-message -p -t t '#{pane_dead}')" = 1 ]; then
    e2e_tmux capture-pane -p -S - -t t
  else
    e2e_tmux capture-pane -p -t t
  fi
}
e2e_screen_escapes() { e2e_tmux capture-pane -p -e -t t; }
e2e_resize() { e2e_tmux resize-window -t t -x "$1" -y "$2"; }

# The exit status of the program, once it has exited ("" while running).
e2e_exit_status() {
  if [ "$(e2e_tmux display-message -p -t t '#{pane_dead}')" = 1 ]; then
    e2e_tmux display-message -p -t t '#{pane_dead_status}'
  fi
}

e2e_wait_for() {
  _want=$1; _secs=${2:-10}; _i=0
  while [ $_i -lt $((_secs * 20)) ]; do
    if e2e_screen | grep -qF -- "$_want"; then return 0; fi
    sleep 0.05; _i=$((_i + 1))
  done
  return 1
}

e2e_wait_gone() {
  _want=$1; _secs=${2:-10}; _i=0
  while [ $_i -lt $((_secs * 20)) ]; do
    if ! e2e_screen | grep -qF -- "$_want"; then return 0; fi
    sleep 0.05; _i=$((_i + 1))
  done
  return 1
}

e2e_wait_exit() {
  _secs=${1:-10}; _i=0
  while [ $_i -lt $((_secs * 20)) ]; do
    [ -n "$(e2e_exit_status)" ] && return 0
    sleep 0.05; _i=$((_i + 1))
  done
  return 1
}

e2e_dump() {
  echo "# --- screen ---"
  e2e_screen | sed 's/^/# |/'
  echo "# --------------"
}

e2e_ok() {
  E2E_N=$((E2E_N + 1))
  if eval "$1"; then
    echo "ok $E2E_N - $2"
  else
    echo "not ok $E2E_N - $2"
    E2E_FAILED=$((E2E_FAILED + 1))
    e2e_dump
  fi
}

e2e_is() {
  E2E_N=$((E2E_N + 1))
  if [ "$1" = "$2" ]; then
    echo "ok $E2E_N - $3"
  else
    echo "not ok $E2E_N - $3"
    echo "#   got:  '$1'"
    echo "#   want: '$2'"
    E2E_FAILED=$((E2E_FAILED + 1))
    e2e_dump
  fi
}

e2e_done() { [ "$E2E_FAILED" -eq 0 ]; }
