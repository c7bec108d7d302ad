#!/bin/sh
# make demo-db: the private cluster under .lumen/, migrated, with the demo
# data loaded once, and .lumen/lumen.conf pointing the client at it.
# Safe to run again: a running cluster, applied migrations and loaded demo
# data are left as they are (a demo.sql changed since is loaded again).
set -eu
top=$(pwd)
dir=$top/.lumen
lumen=$top/lumen

sh scripts/pgcluster.sh start "$dir"
host=$(sh scripts/pgcluster.sh host "$dir")
psql_pg() { psql -X -q -h "$host" -U postgres -v ON_ERROR_STOP=1 "$@"; }

if [ "$(psql_pg -At -d postgres -c "SELECT 1 FROM pg_database WHERE datname = 'lumen'")" != 1 ]; then
  psql_pg -d postgres -c 'CREATE DATABASE lumen'
fi

conf=$dir/lumen.conf
umask 077
cat > "$conf.tmp" <<CONF
# Written by make demo-db: the demo cluster, over its Unix socket.
[database]
host = $host
dbname = lumen
user = lumen_client

[migrate]
user = postgres
CONF
mv "$conf.tmp" "$conf"
umask 022

"$lumen" db migrate --config "$conf" >/dev/null

# The marker table is written in the same transaction as the data, so a
# failed load is retried next time and a finished one is never repeated.
# Its comment is the SHA-256 of the demo files loaded (demo.sql, then
# leads.sql, which needs the practices of the first): when one changes,
# both are loaded again, which adds what is new and leaves the rest (both
# are written to be loaded again).
demo_files="db/demo/demo.sql db/demo/leads.sql db/demo/audit.sql db/demo/team.sql"
if [ -f db/demo/demo.sql ]; then
  sum=$(cat $demo_files | sha256sum | cut -d' ' -f1)
  have=$(psql_pg -At -d lumen -c "SELECT CASE WHEN to_regclass('public.lumen_demo_loaded') IS NULL THEN 'none'
                                     ELSE coalesce(obj_description(to_regclass('public.lumen_demo_loaded'), 'pg_class'), '') END")
  if [ "$have" != "$sum" ]; then
    if [ "$have" = none ]; then echo "demo-db: loading the demo data"
    else echo "demo-db: the demo data changed; adding what is new"; fi
    { echo "SET client_min_messages = warning;"
      cat $demo_files
      echo "CREATE TABLE IF NOT EXISTS public.lumen_demo_loaded (at timestamptz DEFAULT now());"
      echo "REVOKE ALL ON public.lumen_demo_loaded FROM PUBLIC;"
      echo "COMMENT ON TABLE public.lumen_demo_loaded IS '$sum';"
    } | psql_pg -d lumen -1 -f - >/dev/null
  fi
fi
echo "demo-db: ready; ./lumen --config .lumen/lumen.conf"
