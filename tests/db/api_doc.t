#!/bin/sh
# Every function of schema api in the migrated lumen_test is documented in
# db/API.md.  Documented means: a heading that names the call,
#   ### `api.me(p_token text)`
# or a row of a function table whose first cell names it,
#   | `api.me(p_token)` | ... |    or    | `api.me` | ... |
# A mention in prose ("`api.unlock` revives it") does not count.
set -u
doc=db/API.md
documented() {  # documented FILE NAME
  grep -Eq "^#{1,6} +\`api\.$2\(" "$1" || grep -Eq "^\| *\`api\.$2[(\`]" "$1"
}
names=$(psql -X -At -c "SELECT DISTINCT p.proname FROM pg_proc p
                        JOIN pg_namespace n ON n.oid = p.pronamespace
                        WHERE n.nspname = 'api' ORDER BY 1")
echo "1..$(($(echo "$names" | grep -c .) + 2))"
n=0; failed=0
ok() { n=$((n + 1)); if [ "$1" = 0 ]; then echo "ok $n - $2"; else echo "not ok $n - $2"; failed=1; fi; }

# The rule itself, on a sample.
tmp=$(mktemp); trap 'rm -f "$tmp"' EXIT
printf '%s\n' '### `api.in_heading(p text) → void`' '| `api.in_table` | x |' \
  'Prose: `api.in_prose(p)` revives it.' '| x | `api.in_later_cell()` |' > "$tmp"
documented "$tmp" in_heading && documented "$tmp" in_table &&
  ! documented "$tmp" in_prose && ! documented "$tmp" in_later_cell && ! documented "$tmp" in_head
ok $? "the rule takes headings and function-table rows, not prose"
[ -n "$names" ]
ok $? "schema api has functions"
for f in $names; do
  documented "$doc" "$f"
  ok $? "api.$f is documented in $doc (a heading or a function-table row)"
done
exit $failed
