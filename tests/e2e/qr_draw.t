#!/bin/sh
# tui/qr on a real terminal: the enrollment URI that qrshow draws (with
# tui/qr, in each mode) comes back from the screen through
# tests/e2e/qr_decode.pl and zbarimg.  HALF from the screen's text alone;
# FULL and REVERSE from its colours.  Needs no database.
. "$(dirname "$0")/lib.sh"
QRSHOW=${LUMEN_QRSHOW:-$(pwd)/build/tests/e2e/qrshow}
[ -x "$QRSHOW" ] || { echo "Bail out! no $QRSHOW: make e2e-helpers (make check builds it)"; exit 1; }
for t in zbarimg qrencode; do
  command -v $t >/dev/null || { echo "Bail out! no $t: scripts/install-deps.sh test"; exit 1; }
done
e2e_plan 14
URI='otpauth://totp/Lumen:admin@brightsmile.test?secret=JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP&issuer=Lumen'
# qrshow ENV MODE: the URI drawn at E2E_COLS x E2E_ROWS.
qrshow() { e2e_start "env $1 $QRSHOW $2 '$URI'"; }
esc=$(printf '\033')
colours() {  # colour SGR parameters on the screen
  e2e_screen_escapes | grep -Eo "$esc\\[[0-9;]*m" | tr -d "$esc[m" | tr ';' '\n' |
    grep -Ec '^(3[0-8]|4[0-8]|9[0-7]|10[0-7])$'
}

E2E_COLS=80 E2E_ROWS=40
qrshow "" auto
e2e_ok 'e2e_wait_for "qrshow: half 23x45 ready"' "a UTF-8 terminal with colour gets HALF, 23x45"
e2e_is "$(e2e_screen | perl "$(dirname "$0")/qr_decode.pl")" "$URI" \
  "HALF: zbarimg reads the URI from the screen's text alone"
e2e_is "$(e2e_qr_uri -m)" "$(qrencode -t ASCII -m 0 -l L "$URI" | sed 's/##/#/g; s/  /./g')" \
  "HALF: the modules on the screen are qrencode's at level L"
e2e_ok 'e2e_screen_escapes | grep -q "38;5;16m.*48;5;231m"' \
  "HALF: black (16) on white (231), whatever the terminal's colours"
e2e_keys q
e2e_ok 'e2e_wait_exit && [ "$(e2e_exit_status)" = 0 ] && ! e2e_screen | grep -q "▀\|▄\|█"' \
  "a key ends it, and the code leaves the screen"

qrshow NO_COLOR=1 auto
e2e_wait_for "qrshow: half 23x45 ready"
e2e_is "$(e2e_qr_uri)" "$URI" "HALF under NO_COLOR (reverse video): the URI reads back"
e2e_is "$(colours)" 0 "HALF under NO_COLOR: no colour escapes"

E2E_COLS=100 E2E_ROWS=50
qrshow "" full
e2e_wait_for "qrshow: full 45x90 ready"
e2e_is "$(e2e_qr_uri)" "$URI" "FULL at 100x50: the URI reads back from the colours"
e2e_is "$(e2e_screen | tr -d ' \n' | sed 's/qrshow:full45x90ready//; s/Scanit,thenpressakey.//')" "" \
  "FULL is drawn in blanks only"

qrshow "LC_ALL=C" auto
e2e_ok 'e2e_wait_for "qrshow: full 45x90 ready"' "without UTF-8 (LC_ALL=C) colour gets FULL"
e2e_is "$(e2e_qr_uri)" "$URI" "and it reads back"

qrshow "LC_ALL=C NO_COLOR=1" auto
e2e_ok 'e2e_wait_for "qrshow: reverse 45x90 ready"' "without UTF-8 or colour, REVERSE"
e2e_is "$(e2e_qr_uri)" "$URI" "REVERSE: the URI reads back from the reversed blanks"

E2E_COLS=80 E2E_ROWS=24
qrshow "" full
e2e_ok 'e2e_wait_for "qrshow: full needs 46 rows and 90 columns" && ! e2e_qr_uri 2>/dev/null' \
  "FULL at 80x24 says what it needs and draws nothing"
e2e_done
