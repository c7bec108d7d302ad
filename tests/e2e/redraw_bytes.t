#!/bin/sh
# What one key costs on the wire: the bytes the real binary writes to the
# terminal (tmux pipe-pane) for a cursor move and a page down in a long
# picker, against one full repaint (C-l).  The figures are printed as TAP
# comments, a diagnostic for the benchmark; only the structure is asserted:
# a cursor move redraws two rows (TUI_REDRAW_ROWS), so it writes less than
# a full repaint.  ncurses sends only the cells that differ in any case;
# the rows-only draw also spares drawing and comparing the rest.
. "$(dirname "$0")/lib.sh"
e2e_plan 5
e2e_db
# Sixty more practices, so that a page down moves a page.
e2e_sql "WITH p AS (INSERT INTO lumen.practices (name, vertical, timezone)
           SELECT 'Practice ' || lpad(g::text, 2, '0'), 'dental', 'Europe/Berlin'
           FROM generate_series(1, 60) g RETURNING id)
         INSERT INTO lumen.memberships (practice_id, account_id, role)
         SELECT p.id, a.id, 'owner' FROM p, lumen.accounts a
         WHERE a.email = 'admin@brightsmile.test'" >/dev/null
E2E_OUT=$(mktemp)
trap 'rm -f "$E2E_OUT"; e2e_cleanup' EXIT

# Bytes the terminal receives for KEYS: the pipe is open around them, and
# closed once the output has been still for 0.3 s (at most 5 s).
bytes_for() {
  : > "$E2E_OUT"
  e2e_tmux pipe-pane -o -t t "cat >> $E2E_OUT"
  e2e_keys "$@"
  _last=-1; _still=0; _i=0
  while [ $_i -lt 100 ] && [ $_still -lt 6 ]; do
    sleep 0.05; _i=$((_i + 1))
    _n=$(wc -c < "$E2E_OUT")
    if [ "$_n" -gt 0 ] && [ "$_n" -eq "$_last" ]; then _still=$((_still + 1)); else _still=0; fi
    _last=$_n
  done
  e2e_tmux pipe-pane -t t
  wc -c < "$E2E_OUT" | tr -d ' '
}

e2e_lumen
e2e_sign_in admin@brightsmile.test
e2e_ok 'e2e_wait_for "Choose a practice" && e2e_wait_for "Practice 01"' "the long picker is up"
move=$(bytes_for j)
pgdn=$(bytes_for PageDown)
full=$(bytes_for C-l)
echo "# bytes written to the terminal (80x24): cursor move $move, page down $pgdn, full repaint $full"
e2e_ok '[ "$move" -gt 0 ] && [ "$pgdn" -gt 0 ] && [ "$full" -gt 0 ]' "each key wrote something"
e2e_ok '[ "$move" -lt "$full" ]' "a cursor move writes fewer bytes than a full repaint"
e2e_ok '[ "$move" -lt "$pgdn" ]' "and fewer than a page down"
e2e_ok 'e2e_screen | grep -q "Choose a practice"' "the picker is still drawn"
e2e_done
