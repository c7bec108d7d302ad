#!/bin/sh
# The connection comes from the config alone, and the session settings the
# client relies on are its own: hostile role defaults (which any role may
# set on itself) and PG* variables in the environment break neither the
# sign-in nor a migration.
. "$(dirname "$0")/lib.sh"
e2e_plan 6
e2e_db
# As superuser and only in this test's database: dropdb removes them.
for s in "default_transaction_read_only = on" "bytea_output = escape" \
         "DateStyle = 'SQL, DMY'" "search_path = 'public'" "statement_timeout = '1ms'" \
         "lock_timeout = '1ms'" "idle_session_timeout = '1s'" "TimeZone = 'Pacific/Kiritimati'" \
         "default_transaction_isolation = 'serializable'" "IntervalStyle = 'sql_standard'" \
         "row_security = off" "exit_on_error = on" "transform_null_equals = on" \
         "extra_float_digits = -15"; do
  e2e_sql "ALTER ROLE lumen_client IN DATABASE $E2E_DB SET $s"
done

e2e_lumen
e2e_sign_in admin@brightsmile.test
e2e_ok 'e2e_wait_for "Welcome, Adam Admin"' "the Admin signs in despite hostile role defaults"
e2e_keys r
e2e_ok 'e2e_wait_for "Up to date."' "and the next call works too"
e2e_is "$(e2e_sql "SELECT count(*) > 0 FROM lumen.sessions s JOIN lumen.accounts a ON a.id = s.account_id WHERE a.email = 'admin@brightsmile.test' AND s.revoked_at IS NULL")" t \
  "the sign-in wrote its session"

# Every one of these would redirect, weaken or break the connection.
e2e_lumen PGHOSTADDR=192.0.2.2 PGHOST=192.0.2.3 PGPORT=1 PGSERVICE=nowhere PGSSLMODE=require \
  PGOPTIONS=-cdefault_transaction_read_only=on PGDATESTYLE=SQL PGTZ=Asia/Kolkata \
  PGUSER=postgres PGDATABASE=postgres PGCLIENTENCODING=LATIN1 PGCONNECT_TIMEOUT=1
e2e_sign_in admin@brightsmile.test
e2e_ok 'e2e_wait_for "Welcome, Adam Admin"' "PG* variables cannot take the connection elsewhere"
e2e_is "$(e2e_sql "SELECT DISTINCT usename || ' ' || datname FROM pg_stat_activity WHERE application_name = 'lumen'")" \
  "lumen_client $E2E_DB" "the connection is the config's role and database"

# The migrator: its role's defaults (last: they bind e2e_sql too) and PG*.
e2e_sql "ALTER ROLE postgres IN DATABASE $E2E_DB SET search_path = 'lumen'"
e2e_sql "ALTER ROLE postgres IN DATABASE $E2E_DB SET default_transaction_read_only = on"
out=$(env PGHOSTADDR=192.0.2.2 PGSERVICE=nowhere PGOPTIONS=-cstatement_timeout=1 \
  "$LUMEN_BIN" db migrate --config "$E2E_CONF" 2>&1)
e2e_ok 'case $out in "database is up to date (0 migrations applied now"*) true;; *) echo "# $out"; false;; esac' \
  "lumen db migrate works despite the migrator's role defaults and PG* variables"
e2e_done
