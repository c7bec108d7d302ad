#!/bin/sh
# lumen db migrate against real databases: idempotent, checksums, order,
# atomic failure, two migrators at once; and the repeatable api files
# (db/api), applied after the migrations whenever their text changes.
set -u
n=0; failed=0
ok() { n=$((n + 1)); if [ "$1" = 0 ]; then echo "ok $n - $2"; else echo "not ok $n - $2"; failed=1; fi; }
echo "1..32"

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
conf() {  # conf DBNAME -> path of a config for it
  sed "s/^dbname = .*/dbname = $1/" "$LUMEN_TEST_CONF" > "$tmp/$1.conf"
  chmod 600 "$tmp/$1.conf"
  echo "$tmp/$1.conf"
}
copy() {  # copy NAME -> a folder laid out as db/ (migrations, api) for --dir
  mkdir "$tmp/$1" && cp -r db/migrations db/api "$tmp/$1/" && echo "$tmp/$1"
}
sums() {  # sums FILE... -> "name sha256" lines
  for f in "$@"; do printf '%s %s\n' "$(basename "$f")" "$(sha256sum < "$f" | cut -d' ' -f1)"; done
}
q() { psql -X -At -F ' ' -d m_fresh -c "$1"; }
migrate_dir() { "$LUMEN_BIN" db migrate --config "$c" --dir "$1" 2>&1; }
stamps() { q 'SELECT name, applied_at FROM schema_repeatables ORDER BY name'; }
probe_sum() { q "SELECT checksum FROM schema_repeatables WHERE name = '90_probe.sql'"; }
api_funcs="pg_proc p JOIN pg_namespace s ON s.oid = p.pronamespace AND s.nspname = 'api'"
total=$(ls db/migrations/*.sql | wc -l)
napi=$(ls db/api/*.sql | wc -l)

createdb m_fresh
c=$(conf m_fresh)
out=$("$LUMEN_BIN" db migrate --config "$c" 2>"$tmp/stderr"); rc=$?
ok $rc "first migrate of a fresh database exits 0"
[ ! -s "$tmp/stderr" ] && echo "$out" | grep -q '^applied 001_'
ok $? "its 'applied' lines go to standard output, nothing to standard error (> /dev/null silences it)"
echo "$out" | grep -q "($total migrations\{0,1\} applied now, $total in all; $napi api files\{0,1\} applied now, $napi in all)"
ok $? "it applies all $total migrations and all $napi api files"
last_m=$(echo "$out" | grep -n '^applied [0-9]' | tail -n 1 | cut -d: -f1)
first_a=$(echo "$out" | grep -n '^applied api/' | head -n 1 | cut -d: -f1)
[ -n "$last_m" ] && [ -n "$first_a" ] && [ "$last_m" -lt "$first_a" ] &&
  [ "$(q 'SELECT (SELECT min(applied_at) FROM schema_repeatables) > (SELECT max(applied_at) FROM schema_migrations)')" = t ]
ok $? "the api files are applied after every migration"
before=$(stamps)
out=$("$LUMEN_BIN" db migrate --config "$c" 2>&1); rc=$?
ok $rc "a second migrate exits 0"
echo "$out" | grep -q "(0 migrations applied now, $total in all; 0 api files applied now"
ok $? "the second migrate applies nothing"
[ "$before" = "$(stamps)" ] &&
  ! echo "$out" | grep -q '^applied'
ok $? "it re-runs no api file (applied_at unchanged)"

[ "$(q 'SELECT name, checksum FROM schema_migrations ORDER BY name')" = "$(sums db/migrations/*.sql)" ]
ok $? "schema_migrations records each file with the SHA-256 of its text"
[ "$(q 'SELECT name, checksum FROM schema_repeatables ORDER BY name')" = "$(sums db/api/*.sql)" ]
ok $? "schema_repeatables records each api file with the SHA-256 of its text"

# --dir DIR reads DIR/migrations and DIR/api.
out=$(migrate_dir db/migrations); rc=$?
[ $rc = 1 ] && echo "$out" | grep -q "db/migrations/migrations: cannot open"
ok $? "--dir without a migrations folder in it is refused, naming the folder"

# An applied migration that was edited is refused.
d=$(copy edited)
first=$(ls "$d/migrations" | head -n 1)
echo "-- an afterthought" >> "$d/migrations/$first"
out=$(migrate_dir "$d"); rc=$?
[ $rc -ne 0 ] && echo "$out" | grep -q "migration $first was changed after it was applied"
ok $? "an edited applied migration is refused with a clear message"
"$LUMEN_BIN" db migrate --config "$c" --dir "$d" 2>&1 >/dev/null | grep -q "migration $first was changed"
ok $? "the refusal is on standard error"

# A new file numbered below an applied one is refused.
d=$(copy early)
echo "SELECT 1;" > "$d/migrations/000_early.sql"
out=$(migrate_dir "$d"); rc=$?
[ $rc -ne 0 ] && echo "$out" | grep -q "000_early.sql sorts before"
ok $? "a migration numbered below the applied ones is refused"

# A failing migration leaves nothing behind: its own transaction rolls back;
# nor does any api file run after it.
d=$(copy broken)
printf 'CREATE TABLE lumen.half_done (x int);\nSELEC oops;\n' > "$d/migrations/900_broken.sql"
echo "-- changed" >> "$d/api/10_session.sql"
out=$(migrate_dir "$d"); rc=$?
[ $rc -ne 0 ] && echo "$out" | grep -q "migration 900_broken.sql failed"
ok $? "a failing migration exits non-zero and names the file"
left=$(q "SELECT count(*) FROM pg_tables WHERE tablename = 'half_done'")$(q "SELECT count(*) FROM schema_migrations WHERE name = '900_broken.sql'")
[ "$left" = "00" ] && [ "$before" = "$(stamps)" ]
ok $? "its statements are rolled back, it is not recorded, no api file ran"

# A new one is applied, once.
d=$(copy more)
echo "SET LOCAL ROLE lumen_owner; CREATE TABLE lumen.extra (x int);" > "$d/migrations/900_extra.sql"
out=$(migrate_dir "$d"); rc=$?
[ $rc = 0 ] && echo "$out" | grep -q "(1 migration applied now"
ok $? "a new migration is applied"
[ "$(q "SELECT tableowner FROM pg_tables WHERE tablename = 'extra'")" = lumen_owner ]
ok $? "what it creates after SET LOCAL ROLE is owned by lumen_owner"

# Repeatable files: a probe function, changed from run to run.  Each run
# also carries the migrations applied so far (900_extra among them).
acl="SELECT p.oid::regprocedure::text, p.proacl FROM $api_funcs WHERE p.proname <> 'probe' ORDER BY 1"
acl_before=$(q "$acl")
d=$(copy probe)
cp "$tmp/more/migrations/900_extra.sql" "$d/migrations/"
probe() {  # probe TYPE VALUE [ROLE]: api/90_probe.sql defining api.probe() RETURNS TYPE
  { [ "${3-}" = none ] || echo "SET LOCAL ROLE lumen_owner;"
    echo "SET LOCAL search_path = lumen, ext, pg_temp;"
    echo "DROP FUNCTION IF EXISTS api.probe();"
    echo "CREATE FUNCTION api.probe() RETURNS $1 LANGUAGE sql SECURITY DEFINER"
    echo "SET search_path = lumen, ext, pg_temp AS \$\$ $2 \$\$;"; } > "$d/api/90_probe.sql"
  migrate_dir "$d"
}
out=$(probe integer 'SELECT 1'); rc=$?
[ $rc = 0 ] && echo "$out" | grep -q "; 1 api file applied now, $((napi + 1)) in all)" &&
  [ "$(q 'SELECT api.probe()')" = 1 ]
ok $? "a new api file is applied"
out=$(probe integer 'SELECT 2'); rc=$?
[ $rc = 0 ] && [ "$(echo "$out" | grep '^applied')" = "applied api/90_probe.sql" ] &&
  [ "$(q 'SELECT api.probe()')" = 2 ]
ok $? "an edited api file is applied again, alone, and the edit is live"
[ "$(probe_sum)" = "$(sums "$d/api/90_probe.sql" | cut -d' ' -f2)" ]
ok $? "its new checksum is recorded"
out=$(probe text "SELECT 'three'"); rc=$?
[ $rc = 0 ] && [ "$(q 'SELECT pg_typeof(api.probe()), api.probe()')" = "text three" ]
ok $? "an api file that changes a function's return type applies"

# A broken edit: the file's transaction rolls back, the old one stays.
sum_before=$(probe_sum)
out=$(probe text "SELEC 'four'"); rc=$?
[ $rc = 1 ] && echo "$out" | grep -q 'lumen: api file 90_probe.sql failed: .*syntax error at or near "SELEC"'
ok $? "a broken api file exits 1, naming the file and the server's message"
[ "$(q 'SELECT api.probe()')" = three ] &&
  [ "$(probe_sum)" = "$sum_before" ]
ok $? "the previous definition stays, and so does its checksum"
out=$(probe text "SELECT 'five'" none); rc=$?
[ $rc = 1 ] && echo "$out" | grep -q "api file 90_probe.sql failed: api functions not owned by lumen_owner.*api.probe()" &&
  [ "$(q 'SELECT api.probe()')" = three ]
ok $? "an api file that creates a function as another role than lumen_owner is refused"

# Grants: the default privileges of lumen_owner, as for a migration's function.
for f in "$d"/api/*.sql; do [ "$f" = "$d/api/90_probe.sql" ] || echo "-- applied again" >> "$f"; done
out=$(probe text "SELECT 'six'"); rc=$?
[ $rc = 0 ] && [ "$(echo "$out" | grep '^applied api/')" = "$(cd "$d/api" && LC_ALL=C ls | sed 's|^|applied api/|')" ]
ok $? "every api file is applied again when each has changed, in name order"
[ "$acl_before" = "$(q "$acl")" ]
ok $? "the re-created functions keep exactly the grants they had"
[ "$(q "SELECT count(DISTINCT p.proacl::text) FROM $api_funcs")" = 1 ]
ok $? "every api function, from a migration or an api file, has the same grants"
[ "$(q "SELECT bool_and(has_function_privilege('lumen_client', p.oid, 'EXECUTE'))
               AND NOT bool_or(has_function_privilege('public', p.oid, 'EXECUTE'))
          FROM $api_funcs")" = t ]
ok $? "lumen_client may execute every api function, PUBLIC none"
[ "$(q "SELECT count(*) FROM $api_funcs WHERE pg_get_userbyid(p.proowner) <> 'lumen_owner'")" = 0 ]
ok $? "every api function is owned by lumen_owner"

# Two migrators at once on a fresh database: they take turns.
createdb m_race
c=$(conf m_race)
"$LUMEN_BIN" db migrate --config "$c" > "$tmp/a.out" 2>&1 & pa=$!
"$LUMEN_BIN" db migrate --config "$c" > "$tmp/b.out" 2>&1 & pb=$!
wait $pa; ra=$?; wait $pb; rb=$?
[ $ra = 0 ] && [ $rb = 0 ]
ok $? "two concurrent migrators both exit 0"
applied=$(cat "$tmp/a.out" "$tmp/b.out" | grep -c '^applied [0-9]')
rows=$(psql -X -At -d m_race -c 'SELECT count(*) FROM schema_migrations')
[ "$applied" = "$total" ] && [ "$rows" = "$total" ]
ok $? "between them each migration was applied exactly once"
applied=$(cat "$tmp/a.out" "$tmp/b.out" | grep -c '^applied api/')
rows=$(psql -X -At -d m_race -c 'SELECT count(*) FROM schema_repeatables')
[ "$applied" = "$napi" ] && [ "$rows" = "$napi" ]
ok $? "and each api file exactly once"

dropdb m_fresh; dropdb m_race
exit $failed
