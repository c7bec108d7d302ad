#!/bin/sh
# The Admin (no two-factor) turns it on from the Security tab (5): the QR
# code drawn in the terminal decodes (zbarimg, on a picture of the screen)
# to the otpauth:// URI, whose secret is the key shown as text in groups
# of four; a wrong code is refused, a code from oathtool confirms; the ten
# recovery codes are shown once, written to a new file of mode 0600 that
# is never written over, and the screen goes on only once "saved" is
# typed; signing in again asks for a code, and one from the app works.
. "$(dirname "$0")/lib.sh"
e2e_plan 16
e2e_db
E2E_COLS=100
E2E_ROWS=50
file=$(mktemp -u /tmp/lumen-codes-XXXXXX)
trap 'rm -f "$file"; e2e_cleanup' EXIT

e2e_lumen
e2e_sign_in admin@brightsmile.test
e2e_wait_for "Welcome, Adam Admin"
e2e_keys 5
e2e_ok 'e2e_wait_for "Two-factor    off"' "the Security tab says two-factor is off"
e2e_keys e
e2e_ok 'e2e_wait_for "Turn on two-factor" && e2e_wait_for "Key   "' "e opens the enrollment with the key"

# Read once the whole code is drawn (a capture may catch a frame half written).
e2e_wait_until 'e2e_qr_uri >/dev/null 2>&1' 5
uri=$(e2e_qr_uri)
e2e_ok 'echo "$uri" | grep -Eq "^otpauth://totp/Lumen:admin@brightsmile\.test\?secret=[A-Z2-7]{32}&issuer=Lumen$"' \
  "the QR code on the screen decodes to the otpauth URI ($uri)"
secret=$(echo "$uri" | sed -n 's/.*secret=\([A-Z2-7]*\).*/\1/p')
shown=$(e2e_screen | sed -n 's/^  Key   //p')
e2e_ok 'echo "$shown" | grep -Eq "^([A-Z2-7]{4} ){7}[A-Z2-7]{4} *$"' "the key is shown in groups of four"
e2e_is "$(echo "$shown" | tr -d ' ')" "$secret" "the key shown as text is the QR code's secret"

e2e_type 000000; e2e_keys Enter
e2e_ok 'e2e_wait_for "That code is not right"' "a wrong code is refused"
e2e_type "$(oathtool --totp -b "$secret")"; e2e_keys Enter
e2e_ok 'e2e_wait_for "Your recovery codes: shown this once"' "a code from the app turns it on: the recovery codes"
e2e_wait_until '[ "$(e2e_screen | grep -oE "[0-9]+\.  [A-Za-z0-9-]+" | wc -l)" -eq 10 ]' 5
codes=$(e2e_screen | grep -oE '[0-9]+\.  [A-Za-z0-9-]+' | awk '{ print $2 }')
e2e_is "$(echo "$codes" | grep -c .)" 10 "ten recovery codes"

# Not before they are saved: no tab is taken.
e2e_keys 1
e2e_ok 'sleep 0.3; e2e_screen | grep -q "shown this once"' "the codes stay until they are saved"

e2e_keys w
e2e_wait_for "Write the codes to a file"
e2e_keys C-u; e2e_type "$file"; e2e_keys Enter
e2e_ok 'e2e_wait_for "Saved to $file"' "w writes them to a file"
e2e_is "$(stat -c %a "$file") $(echo "$codes" | grep -cxFf - "$file")" "600 10" \
  "the file is 0600 and holds the ten codes"
e2e_keys w
e2e_wait_for "Write the codes to a file"
e2e_keys C-u; e2e_type "$file"; e2e_keys Enter
e2e_ok 'e2e_wait_for "exists; Lumen never writes over a file"' "an existing file is never written over"
e2e_keys Escape

e2e_keys Enter
e2e_wait_for "Saved them?"
e2e_type "yes"; e2e_keys Enter
e2e_wait_for "Type the word saved"
e2e_keys C-u; e2e_type "saved"; e2e_keys Enter
e2e_ok 'e2e_wait_for "Two-factor    on" && ! e2e_screen | grep -q "shown this once"' \
  "once saved, back on the Security tab: two-factor is on"
e2e_is "$(e2e_sql "SELECT count(*) FROM audit.audit_log WHERE action = 'mfa.enroll' AND outcome = 'success'")" 1 \
  "the enrollment is in the audit log"

# Signing in again takes a code.  The confirming code's step is spent
# (a code never works twice): the next step's, which the server's
# window of one step takes.
e2e_keys C-c
e2e_wait_exit
e2e_lumen
e2e_sign_in admin@brightsmile.test
e2e_ok 'e2e_wait_for "Two-factor code"' "signing in again asks for a code"
next=$(oathtool --totp -b "$secret" -N "@$(( $(date +%s) + 30 ))")
e2e_type "$next"; e2e_keys Enter
e2e_ok 'e2e_wait_for "admin@brightsmile.test (Admin)"' "and a code from the app signs the Admin in"
e2e_done
