#!/bin/sh
# Client login roles (issue 13, items 2, 6 and 10): lumen db add-client-role
# makes roles that reach the api through lumen_api and nothing else, that
# cannot signal or re-configure each other, and every client role is refused
# large objects, TEMP and the statistics that count other practices' rows.
#
# The database is a copy of lumen_test.  createdb -T does not copy
# database-level grants (PUBLIC may CONNECT and create TEMP tables in the
# copy), which add-client-role sets again.  Roles are cluster-wide; this test
# drops the ones it makes.
set -u
n=0; failed=0
ok() { n=$((n + 1)); if [ "$1" = 0 ]; then echo "ok $n - $2"; else echo "not ok $n - $2"; failed=1; fi; }
echo "1..22"

db=r_roles
tmp=$(mktemp -d)
sleeper=
cleanup() {
  [ -n "$sleeper" ] && kill "$sleeper" 2>/dev/null
  dropdb --if-exists "$db" 2>/dev/null
  psql -X -q -d postgres -c 'DROP ROLE IF EXISTS jump_a' -c 'DROP ROLE IF EXISTS jump_b' 2>/dev/null
  rm -rf "$tmp"
}
trap cleanup EXIT
conf=$tmp/lumen.conf
sed "s/^dbname = .*/dbname = $db/" "$LUMEN_TEST_CONF" > "$conf"
chmod 600 "$conf"
# as ROLE SQL...: runs each SQL as ROLE; prints the answers, and an error as
# its SQLSTATE.
as() {
  role=$1; shift
  for sql in "$@"; do set -- "$@" -c "$sql"; shift; done
  psql -X -q -At -v ON_ERROR_STOP=1 -v VERBOSITY=sqlstate -U "$role" -d "$db" "$@" 2>&1
}
# refused ROLE SQL: ROLE's SQL fails for want of a privilege (42501).
refused() { as "$1" "$2" | grep -q '^ERROR: *42501$'; }

createdb -T "$(sed -n 's/^dbname = //p' "$LUMEN_TEST_CONF")" "$db" || {
  echo "Bail out! cannot copy lumen_test"; exit 1; }

out=$("$LUMEN_BIN" db add-client-role jump_a --config "$conf" 2>&1); rc=$?
[ $rc = 0 ] && echo "$out" | grep -q 'created login role jump_a' && echo "$out" | grep -q 'hostssl .* cert'
ok $? "add-client-role jump_a creates it and says how to authenticate it (exit 0)"
"$LUMEN_BIN" db add-client-role jump_b --config "$conf" >/dev/null 2>&1
ok $? "add-client-role jump_b too"
out=$("$LUMEN_BIN" db add-client-role jump_a --config "$conf" 2>&1); rc=$?
[ $rc = 0 ] && echo "$out" | grep -q 'already existed'
ok $? "running it again for jump_a exits 0 and says the role existed"

"$LUMEN_BIN" db add-client-role 'Jump;drop' --config "$conf" >/dev/null 2>&1; r1=$?
"$LUMEN_BIN" db add-client-role lumen_owner --config "$conf" >/dev/null 2>&1; r2=$?
"$LUMEN_BIN" db add-client-role --config "$conf" >/dev/null 2>&1; r3=$?
[ $r1 = 2 ] && [ $r2 = 2 ] && [ $r3 = 2 ]
ok $? "a name that is no lower-case identifier, Lumen's own role, or none at all: usage error (2)"
out=$("$LUMEN_BIN" db add-client-role postgres --config "$conf" 2>&1); rc=$?
[ $rc = 1 ] && echo "$out" | grep -q 'not a client role'
ok $? "an existing superuser is refused, not made a client (exit 1)"

got=$(psql -X -At -d "$db" -c "
  SELECT string_agg(format('%s %s %s %s %s', a.rolname, a.rolpassword IS NULL, a.rolcanlogin,
                           a.rolinherit, a.rolsuper OR a.rolcreaterole OR a.rolcreatedb
                           OR a.rolreplication OR a.rolbypassrls), ',' ORDER BY a.rolname)
    FROM pg_authid a WHERE a.rolname IN ('jump_a', 'jump_b')
     AND pg_has_role(a.oid, 'lumen_api', 'MEMBER')")
[ "$got" = "jump_a t t t f,jump_b t t t f" ]
ok $? "both: no password, LOGIN, INHERIT, no other power, members of lumen_api (got '$got')"

login="SELECT count(*) FROM api.login_begin('x@example.test')"
[ "$(as jump_a "$login")" = 1 ] && [ "$(as jump_b "$login")" = 1 ]
ok $? "jump_a and jump_b can call api.login_begin"
refused jump_a 'SELECT count(*) FROM lumen.accounts' && refused jump_a 'SELECT count(*) FROM public.schema_migrations'
ok $? "jump_a reads no table (lumen.accounts, schema_migrations)"
[ "$(as lumen_client "$login")" = 1 ]
ok $? "lumen_client still calls the api, through lumen_api"

# Item 6: one client role cannot signal another's backends.
psql -X -q -U jump_b -d "$db" -c 'SELECT pg_sleep(30)' >/dev/null 2>&1 & sleeper=$!
pid=
for _ in $(seq 50); do
  pid=$(psql -X -At -d "$db" -c "SELECT pid FROM pg_stat_activity WHERE usename = 'jump_b' AND query LIKE '%pg_sleep%'")
  [ -n "$pid" ] && break
  sleep 0.1
done
[ -n "$pid" ] || { echo "# no backend of jump_b showed up"; pid=0; }
refused jump_a "SELECT pg_terminate_backend($pid)"
ok $? "jump_a may not pg_terminate_backend a backend of jump_b"
refused jump_a "SELECT pg_cancel_backend($pid)"
ok $? "nor pg_cancel_backend it"
alive=$(psql -X -At -d "$db" -c "SELECT count(*) FROM pg_stat_activity WHERE pid = $pid")
[ "$alive" = 1 ] && kill -0 "$sleeper" 2>/dev/null
ok $? "jump_b's backend is still there"
psql -X -At -d "$db" -c "SELECT pg_terminate_backend($pid)" >/dev/null
wait "$sleeper"; rc=$?; sleeper=
[ "$pid" != 0 ] && [ $rc != 0 ]
ok $? "(the pid was jump_b's: the superuser's terminate ends its psql)"

# Item 10, as lumen_client (and any client role): no large objects, no TEMP,
# no statistics that count other practices' rows.
refused lumen_client 'SELECT lo_creat(-1)' && refused jump_a 'SELECT lo_creat(-1)'
ok $? "lo_creat is refused"
refused lumen_client "SELECT lo_from_bytea(0, 'x')" && refused lumen_client 'SELECT lo_open(1, 131072)'
ok $? "lo_from_bytea and lo_open are refused"
refused lumen_client 'CREATE TEMP TABLE t (x int)'
ok $? "CREATE TEMP TABLE is refused (in a copy too, once add-client-role has run)"
all=0
for v in pg_stat_user_tables pg_stat_all_tables pg_statio_user_tables pg_stat_xact_user_tables \
         pg_stat_user_indexes pg_statio_user_indexes pg_stat_user_functions pg_stat_database; do
  refused lumen_client "SELECT * FROM pg_catalog.$v" || { echo "# $v is readable"; all=1; }
done
ok $all "pg_stat_user_tables and the other views of per-object counts are refused"
acc="((SELECT oid FROM pg_class WHERE relname = 'accounts'))"
refused lumen_client "SELECT pg_stat_get_live_tuples$acc" &&
  refused lumen_client "SELECT pg_stat_get_tuples_inserted$acc" &&
  refused lumen_client "SELECT pg_relation_size$acc"
ok $? "the functions under them (pg_stat_get_*, pg_relation_size) are refused too"
# Known and written down (migration 008, README): the planner's estimate.
as lumen_client "SELECT reltuples FROM pg_class WHERE relname = 'accounts'" | grep -qx -- '-\{0,1\}[0-9]*'
ok $? "pg_class.reltuples stays readable: an estimate over all practices, documented as open"

# Item 2: a role default set by one role touches only that role.
refused jump_a 'ALTER ROLE jump_b SET default_transaction_read_only = on' &&
  refused jump_a 'ALTER ROLE lumen_api SET statement_timeout = 1' &&
  refused jump_a 'ALTER ROLE jump_b PASSWORD NULL'
ok $? "jump_a cannot alter jump_b or lumen_api"
as jump_a 'ALTER ROLE jump_a SET default_transaction_read_only = on' >/dev/null
[ "$(as jump_a 'SHOW default_transaction_read_only')" = on ]
ok $? "jump_a can set a default on itself (PostgreSQL allows it)"
[ "$(as jump_b 'SHOW default_transaction_read_only')" = off ] && [ "$(as jump_b "$login")" = 1 ]
ok $? "jump_b is not affected by it"

exit $failed
