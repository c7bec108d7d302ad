#!/bin/sh
# A passfile others can read is refused before libpq reads it, with a line
# that says what to do; and what libpq prints on stderr while connecting
# (here its warning about a ~/.pgpass others can read, which the config
# does not name) never reaches the screen, not even on a reconnect.
. "$(dirname "$0")/lib.sh"
e2e_plan 6
dir=$(mktemp -d)
trap 'rm -rf "$dir"; e2e_cleanup' EXIT
printf '*:*:*:lumen_client:not-needed\n' > "$dir/pgpass"
chmod 644 "$dir/pgpass"
e2e_db "[database]" "passfile = $dir/pgpass"

e2e_start "$LUMEN_BIN config check --config $E2E_CONF"
e2e_ok "e2e_wait_for \"$dir/pgpass: readable by group or others (mode 0644)\"" \
  "config check refuses a passfile others can read"
e2e_lumen
e2e_ok 'e2e_wait_for "chmod 600 $dir/pgpass"' "the TUI refuses it too and says what to run"

sed -i '/^passfile/d' "$E2E_CONF"
cp "$dir/pgpass" "$dir/.pgpass"
e2e_lumen HOME="$dir"
e2e_ok 'e2e_wait_for "Sign in to Lumen"' "without the key, lumen starts (libpq reads ~/.pgpass itself)"
pid=$(e2e_sql "SELECT pid FROM pg_stat_activity WHERE application_name = 'lumen'")
e2e_sql "SELECT pg_terminate_backend($pid)" >/dev/null
i=0
while [ $i -lt 200 ]; do
  new=$(e2e_sql "SELECT pid FROM pg_stat_activity WHERE application_name = 'lumen'")
  [ -n "$new" ] && [ "$new" != "$pid" ] && break
  sleep 0.05; i=$((i + 1))
done
e2e_ok '[ -n "$new" ] && [ "$new" != "$pid" ]' "it reconnected (and libpq read ~/.pgpass again)"
e2e_ok '! e2e_screen | grep -q "WARNING\|password file"' "libpq's warning is not on the screen"
e2e_keys C-c
e2e_ok 'e2e_wait_exit && ! e2e_screen | grep -q "WARNING\|password file"' "nor on the terminal after lumen quits"
e2e_done
