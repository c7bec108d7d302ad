#!/bin/sh
# make demo: after make demo-db, say how to sign in, then open the TUI.
set -eu
cat <<'TEXT'

Lumen demo: every password is  lumen-demo-2026

  Bright Smile Dental (America/Chicago)
    owner@brightsmile.test    Owner   two-factor on: code with
                              oathtool --totp -b JBSWY3DPEHPK3PXP
    admin@brightsmile.test    Admin
    viewer@brightsmile.test   Viewer
  Harbor Family Therapy (America/New_York)
    owner@harbortherapy.test  Owner, and a Viewer of Bright Smile Dental:
                              picks a practice after signing in (p switches)

  Recovery codes of owner@brightsmile.test (C-r at the code; each works once):
TEXT
# Five a line, from the file whose hashes the demo data holds.
grep -E '^[A-Z2-7]{5}-[A-Z2-7]{5}$' db/demo/recovery-codes.txt | paste -d' ' - - - - - | sed 's/ /  /g; s/^/    /'
cat <<'TEXT'

Keys: Tab or Enter moves between fields, Enter on the last one signs in,
? (F1 in a form) shows the keys of a screen, q quits.  make demo-stop
stops the demo database.

TEXT
if [ ! -t 0 ] || [ ! -t 1 ]; then
  echo "demo: not a terminal; run ./lumen --config .lumen/lumen.conf in one"
  exit 0
fi
printf 'Press Enter to open Lumen... '
read -r _
exec ./lumen --config .lumen/lumen.conf
