#!/bin/sh
# At 80x24 the QR code of the enrollment does not fit: the screen says how
# many rows and columns it needs, shows the key as text in groups of
# four, and C-t shows the otpauth:// link.  Made large enough, the code
# is drawn, and it decodes to the same key.
. "$(dirname "$0")/lib.sh"
e2e_plan 6
e2e_db

e2e_lumen
e2e_sign_in admin@brightsmile.test
e2e_wait_for "Welcome, Adam Admin"
e2e_keys 5
e2e_wait_for "Two-factor    off"
e2e_keys e
e2e_ok 'e2e_wait_for "The QR code needs a terminal of" && e2e_screen | tr -s " \n" " " | grep -Eq "needs a terminal of [0-9]+ rows and [0-9]+ columns \(this one has 24 and 80\)"' \
  "at 80x24 the screen says how many rows and columns the QR code needs"
e2e_wait_for "Key   "
shown=$(e2e_screen | sed -n 's/^  Key   //p')
e2e_ok 'echo "$shown" | grep -Eq "^([A-Z2-7]{4} ){7}[A-Z2-7]{4} *$"' "and shows the key as text in groups of four"
rows=$(e2e_screen | tr -s ' \n' ' ' | sed -n 's/.*needs a terminal of \([0-9]*\) rows and \([0-9]*\) columns.*/\1 \2/p')
e2e_keys C-t
e2e_ok 'e2e_wait_for "otpauth://totp/Lumen:admin@brightsmile.test?secret="' "C-t shows the otpauth:// link"

# As large as it said: the code is drawn, and it is the same key.
e2e_resize $(echo "$rows" | awk '{ print ($2 > 80 ? $2 : 80) }') $(echo "$rows" | awk '{ print $1 }')
e2e_keys C-t
e2e_ok 'e2e_wait_gone "The QR code needs"' "in a terminal as large as it said, the QR code is drawn ($rows)"
# Read once the whole code is drawn (a capture may catch a frame half written).
e2e_wait_until 'e2e_qr_uri >/dev/null 2>&1' 5
uri=$(e2e_qr_uri)
e2e_ok 'echo "$uri" | grep -q "^otpauth://totp/Lumen:admin@brightsmile.test?secret="' "and it decodes"
e2e_is "$(echo "$uri" | sed -n 's/.*secret=\([A-Z2-7]*\).*/\1/p')" "$(echo "$shown" | tr -d ' ')" \
  "to the key shown as text"
e2e_done
