#!/bin/sh
# A lead that arrives while the inbox is open shows as "1 new" without
# moving the cursor, and g brings it in; a hostile lead (an escape
# sequence for a name, a bidi override in the service) is drawn with
# placeholders and leaves the terminal's title alone.
. "$(dirname "$0")/lib.sh"
e2e_plan 7
e2e_db
e2e_ingest "Marta Eastwood-Liu" "Crown" >/dev/null
e2e_lumen
e2e_sign_in admin@brightsmile.test
e2e_wait_for "Welcome, Adam Admin"
e2e_keys 2
e2e_wait_for "Marta Eastwood-Liu"
e2e_keys j j j
e2e_wait_for " 4 of"
e2e_ingest "$(printf 'Nadia \033]0;pwned\007Hacker')" "$(printf 'Implant \342\200\256gnp.exe')" >/dev/null
e2e_ok 'e2e_wait_for "1 new" 5' "a lead ingested now shows as 1 new within seconds"
e2e_ok '! e2e_screen | grep -q "Nadia" && e2e_screen | sed -n 5p | grep -q "Marta Eastwood"' \
  "the new lead is not slipped in above: the view did not move"
e2e_keys Enter
e2e_ok 'e2e_wait_for ": Patricia" && e2e_screen | sed -n 2p | grep -q "Lead .*: Patricia"' \
  "the cursor stayed on its row (Enter opens the fourth lead)"
e2e_keys Escape
e2e_wait_for "1 new"
e2e_keys g
e2e_ok 'e2e_wait_for "Nadia" && e2e_wait_gone "1 new"' "g shows it and the count goes"
e2e_ok '! e2e_screen_escapes | grep -q "pwned.$(printf "\007")" && e2e_screen | grep -q "Nadia ␛]0;pwne"' \
  "the escape sequence in its name is drawn as placeholders"
e2e_ok 'e2e_screen | grep "Nadia" | grep -qv "$(printf "\342\200\256")"' \
  "the bidi override in its service is not passed to the terminal"
e2e_is "$(e2e_tmux display-message -p -t t '#{pane_title}' | grep -c pwned)" 0 \
  "the terminal's title is untouched"
e2e_done
