#!/bin/sh
# The team, end to end (issue 9): the Owner invites a Viewer and reads the
# code once; the code is accepted with `lumen accept-invite`; the new
# member signs in.  The Owner promotes them and the header of their open
# client follows without a key; the step-up is asked once and not again
# within 10 minutes; the Owner removes them and their open client is back
# at sign-in, saying why, without a key.
. "$(dirname "$0")/lib.sh"
e2e_plan 12
e2e_db
NEW=nina@harbortherapy.test
NEWPW=nina-harbor-2026

# The Owner of Harbor Family Therapy (no 2FA; also a Viewer of Bright Smile:
# the picker comes first, Harbor second).
owner_in() {
  e2e_use t
  e2e_lumen
  e2e_sign_in owner@harbortherapy.test
  e2e_wait_for "Harbor Family Therapy"
  e2e_keys j Enter
  e2e_wait_for "Welcome, Hannah Harbor"
}
owner_in
e2e_keys 4
e2e_ok 'e2e_wait_for "Team of Harbor Family Therapy: 1 member" && e2e_screen | grep -q "Hannah Harbor.*owner@harbor.*Owner"' \
  "the team tab lists the members"
e2e_keys i
e2e_wait_for "Invite as"
e2e_keys Enter                                  # Viewer, the first choice
e2e_wait_for "Invite a member"
e2e_type "$NEW"; e2e_keys Enter
e2e_ok 'e2e_wait_for "Shown this once"' "the invite's code is shown once"
CODE=$(e2e_screen | grep -oE '[A-Z2-7]{4}(-[A-Z2-7]{4}){7}' | head -1)
e2e_keys Enter
e2e_ok 'e2e_wait_gone "Shown this once" && e2e_wait_for "Invites not yet accepted (1)" && e2e_screen | grep -q "$NEW"' \
  "and the invite is listed, the code no longer on screen"

out=$(printf '%s\n' "$NEWPW" | $LUMEN_BIN --config "$E2E_CONF" accept-invite "$CODE" \
        --email "$NEW" --name "Nina Newcomer" --password-stdin 2>&1)
e2e_is "$?:$(echo "$out" | grep -c 'Joined Harbor Family Therapy as Viewer')" "0:1" \
  "lumen accept-invite joins with the code"


e2e_use n
e2e_lumen
e2e_sign_in "$NEW" "$NEWPW"
e2e_ok 'e2e_wait_for "Welcome, Nina Newcomer" && e2e_screen | grep -q "Harbor Family Therapy (Viewer)"' \
  "the new member signs in, a Viewer"

e2e_use t
e2e_keys r
e2e_wait_for "Nina Newcomer"
e2e_keys j                                      # Hannah first, then Nina
e2e_keys '?'
e2e_wait_for "Keys of this screen"
e2e_ok 'e2e_screen | grep -q "make the Viewer under the cursor an Admin" && ! e2e_screen | grep -q "make the Admin under the cursor a Viewer"' \
  "on a Viewer's row help offers promote, not demote"
e2e_keys Escape
e2e_wait_gone "Keys of this screen"
e2e_keys +
e2e_wait_for "Promote to Admin"
e2e_keys y
e2e_ok 'e2e_wait_for "Nina Newcomer is now an Admin" && ! e2e_screen | grep -q "Confirm it is you"' \
  "promoted without a step-up: the sign-in was proof enough"
e2e_use n
e2e_ok 'e2e_wait_for "Harbor Family Therapy (Admin)" 3 && e2e_screen | grep -q "invite members"' \
  "the new member's open client says Admin, without a key, and its home lists what an Admin may do"

# Ten minutes later (aged by hand) the next change asks the password once.
e2e_sql "UPDATE lumen.sessions SET step_up_at = now() - interval '11 minutes'
         WHERE account_id = 'c2000000-0000-4000-8000-000000000004'" >/dev/null
e2e_use t
e2e_keys D
e2e_wait_for "Remove a member"
e2e_type "$NEW"; e2e_keys Enter
e2e_ok 'e2e_wait_for "Confirm it is you"' "removing asks for the password (step-up)"
e2e_type "$E2E_PASSWORD"; e2e_keys Enter
e2e_ok 'e2e_wait_for "Nina Newcomer was removed"' "and then removes the member"
e2e_use n
e2e_ok 'e2e_wait_for "Sign in to Lumen" 3 && e2e_screen | grep -q "You were removed from the practice"' \
  "the removed member's open client is back at sign-in, saying why"

# Within the ten minutes: an invite revoked without being asked again.
e2e_use t
e2e_keys i
e2e_wait_for "Invite as"; e2e_keys Enter
e2e_wait_for "Invite a member"
e2e_type "someone@example.test"; e2e_keys Enter
e2e_wait_for "Shown this once"; e2e_keys Enter
e2e_wait_for "Invites not yet accepted (1)"          # the list, not the prompt's text
e2e_keys G D
e2e_wait_for "Revoke the invite"
e2e_keys y
e2e_ok 'e2e_wait_for "Invite revoked" && ! e2e_screen | grep -q "Confirm it is you"' \
  "a second change within 10 minutes asks nothing"
e2e_done
