#!/bin/sh
# The picker is a table (tui/table, issue 6): a header row "Practice" and
# "Role", the role of each practice as the header says it ("Viewer"), the
# row under the cursor reversed, and at 80 columns a practice name too
# long for its column cut with an ellipsis, the role still beside it.
. "$(dirname "$0")/lib.sh"
e2e_plan 7
e2e_db
e2e_second_practice
LONG="Harbor Family Therapy and Counselling Services of the Greater Lakeshore Area"
e2e_sql "UPDATE lumen.practices SET name = '$LONG' WHERE name = 'Harbor Family Therapy'" >/dev/null
e2e_lumen
e2e_sign_in admin@brightsmile.test
e2e_ok 'e2e_wait_for "Choose a practice" && e2e_wait_for "Bright Smile Dental"' "the picker is up"
e2e_ok 'e2e_screen | grep -Eq "^ +Practice +Role *$"' "a header row names the columns Practice and Role"
e2e_ok 'e2e_screen | grep -Eq "Bright Smile Dental +Admin *$"' "each row has its practice and the role held there"
e2e_ok 'e2e_screen | grep -Eq "Harbor Family Therapy and Counselling.*… +Viewer *$"' \
  "a name too long for 80 columns is cut with an ellipsis, the role still beside it"
e2e_ok '! e2e_screen | grep -qF "$LONG"' "and is not drawn whole"
# The selected row is reverse video (readable without colour); j moves it.
reversed() { e2e_screen_escapes | grep -F "$1" | grep -Eq "$(printf '\033')\[([0-9]+;)*7m"; }
selected() {  # selected ROW OTHER: ROW is reversed and OTHER not, within 5 s
  _i=0
  while [ $_i -lt 100 ]; do
    if reversed "$1" && ! reversed "$2"; then return 0; fi
    sleep 0.05; _i=$((_i + 1))
  done
  return 1
}
e2e_ok 'selected "Bright Smile Dental" "Harbor Family"' "the first row is the selected one"
e2e_keys j
e2e_ok 'selected "Harbor Family" "Bright Smile Dental"' "j selects the second"
e2e_done
