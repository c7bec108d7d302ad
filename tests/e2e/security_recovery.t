#!/bin/sh
# A recovery code from the enrollment signs in once (C-r on the code
# step) and is refused the second time; the codes never reach the
# terminal's scrollback (Lumen draws on the alternate screen).  The key
# is read as text here (80x24: no room for the QR code).
. "$(dirname "$0")/lib.sh"
e2e_plan 7
e2e_db

e2e_lumen
e2e_sign_in admin@brightsmile.test
e2e_wait_for "Welcome, Adam Admin"
e2e_keys 5
e2e_wait_for "Two-factor    off"
e2e_keys e
e2e_ok 'e2e_wait_for "Key   "' "the enrollment shows the key"
secret=$(e2e_screen | sed -n 's/^  Key   //p' | tr -d ' ')
e2e_type "$(oathtool --totp -b "$secret")"; e2e_keys Enter
e2e_ok 'e2e_wait_for "Your recovery codes: shown this once"' "the code confirms: the recovery codes"
e2e_wait_until '[ "$(e2e_screen | grep -oE "[0-9]+\.  [A-Za-z0-9-]+" | wc -l)" -eq 10 ]' 5
code=$(e2e_screen | grep -oE '[0-9]+\.  [A-Za-z0-9-]+' | awk 'NR == 3 { print $2 }')
e2e_keys Enter
e2e_wait_for "Saved them?"
e2e_type saved; e2e_keys Enter
e2e_wait_for "Two-factor    on"
e2e_keys C-c
e2e_wait_exit
e2e_ok '! e2e_tmux capture-pane -p -S - -t t | grep -qF -- "$code"' \
  "after Lumen exits, no recovery code is in the terminal or its scrollback"

e2e_lumen
e2e_sign_in admin@brightsmile.test
e2e_wait_for "Two-factor code"
e2e_keys C-r
e2e_wait_for "Enter one of your recovery codes."
e2e_type "$code"; e2e_keys Enter
e2e_ok 'e2e_wait_for "admin@brightsmile.test (Admin)"' "a recovery code from the enrollment signs in"
e2e_ok 'e2e_wait_for "Recovery code used: 9 left."' "and nine are left"

e2e_keys o y
e2e_wait_for "Sign in to Lumen"
e2e_type "$E2E_PASSWORD"; e2e_keys Enter
e2e_wait_for "Two-factor code"
e2e_keys C-r
e2e_type "$code"; e2e_keys Enter
e2e_ok 'e2e_wait_for "That code is not right, or was used already"' "the same recovery code is refused the second time"
e2e_ok '! e2e_screen | grep -q "(Admin)"' "and the Admin is not signed in"
e2e_done
