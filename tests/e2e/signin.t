#!/bin/sh
# Sign in as the Admin; the header; ? help; sign out; wrong passwords read
# the same and crash nothing; a hostile name is shown, never obeyed.
. "$(dirname "$0")/lib.sh"
e2e_plan 14
e2e_db
# A display name that tries to clear the screen and retitle the terminal.
e2e_sql "UPDATE lumen.accounts SET display_name = E'\\x1b[2J\\x1b]0;pwned\\x07Eve \\u202Eevil' WHERE email = 'admin@brightsmile.test'" >/dev/null

e2e_lumen
e2e_sign_in admin@brightsmile.test
e2e_ok 'e2e_wait_for "admin@brightsmile.test (Admin)"' "the Admin signs in; the header names user and role"
e2e_ok 'e2e_screen | head -n 1 | grep -q "Bright Smile Dental"' "the header names the practice"
e2e_ok 'e2e_screen | grep -qF "Welcome, ␛[2J␛]0;pwned␇Eve �evil"' "escape sequences and a bidi override in a name are shown as placeholders"
e2e_ok '[ "$(e2e_tmux display-message -p -t t "#{pane_title}")" != pwned ]' "the name's escape sequence did not retitle the terminal"

e2e_keys '?'
e2e_ok 'e2e_wait_for "Keys of this screen"' "? opens the help of the screen"
e2e_ok 'e2e_screen | grep -q "o  *sign out of this session" && e2e_screen | grep -q "q, C-c  *leave Lumen"' "help lists the screen's keys from the action table"
e2e_keys Escape
e2e_ok 'e2e_wait_gone "Keys of this screen" && e2e_wait_for "Welcome"' "Esc closes the help"

e2e_keys o
e2e_ok 'e2e_wait_for "Sign out of this session?"' "o asks before signing out"
e2e_keys y
e2e_ok 'e2e_wait_for "You are signed out." && e2e_wait_for "Sign in to Lumen"' "y signs out, back to the sign-in screen"
e2e_is "$(e2e_sql "SELECT count(*) FROM lumen.sessions s JOIN lumen.accounts a ON a.id = s.account_id WHERE a.email = 'admin@brightsmile.test' AND s.revoked_at IS NULL")" 0 \
  "the session is revoked in the database"

# The email is kept; type a wrong password.
e2e_type wrong-password; e2e_keys Enter
e2e_ok 'e2e_wait_for "Wrong email or password."' "a wrong password gives the generic message"
e2e_keys Up C-u
e2e_type nobody@nowhere.test; e2e_keys Enter
e2e_type whatever; e2e_keys Enter
e2e_ok 'e2e_wait_for "Wrong email or password." && e2e_screen | grep -q "nobody@nowhere.test"' "an unknown email gives the very same message"
e2e_ok '[ -z "$(e2e_exit_status)" ]' "lumen is still running"
e2e_ok '! e2e_screen | grep -q "wrong-password\|whatever"' "no password is ever shown"
e2e_done
