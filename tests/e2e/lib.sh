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
#   e2e_use NAME                the terminal the calls above act on: "t"
#                               (the first) or another, for a second client
#                               open at the same time (each its own tmux
#                               session of the test's server)
#   e2e_ok COND DESC / e2e_is GOT WANT DESC / e2e_done
#   e2e_qr_uri [-m]             the text of the QR code on the screen (as
#                               tui/qr draws it, any mode), read by zbarimg;
#                               fails when there is none.  -m: its modules
#                               ('#' dark, '.' light) instead.
# Against the test cluster (tests/run.sh):
#   e2e_db [CONF LINE...]      a database of this test's own, copied from
#                              lumen_demo, and a config for it in $E2E_CONF
#                              (extra lines appended, e.g. "[ui]" ...);
#                              with $LUMEN_TEST_POOLER_CONF set (the test
#                              runs through tests/pooler/through.sh) the
#                              config is that one's: lumen connects through
#                              PgBouncer in transaction mode
#   e2e_sql SQL                run SQL there as postgres; prints the rows
#   e2e_lumen [VAR=VALUE...]   start lumen on that config, with the variables
#   e2e_sign_in EMAIL [PASS]   type email and password (demo password default)
#   e2e_totp                   the demo owner's current code, from oathtool
# A failing check prints the screen as TAP comments.  The tmux server is
# killed on exit.  Nothing sleeps for a fixed time: waits poll the screen.

E2E_SOCK="lumen-e2e-$$-$(basename "$0" .t)"
E2E_N=0
E2E_FAILED=0
E2E_COLS=80
E2E_ROWS=24
LUMEN_BIN=${LUMEN_BIN:-$(pwd)/lumen}

E2E_TMUXCONF=$(mktemp)
E2E_STATUS=$(mktemp)
# Under make SANITIZE=1, what the sanitizers find goes here, not to the
# screen, and e2e_done fails the test on it (leaks at exit included).
E2E_SANDIR=$(mktemp -d)
# exit-empty off: killing the last session must not end the server, or the
# next e2e_start races with its exit (new-session then fails now and then).
printf 'set -g remain-on-exit on\nset -g status off\nset -g default-size 80x24\nset -g exit-empty off\n' > "$E2E_TMUXCONF"
e2e_tmux() { tmux -L "$E2E_SOCK" -f "$E2E_TMUXCONF" "$@"; }

E2E_T=t
e2e_use() { E2E_T=$1; }
# Each terminal's exit status file: the first's is $E2E_STATUS.
e2e_status_file() { if [ "$E2E_T" = t ]; then echo "$E2E_STATUS"; else echo "$E2E_STATUS.$E2E_T"; fi; }

E2E_DB=""
E2E_CONF=""
e2e_cleanup() {
  e2e_tmux kill-server >/dev/null 2>&1 || true
  rm -f "$E2E_TMUXCONF" "$E2E_STATUS" "$E2E_STATUS".*
  rm -rf "$E2E_SANDIR"
  [ -n "$E2E_CONF" ] && rm -f "$E2E_CONF"
  # Through PgBouncer (tests/pooler), its server connection to the
  # database outlives the client: --force ends it, where dropdb would wait
  # 5 s for it and then fail.
  [ -n "$E2E_DB" ] && dropdb --if-exists ${LUMEN_TEST_POOLER_CONF:+--force} "$E2E_DB" >/dev/null 2>&1
  true
}
trap e2e_cleanup EXIT

e2e_plan() { echo "1..$1"; }

# remain-on-exit (set in the server's config, before anything runs) keeps
# the last screen of a program that quit, to read it and its exit status.
# Ends the program in the session and waits for it, so that what it does
# at exit (a sanitizer's leak report) happens: a moment to exit by itself,
# then SIGTERM, as a closed terminal would; then the session goes.
e2e_stop() {
  if e2e_tmux has-session -t "$E2E_T" 2>/dev/null; then
    _i=0
    while [ -z "$(e2e_exit_status)" ] && [ $_i -lt 6 ]; do sleep 0.05; _i=$((_i + 1)); done
    if [ -z "$(e2e_exit_status)" ]; then
      pkill -TERM -P "$(e2e_tmux display-message -p -t "$E2E_T" '#{pane_pid}')" 2>/dev/null
      _i=0
      while [ -z "$(e2e_exit_status)" ] && [ $_i -lt 100 ]; do sleep 0.05; _i=$((_i + 1)); done
    fi
    e2e_tmux kill-session -t "$E2E_T" >/dev/null 2>&1 || true
  fi
}

e2e_start() {
  # One server for the whole test: a new session replaces the old one.
  # (Killing and restarting the server races with its own exit.)
  e2e_stop
  : > "$(e2e_status_file)"
  e2e_tmux new-session -d -x "$E2E_COLS" -y "$E2E_ROWS" -s "$E2E_T" \
    "env LC_ALL=C.UTF-8 TERM=xterm-256color ASAN_OPTIONS=log_path=$E2E_SANDIR/asan \
     UBSAN_OPTIONS=log_path=$E2E_SANDIR/ubsan:print_stacktrace=1 $1; echo \$? > $(e2e_status_file)"
}

e2e_keys() { e2e_tmux send-keys -t "$E2E_T" "$@"; }
e2e_type() { e2e_tmux send-keys -t "$E2E_T" -l "$1"; }
# tmux scrolls a dead pane by one line to write "Pane is dead"; once the
# program has exited, read the history too so its first line is not lost.
e2e_screen() {
  if [ "$(e2e_tmux display-message -p -t "$E2E_T" '#{pane_dead}')" = 1 ]; then
    e2e_tmux capture-pane -p -S - -t "$E2E_T"
  else
    e2e_tmux capture-pane -p -t "$E2E_T"
  fi
}
e2e_screen_escapes() { e2e_tmux capture-pane -p -e -t "$E2E_T"; }
e2e_resize() { e2e_tmux resize-window -t "$E2E_T" -x "$1" -y "$2"; }
# With the colours (-e) for the modes drawn in blanks, and every blank
# (-N): tmux would trim a row's trailing reversed blanks.
e2e_qr_uri() {
  e2e_tmux capture-pane -p -e -N -t "$E2E_T" | perl "$(dirname "$0")/qr_decode.pl" "$@"
}

# The exit status of the program, once it has exited ("" while running).
# The exit status of the program once it has exited, "" while it runs.
# (tmux's own pane_dead_status is sometimes never set; the file always is.)
e2e_exit_status() { cat "$(e2e_status_file)"; }

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

# Until the shell condition COND holds (a list that has settled: what a
# filter keeps is there and what it drops is gone), or SECS pass.
e2e_wait_until() {
  _cond=$1; _secs=${2:-10}; _i=0
  while [ $_i -lt $((_secs * 20)) ]; do
    if eval "$_cond"; then return 0; fi
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

# On standard error: prove shows it without -v, so a failure in CI's log
# comes with the screen it saw.
e2e_dump() {
  {
    echo "# --- screen ($E2E_T) ---"
    e2e_screen | sed 's/^/# |/'
    echo "# --------------"
  } >&2
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
    echo "#   got:  '$1'" >&2
    echo "#   want: '$2'" >&2
    E2E_FAILED=$((E2E_FAILED + 1))
    e2e_dump
  fi
}

# Ends the program (as a closed terminal would), then fails the test on
# any sanitizer report.
e2e_done() {
  # Every terminal the test opened, so each one's exit is checked too.
  for _t in $(e2e_tmux list-sessions -F '#{session_name}' 2>/dev/null); do
    E2E_T=$_t
    e2e_stop
  done
  for _f in "$E2E_SANDIR"/*; do
    [ -s "$_f" ] || continue
    echo "# sanitizer report $(basename "$_f"):"
    sed 's/^/# /' "$_f"
    E2E_FAILED=$((E2E_FAILED + 1))
  done
  [ "$E2E_FAILED" -eq 0 ]
}

e2e_db() {
  E2E_DB="e2e_$(basename "$0" .t | tr -c 'a-z0-9_' '_')$$"
  dropdb --if-exists "$E2E_DB" >/dev/null 2>&1
  createdb -T lumen_demo "$E2E_DB" || { echo "Bail out! cannot create $E2E_DB"; exit 1; }
  E2E_CONF=$(mktemp)
  sed "s/^dbname = .*/dbname = $E2E_DB/" "${LUMEN_TEST_POOLER_CONF:-$LUMEN_TEST_CONF}" > "$E2E_CONF"
  for _line in "$@"; do printf '%s\n' "$_line" >> "$E2E_CONF"; done
  chmod 600 "$E2E_CONF"
}

e2e_sql() { psql -X -q -At -v ON_ERROR_STOP=1 -d "$E2E_DB" -c "$1"; }

# The Admin becomes a Viewer of Harbor Family Therapy as well: a member of
# two practices, so the picker comes after sign-in and p switches.
e2e_second_practice() {
  e2e_sql "INSERT INTO lumen.memberships (practice_id, account_id, role)
           SELECT p.id, a.id, 'viewer' FROM lumen.practices p, lumen.accounts a
           WHERE p.name = 'Harbor Family Therapy' AND a.email = 'admin@brightsmile.test'" >/dev/null
}

e2e_lumen() { e2e_start "env $* $LUMEN_BIN --config $E2E_CONF"; }

E2E_PASSWORD=lumen-demo-2026
e2e_sign_in() {
  e2e_wait_for "Sign in to Lumen" || return 1
  e2e_type "$1"; e2e_keys Enter
  e2e_type "${2:-$E2E_PASSWORD}"; e2e_keys Enter
}

e2e_totp() { oathtool --totp -b JBSWY3DPEHPK3PXP; }

# A lead for Bright Smile Dental through the chatbot's own path
# (ingest.lead_capture with a fresh key of the practice), captured now:
# e2e_ingest NAME [SERVICE [TRANSCRIPT_TEXT]] prints its id.
E2E_BSD=a1000000-0000-4000-8000-000000000001
e2e_ingest() {
  psql -X -q -At -v ON_ERROR_STOP=1 -d "$E2E_DB" \
    -v name="$1" -v service="${2:-Cleaning}" -v said="${3:-Hello, I would like an appointment.}" <<'SQL'
SELECT ingest.lead_capture(lumen.ingest_key_new('a1000000-0000-4000-8000-000000000001'),
  jsonb_build_object('name', :'name', 'service', :'service', 'phone', '+1 312 555 0100',
                     'email', 'visitor@example.test', 'visitor_id', 'v-e2e',
                     'transcript', jsonb_build_array(
                        jsonb_build_object('from', 'bot', 'text', 'Hi! How can we help?'),
                        jsonb_build_object('from', 'visitor', 'text', :'said'))));
SQL
}
