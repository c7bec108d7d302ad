#!/bin/sh
# lumen db migrate against real databases: idempotent, checksums, order,
# atomic failure, and two migrators at once.
set -u
n=0; failed=0
ok() { n=$((n + 1)); if [ "$1" = 0 ]; then echo "ok $n - $2"; else echo "not ok $n - $2"; failed=1; fi; }
echo "1..13"

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
conf() {  # conf DBNAME -> path of a config for it
  sed "s/^dbname = .*/dbname = $1/" "$LUMEN_TEST_CONF" > "$tmp/$1.conf"
  chmod 600 "$tmp/$1.conf"
  echo "$tmp/$1.conf"
}
total=$(ls db/migrations/*.sql | wc -l)

createdb m_fresh
c=$(conf m_fresh)
out=$("$LUMEN_BIN" db migrate --config "$c" 2>&1); rc=$?
ok $rc "first migrate of a fresh database exits 0"
echo "$out" | grep -q "($total migrations applied now, $total in all)\|($total migration applied now, $total in all)"
ok $? "it applies all $total migrations"
out=$("$LUMEN_BIN" db migrate --config "$c" 2>&1); rc=$?
ok $rc "a second migrate exits 0"
echo "$out" | grep -q "(0 migrations applied now"
ok $? "the second migrate applies nothing"

want=$(for f in db/migrations/*.sql; do printf '%s %s\n' "$(basename "$f")" "$(sha256sum < "$f" | cut -d' ' -f1)"; done)
got=$(psql -X -At -F ' ' -d m_fresh -c 'SELECT name, checksum FROM schema_migrations ORDER BY name')
[ "$got" = "$want" ]
ok $? "schema_migrations records each file with the SHA-256 of its text"

# An applied migration that was edited is refused.
cp -r db/migrations "$tmp/edited"
first=$(ls "$tmp/edited" | head -n 1)
echo "-- an afterthought" >> "$tmp/edited/$first"
out=$("$LUMEN_BIN" db migrate --config "$c" --dir "$tmp/edited" 2>&1); rc=$?
[ $rc -ne 0 ] && echo "$out" | grep -q "migration $first was changed after it was applied"
ok $? "an edited applied migration is refused with a clear message"

# A new file numbered below an applied one is refused.
cp -r db/migrations "$tmp/early"
echo "SELECT 1;" > "$tmp/early/000_early.sql"
out=$("$LUMEN_BIN" db migrate --config "$c" --dir "$tmp/early" 2>&1); rc=$?
[ $rc -ne 0 ] && echo "$out" | grep -q "000_early.sql sorts before"
ok $? "a migration numbered below the applied ones is refused"

# A failing migration leaves nothing behind: its own transaction rolls back.
cp -r db/migrations "$tmp/broken"
printf 'CREATE TABLE lumen.half_done (x int);\nSELEC oops;\n' > "$tmp/broken/900_broken.sql"
out=$("$LUMEN_BIN" db migrate --config "$c" --dir "$tmp/broken" 2>&1); rc=$?
[ $rc -ne 0 ] && echo "$out" | grep -q "migration 900_broken.sql failed"
ok $? "a failing migration exits non-zero and names the file"
left=$(psql -X -At -d m_fresh -c "SELECT count(*) FROM pg_tables WHERE tablename = 'half_done'")$(psql -X -At -d m_fresh -c "SELECT count(*) FROM schema_migrations WHERE name = '900_broken.sql'")
[ "$left" = "00" ]
ok $? "its statements are rolled back and it is not recorded"

# A new one is applied, once.
cp -r db/migrations "$tmp/more"
echo "SET LOCAL ROLE lumen_owner; CREATE TABLE lumen.extra (x int);" > "$tmp/more/900_extra.sql"
out=$("$LUMEN_BIN" db migrate --config "$c" --dir "$tmp/more" 2>&1); rc=$?
[ $rc = 0 ] && echo "$out" | grep -q "(1 migration applied now"
ok $? "a new migration is applied"
owner=$(psql -X -At -d m_fresh -c "SELECT tableowner FROM pg_tables WHERE tablename = 'extra'")
[ "$owner" = lumen_owner ]
ok $? "what it creates after SET LOCAL ROLE is owned by lumen_owner"

# Two migrators at once on a fresh database: they take turns.
createdb m_race
c=$(conf m_race)
"$LUMEN_BIN" db migrate --config "$c" > "$tmp/a.out" 2>&1 & pa=$!
"$LUMEN_BIN" db migrate --config "$c" > "$tmp/b.out" 2>&1 & pb=$!
wait $pa; ra=$?; wait $pb; rb=$?
[ $ra = 0 ] && [ $rb = 0 ]
ok $? "two concurrent migrators both exit 0"
applied=$(cat "$tmp/a.out" "$tmp/b.out" | grep -c '^applied ')
rows=$(psql -X -At -d m_race -c 'SELECT count(*) FROM schema_migrations')
[ "$applied" = "$total" ] && [ "$rows" = "$total" ]
ok $? "between them each migration was applied exactly once"

dropdb m_fresh; dropdb m_race
exit $failed
