#!/bin/sh
# lumen team list [--csv] (issue 9), on a database of its own copied from
# the demo data: the members in the server's order, every role may list,
# a hostile display name never reaches the terminal as escape sequences
# (neither in the table nor in CSV shown on a terminal, read back from
# tmux), CSV for a pipe keeps the data, one line on each failure (wrong
# password, a practice that requires two-factor, a closed practice), and
# usage errors exit 2.
set -u
. "$(dirname "$0")/lib.sh"

if [ "$(psql -X -At -d lumen_demo -c "SELECT to_regprocedure('api.team_members(text)') IS NOT NULL")" != t ]; then
  echo "1..0 # SKIP api.team_members does not exist yet (the backend of issue 9)"
  exit 0
fi
e2e_plan 18
e2e_db

PW=$E2E_PASSWORD
BSD=$E2E_BSD
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"; e2e_cleanup' EXIT
lumen() { "$LUMEN_BIN" --config "$E2E_CONF" "$@"; }
# lumen team list as WHO (the demo password on standard input).
team() { _who=$1; shift; printf '%s\n' "$PW" | lumen team list --email "$_who" --password-stdin "$@"; }
ESC=$(printf '\033')
BEL=$(printf '\007')

out=$(team admin@brightsmile.test 2>"$tmp/err"); rc=$?
e2e_is "$rc" 0 "the Admin lists the team: exit 0 ($(cat "$tmp/err"))"
e2e_is "$(echo "$out" | head -1 | tr -s ' ')" "NAME EMAIL ROLE 2FA LAST ACTIVE MEMBER SINCE" "the heading"
want=$(e2e_sql "SELECT count(*) FROM lumen.memberships WHERE practice_id = '$BSD'")
e2e_is "$(echo "$out" | tail -n +2 | wc -l | tr -d ' ')" "$want" "one line per member of Bright Smile ($want)"
echo "$out" | sed -n 2p | grep -q '^Olivia Owner  *owner@brightsmile.test  *Owner  *on '
e2e_ok "[ $? = 0 ]" "the Owner first, two-factor on"
echo "$out" | grep -q '^Adam Admin (you)  *admin@brightsmile.test  *Admin  *off '
e2e_ok "[ $? = 0 ]" "the Admin's own row says (you), two-factor off"
# The Admin just signed in; a member who never did says never.
echo "$out" | grep 'viewer@brightsmile.test' | grep -q ' never '
e2e_ok "[ $? = 0 ]" "a member who never signed in: last active never"
! echo "$out" | grep -q ' $'
e2e_ok "[ $? = 0 ]" "no line ends in spaces"

out=$(team viewer@brightsmile.test 2>&1); rc=$?
e2e_ok "[ $rc = 0 ] && echo \"\$out\" | grep -q 'Vera Viewer (you)'" "a Viewer may list the team too"

# A hostile display name: a retitle (OSC), a clear screen, a bell.
e2e_sql "UPDATE lumen.accounts SET display_name = E'=HYPERLINK(1) \\033]0;pwned\\007\\033[2J Vera'
         WHERE email = 'viewer@brightsmile.test'" >/dev/null
out=$(team admin@brightsmile.test 2>&1); rc=$?
line=$(echo "$out" | grep 'viewer@brightsmile.test')
e2e_ok "[ $rc = 0 ] && ! echo \"\$out\" | grep -q \"[$ESC$BEL]\" && echo \"\$line\" | grep -q '␛]0;pwned␇␛\[2J Vera'" \
  "the table shows a hostile name's escapes as placeholders, never raw ($line)"
out=$(printf '%s\n' "$PW" | lumen whoami --email viewer@brightsmile.test --password-stdin 2>&1); rc=$?
e2e_ok "[ $rc = 0 ] && ! echo \"\$out\" | grep -q \"[$ESC$BEL]\" && echo \"\$out\" | grep -q '^name  *=HYPERLINK(1) ␛]0;pwned␇␛\[2J Vera'" \
  "lumen whoami shows the same name as placeholders too"

out=$(team admin@brightsmile.test --csv 2>&1); rc=$?
e2e_is "$(echo "$out" | head -1)" "name,email,role,two_factor,last_active_at,member_since$(printf '\r')" \
  "--csv: the header row, CRLF"
row=$(echo "$out" | grep 'viewer@brightsmile.test')
case $row in
  "\"'=HYPERLINK(1) $ESC]0;pwned$BEL$ESC[2J Vera\",viewer@brightsmile.test,viewer,false,"*) r=0 ;;
  *) r=1 ;;
esac
e2e_ok "[ $rc = 0 ] && [ $r = 0 ]" "--csv into a pipe keeps the data as it is, a formula neutralised ($row)"
echo "$out" | grep -q '^Olivia Owner,owner@brightsmile.test,owner,true,,[0-9-]*T[0-9:]*+00:00.$' &&
  echo "$out" | grep -q '^Adam Admin,admin@brightsmile.test,admin,false,[0-9-]*T[0-9:]*+00:00,[0-9-]*T[0-9:]*+00:00.$'
e2e_ok "[ $? = 0 ]" "--csv: roles and two-factor as data, times in ISO 8601 UTC, never signed in empty"

# --csv on a terminal: the same cells, sanitized (tmux shows what the
# terminal was sent; a raw OSC would have retitled it and vanished).
e2e_start "sh -c 'printf \"%s\\n\" $PW | $LUMEN_BIN --config $E2E_CONF team list --csv --email admin@brightsmile.test --password-stdin'"
e2e_wait_exit 20
e2e_ok "e2e_screen | grep -q '␛]0;pwned␇␛\[2J Vera' && [ \"\$(e2e_exit_status)\" = 0 ]" \
  "--csv on a terminal shows the escapes as placeholders"

out=$(printf 'not the password\n' | lumen team list --email admin@brightsmile.test --password-stdin 2>&1); rc=$?
e2e_ok "[ $rc = 1 ] && [ \"\$out\" = 'lumen: wrong email or password' ]" "a wrong password: exit 1, one line"

# The practice requires two-factor: the Admin (none) may do nothing but enroll.
e2e_sql "UPDATE lumen.practices SET require_mfa = true WHERE id = '$BSD'" >/dev/null
out=$(team admin@brightsmile.test 2>&1); rc=$?
e2e_ok "[ $rc = 1 ] && [ \$(echo \"\$out\" | wc -l) = 1 ] && echo \"\$out\" | grep -q 'requires two-factor'" \
  "a practice that requires two-factor: exit 1, one line that says so ($out)"
e2e_sql "UPDATE lumen.practices SET require_mfa = false WHERE id = '$BSD'" >/dev/null

e2e_sql "UPDATE lumen.practices SET closed_at = now(), purge_after = now() + interval '30 days' WHERE id = '$BSD'" >/dev/null
out=$(team admin@brightsmile.test 2>&1); rc=$?
e2e_ok "[ $rc = 1 ] && [ \$(echo \"\$out\" | wc -l) = 1 ] && echo \"\$out\" | grep -q 'closed'" \
  "a closed practice: exit 1, one line that says so ($out)"
e2e_sql "UPDATE lumen.practices SET closed_at = NULL, purge_after = NULL WHERE id = '$BSD'" >/dev/null

lumen team list --bogus >/dev/null 2>&1; r1=$?
lumen team list extra >/dev/null 2>&1; r2=$?
lumen team >/dev/null 2>&1; r3=$?
lumen whoami --csv >/dev/null 2>&1; r4=$?
out=$(lumen team list --help); r5=$?
e2e_ok "[ $r1 = 2 ] && [ $r2 = 2 ] && [ $r3 = 2 ] && [ $r4 = 2 ] && [ $r5 = 0 ] && echo \"\$out\" | grep -q '^usage: lumen team list'" \
  "usage errors exit 2 (an unknown option, an extra word, no command, --csv elsewhere); --help"

e2e_done
