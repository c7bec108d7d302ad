#!/bin/sh
# The Owner's notification settings (settings, n): a webhook added (a URL
# the prompt refuses first, then one it takes), its whsec_ secret shown
# once in a box that says the receiver verifies with it -- and nowhere in
# the database in clear; a test sent (an outbox row); an address for the
# lead alerts; the lead link; a new secret after the password is asked
# again (step-up, the call replayed); a webhook disabled by a 410 shown as
# such and enabled again; a receiver's error with an escape in it shown
# through the sanitizer; the webhook removed after a confirmation.  All of
# it at 80x24; smaller, the screen says what it needs.  An Admin and a
# Viewer have no way in (the database's refusal of a hand-made call is
# tests/db's).
. "$(dirname "$0")/lib.sh"
e2e_plan 26
e2e_db
BSD=a1000000-0000-4000-8000-000000000001
HOOK=http://127.0.0.1:9/hook
LINK='https://brightsmile.test/inbox/{lead_id}'
while [ $(( $(date +%s) % 30 )) -gt 22 ]; do sleep 1; done      # one TOTP step for the sign-in

e2e_lumen
e2e_sign_in owner@brightsmile.test
e2e_wait_for "Two-factor code"
CODE=$(e2e_totp)
e2e_type "$CODE"; e2e_keys Enter
e2e_wait_for "Welcome, Olivia Owner"
e2e_keys 4
e2e_wait_for "Team of Bright Smile Dental"
e2e_keys S
e2e_ok 'e2e_wait_for "Settings of Bright Smile Dental" && e2e_wait_for "n: notifications (webhooks"' \
  "the settings say where the notifications are"
e2e_keys n
e2e_ok 'e2e_wait_for "Notifications of Bright Smile Dental" && e2e_wait_for "Webhooks (0 of 10)" && e2e_wait_for "Failed or retrying deliveries (0)"' \
  "n opens the notifications: webhooks, lead alert addresses, failures"

# A URL the database would refuse: the prompt says why and keeps the text.
e2e_keys a
e2e_wait_for "Add a webhook"
e2e_type "ftp://127.0.0.1/hook"; e2e_keys Enter Enter
e2e_ok 'e2e_wait_for "A webhook URL starts with https://"' "a URL that is not http(s) is refused by the prompt"
e2e_keys C-u                            # the focus is back on the URL
e2e_type "$HOOK"; e2e_keys Enter
e2e_type "Front desk bot"; e2e_keys Enter
e2e_ok 'e2e_wait_for "Webhook signing secret" && e2e_wait_for "verifies each delivery" && e2e_screen | grep -q "Standard"' \
  "the secret is shown once, in a box that says the receiver verifies with it"
SECRET=$(e2e_screen | grep -oE 'whsec_[A-Za-z0-9+/]{43}=' | head -1)
e2e_ok '[ -n "$SECRET" ]' "and it is a whsec_ secret (32 bytes in base64)"
e2e_is "$(e2e_sql "SELECT description FROM lumen.notify_webhooks WHERE practice_id = '$BSD' AND url = '$HOOK' AND removed_at IS NULL")" \
  "Front desk bot" "the database has the webhook and its description"
B64=${SECRET#whsec_}
DUMP=$(pg_dump -a "$E2E_DB" 2>/dev/null)
e2e_ok '[ -n "$DUMP" ] && ! echo "$DUMP" | grep -q whsec_ && ! echo "$DUMP" | grep -qF "$B64"' \
  "and nothing in it holds the secret in clear"
e2e_keys Escape
e2e_ok 'e2e_wait_gone "Webhook signing secret" && ! e2e_screen | grep -q whsec_ && e2e_screen | grep -Eq "Front desk bot +active"' \
  "the box closes, the secret is gone from the screen, and the webhook is listed, active"

e2e_keys t
e2e_ok 'e2e_wait_for "Test queued"' "t sends the webhook a test"
e2e_is "$(e2e_sql "SELECT count(*) FROM lumen.outbox WHERE practice_id = '$BSD' AND kind = 'notify.test' AND channel = 'webhook'")" \
  1 "an outbox row notify.test waits for lumen notify"

e2e_keys e
e2e_wait_for "Add a lead alert address"
e2e_type "alerts@brightsmile.test"; e2e_keys Enter
e2e_ok 'e2e_wait_for "Address added" && e2e_wait_for "alerts@brightsmile.test: gets the lead alerts"' \
  "e adds an address for the lead alerts, and the cursor goes to it"
e2e_is "$(e2e_sql "SELECT count(*) FROM lumen.notify_emails WHERE practice_id = '$BSD' AND email = 'alerts@brightsmile.test' AND removed_at IS NULL")" \
  1 "the database has it"

e2e_keys l
e2e_wait_for "Empty: alerts carry no link"
e2e_keys C-u
e2e_type "$LINK"; e2e_keys Enter
e2e_ok 'e2e_wait_for "Lead link saved" && e2e_wait_for "Lead link  $LINK"' "l sets the lead link"
e2e_is "$(e2e_sql "SELECT lead_link FROM lumen.practices WHERE id = '$BSD'")" "$LINK" "the database has it"

# Ten minutes later (aged by hand) a new secret asks the password and a
# code once, then is made: the call replayed.
while [ "$(e2e_totp)" = "$CODE" ]; do sleep 1; done
e2e_sql "UPDATE lumen.sessions SET step_up_at = now() - interval '11 minutes'
         WHERE account_id = 'c1000000-0000-4000-8000-000000000001'" >/dev/null
e2e_keys g
e2e_wait_for "r new secret"             # the hints of a webhook's row
e2e_keys r
e2e_wait_for "New webhook secret"
e2e_keys y
e2e_ok 'e2e_wait_for "Confirm it is you"' "a new secret asks for the password again (step-up)"
e2e_type "$E2E_PASSWORD"; e2e_keys Enter
e2e_type "$(e2e_totp)"; e2e_keys Enter
e2e_ok 'e2e_wait_for "The old secret works 24 hours more."' "and then shows the new secret, once"
SECRET2=$(e2e_screen | grep -oE 'whsec_[A-Za-z0-9+/]{43}=' | head -1)
e2e_ok '[ -n "$SECRET2" ] && [ "$SECRET2" != "$SECRET" ]' "a different one"
e2e_keys Escape
e2e_wait_gone "Webhook signing secret"

# A receiver answered 410 (the endpoint is gone) and another delivery's
# error carries an escape sequence: both shown, the escape as a mark.
e2e_sql "UPDATE lumen.notify_webhooks SET disabled_at = now(), disabled_reason = 'HTTP 410 Gone'
         WHERE practice_id = '$BSD'" >/dev/null
e2e_sql "UPDATE lumen.outbox SET attempts = 3, last_error = E'HTTP 500 \\033[31mred', last_attempt_at = now(), last_error_at = now(),
         next_attempt_at = now() + interval '30 minutes' WHERE practice_id = '$BSD' AND kind = 'notify.test'" >/dev/null
e2e_keys g
e2e_ok 'e2e_wait_for "disabled: HTTP 410 Gone;" && e2e_wait_for "Failed or retrying deliveries (1)" && e2e_screen | grep -q "HTTP 500 ␛\[31mred" && e2e_screen | grep -Eq "disabled: HT[^ ]* +error [0-9]{2}-[0-9]{2} "' \
  "a disabled webhook says why and that its last word was an error; a receiver's error is shown through the sanitizer"
e2e_ok 'e2e_screen | grep -q "Webhooks (1 of 10)" && e2e_screen | grep -q "Lead alerts by email (2 of 20)" && e2e_screen | grep -q "E enable"' \
  "at 80x24 the three sections show at once, and E is offered on the disabled webhook"
e2e_keys E
e2e_ok 'e2e_wait_for "Enabled" && e2e_wait_for "active, 2 secrets"' \
  "E enables it again; the old secret still lives beside the new one"

e2e_keys d
e2e_wait_for "Remove the webhook"
e2e_keys y
e2e_ok 'e2e_wait_for "Webhook removed" && e2e_wait_for "Webhooks (0 of 10)"' "d removes the webhook, once confirmed"
e2e_is "$(e2e_sql "SELECT count(*) FROM lumen.notify_webhooks WHERE practice_id = '$BSD' AND removed_at IS NULL")" \
  0 "the database has it removed"

e2e_resize 72 20
e2e_ok 'e2e_wait_for "Lumen needs 80x24"' "smaller than 80x24, the screen says what it needs"
e2e_resize 80 24
e2e_wait_for "Notifications of Bright Smile Dental"
e2e_keys Escape
e2e_ok 'e2e_wait_for "Settings of Bright Smile Dental"' "Esc goes back to the settings"

# An Admin and a Viewer: no settings, so no notifications.
for who in admin viewer; do
  e2e_use $who
  e2e_lumen
  e2e_sign_in $who@brightsmile.test
  e2e_wait_for "Welcome, "
  e2e_keys 4
  e2e_wait_for "Team of Bright Smile Dental"
  e2e_keys S n '?'
  e2e_wait_for "Keys of this screen"
  e2e_ok '! e2e_screen | grep -qi "notifications" && ! e2e_screen | grep -q "the practice.s settings"' \
    "the $who's keys offer neither the settings nor the notifications"
  e2e_keys Escape
done
e2e_done
