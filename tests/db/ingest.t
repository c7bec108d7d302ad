#!/bin/sh
# The chatbot's way in (issue 7): the login role lumen_ingest, over the
# Unix socket as the chatbot's backend would connect, can call
# ingest.lead_capture and nothing else, and a lead it writes wakes the
# inboxes listening on its practice's channel (and no other practice's).
# Runs in a database of its own copied from the demo data.
set -u
n=0; failed=0
ok() { n=$((n + 1)); if [ "$1" = 0 ]; then echo "ok $n - $2"; else echo "not ok $n - $2"; failed=1; fi; }
echo "1..9"

db="ingest_$$"
tmp=$(mktemp -d)
cleanup() { kill $(jobs -p) 2>/dev/null; wait 2>/dev/null; dropdb --if-exists "$db" >/dev/null 2>&1; rm -rf "$tmp"; }
trap cleanup EXIT
createdb -T lumen_demo "$db" || { echo "Bail out! cannot create $db"; exit 1; }

# As the chatbot: an error comes back as its SQLSTATE and message.
as_ingest() { psql -X -q -At -v ON_ERROR_STOP=1 -v VERBOSITY=default -U lumen_ingest -d "$db" -c "$1" 2>&1; }
as_su() { psql -X -q -At -v ON_ERROR_STOP=1 -d "$db" -c "$1"; }
BSD=a1000000-0000-4000-8000-000000000001
HFT=a2000000-0000-4000-8000-000000000002
chan() { echo "lumen_leads_$(echo "$1" | tr -d -)"; }
key=$(as_su "SELECT lumen.ingest_key_new('$BSD')")

out=$(as_ingest "SELECT ingest.lead_capture('$key', '{\"name\": \"Ingest Role Test\", \"transcript\": [{\"from\": \"visitor\", \"text\": \"hi\"}]}')")
echo "$out" | grep -Eqx '[0-9]+' &&
  [ "$(as_su "SELECT practice_id FROM lumen.leads WHERE id = ${out:-0}")" = "$BSD" ]
ok $? "lumen_ingest writes a lead with its practice's key ($out)"
out=$(as_ingest "SELECT ingest.lead_capture('$key', '{\"name\": 7}')")
echo "$out" | grep -q 'lead.name: must be a string'
ok $? "a bad payload is refused with the field named"
out=$(as_ingest "SELECT ingest.lead_capture('lik_$(printf '%064d' 0)', '{}')")
echo "$out" | grep -q 'unknown ingest key'
ok $? "an unknown key is refused"
out=$(as_ingest "SELECT count(*) FROM lumen.leads")
echo "$out" | grep -q 'permission denied'
ok $? "it cannot read the leads table"
out=$(as_ingest "SELECT * FROM api.login_begin('owner@brightsmile.test')")
echo "$out" | grep -q 'permission denied'
ok $? "it cannot call the api (not even login_begin)"
out=$(as_ingest "SELECT lumen.ingest_key_new('$BSD')")
echo "$out" | grep -q 'permission denied'
ok $? "it cannot make itself a key"
out=$(as_ingest "CREATE FUNCTION ingest.x() RETURNS int LANGUAGE sql AS 'SELECT 1'")
echo "$out" | grep -q 'permission denied'
ok $? "it cannot create anything in schema ingest"

# A listener on both practices' channels (as an inbox would, as the client
# role) holds its session open; psql prints each notification after the
# next statement it runs.
psql -X -q -At -U lumen_client -d "$db" -c "LISTEN $(chan $BSD)" -c "LISTEN $(chan $HFT)" \
  -c "SELECT pg_sleep(4)" -c "SELECT 'done'" > "$tmp/listen.out" 2>&1 &
listener=$!
i=0
while [ $i -lt 50 ] && [ "$(as_su "SELECT count(*) FROM pg_stat_activity WHERE datname = '$db'
                                   AND usename = 'lumen_client' AND query LIKE '%pg_sleep%'")" != 1 ]; do
  sleep 0.1; i=$((i + 1))
done
as_ingest "SELECT ingest.lead_capture('$key', '{\"name\": \"Wakes The Inbox\"}')" >/dev/null
as_ingest "BEGIN; SELECT ingest.lead_capture('$key', '{\"name\": \"Rolled Back\"}'); ROLLBACK" >/dev/null
wait $listener
grep -q "Asynchronous notification \"$(chan $BSD)\"" "$tmp/listen.out"
ok $? "a captured lead wakes the listeners of its practice's channel ($(chan $BSD))"
[ "$(grep -c 'Asynchronous notification' "$tmp/listen.out")" = 1 ] &&
  ! grep -q "$(chan $HFT)" "$tmp/listen.out"
ok $? "once (the rolled-back capture sent nothing), and the other practice's channel stays quiet"
[ $failed = 0 ] || sed 's/^/# /' "$tmp/listen.out"
exit $failed
