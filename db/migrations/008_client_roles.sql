-- 008: client login roles hold nothing themselves; the EXECUTE grants live
-- on one NOLOGIN role, and PUBLIC loses what no client needs.
--
-- lumen_api    NOLOGIN.  USAGE on schema api, EXECUTE on every api function
--              (now and later: default privileges), CONNECT on this
--              database.  Nothing else.
-- client roles LOGIN, INHERIT, members of lumen_api: lumen_client, and one
--              per jump host or practice made by `lumen db add-client-role`.
--              PostgreSQL lets a role change its own password and its own
--              role defaults (ALTER ROLE ... SET), and signal backends of
--              its own role; with one role per host an insider reaches only
--              the backends and defaults of their own host.
--
-- Roles are cluster-wide (created only when missing; lumen_client's INHERIT
-- holds in every database).  Everything else below -- the grants on the
-- database, on functions and on views, including those in pg_catalog -- is
-- recorded per database: it changes the Lumen database only, not the
-- cluster's other databases (README, "Database roles", says what the DBA
-- revokes there).  Database-level grants are not copied by createdb -T or by
-- pg_restore without --create; `lumen db add-client-role` sets them again.

DO $$
BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'lumen_api') THEN
    CREATE ROLE lumen_api NOLOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOBYPASSRLS;
  END IF;
END
$$;

-- Move the grants: lumen_client keeps LOGIN and reaches the api only
-- through lumen_api, which it now inherits from (PostgreSQL 15 has no
-- per-grant INHERIT, so the role attribute it is).
GRANT USAGE ON SCHEMA api TO lumen_api;
GRANT EXECUTE ON ALL ROUTINES IN SCHEMA api TO lumen_api;
REVOKE EXECUTE ON ALL ROUTINES IN SCHEMA api FROM lumen_client;
REVOKE ALL ON SCHEMA api FROM lumen_client;
ALTER ROLE lumen_client INHERIT;
GRANT lumen_api TO lumen_client;

-- api functions created later by lumen_owner (later migrations, repeatable
-- files that DROP and CREATE them) are executable by lumen_api only.  001
-- already revoked EXECUTE from PUBLIC for every function lumen_owner makes.
ALTER DEFAULT PRIVILEGES FOR ROLE lumen_owner IN SCHEMA api
  REVOKE EXECUTE ON FUNCTIONS FROM lumen_client;
ALTER DEFAULT PRIVILEGES FOR ROLE lumen_owner IN SCHEMA api
  GRANT EXECUTE ON FUNCTIONS TO lumen_api;

-- The database: CONNECT for lumen_api, nothing for PUBLIC (001 revoked it
-- already; said again because TEMP is the point).
DO $$
BEGIN
  EXECUTE format('REVOKE ALL ON DATABASE %I FROM PUBLIC', current_database());
  EXECUTE format('REVOKE ALL ON DATABASE %I FROM lumen_client', current_database());
  EXECUTE format('GRANT CONNECT ON DATABASE %I TO lumen_api', current_database());
END
$$;

-- What PUBLIC may call or read in pg_catalog, in this database.  Revoked:
--  * every large-object function: a client could fill the disk with
--    objects no practice owns (lo_import/lo_export are superuser-only
--    already; revoked all the same);
--  * the per-object statistics functions (tables, indexes, functions, the
--    database) and every view built on them (pg_stat_*_tables, _indexes,
--    _functions, pg_statio_*, pg_stat_xact_*, pg_stat_database, ...): live
--    row and change counts of all practices together, to the row;
--  * the size functions (pg_relation_size and its kind, pg_database_size,
--    pg_tablespace_size): growth of a table, page by page.
-- Left readable, knowingly: pg_class.reltuples and relpages, the planner's
-- estimate of each table's size over all practices, refreshed only by
-- (auto)vacuum and analyze; pg_locks and pg_stat_activity (that backends
-- exist and what they lock, not what they ask).  Hiding pg_class columns
-- would break generic tools and major-version upgrades for an estimate.
-- These objects belong to the bootstrap superuser: a migrator that is not a
-- superuser (managed services) cannot revoke them and is told so.
DO $$
DECLARE
  f regprocedure;
  v regclass;
BEGIN
  IF NOT (SELECT rolsuper FROM pg_roles WHERE rolname = current_user) THEN
    RAISE WARNING 'lumen: % is not a superuser, so the large-object, statistics and size '
                  'functions stay executable by PUBLIC in this database; see README, '
                  '"Database roles"', current_user;
    RETURN;
  END IF;
  FOR f IN
    SELECT p.oid FROM pg_proc p
     WHERE p.pronamespace = 'pg_catalog'::regnamespace
       AND (p.proname ~ '^lo_' OR p.proname IN ('loread', 'lowrite')
            OR (p.proname LIKE 'pg_stat_get_%' AND p.pronargs = 1
                AND p.proargtypes[0] = 'oid'::regtype)
            OR p.proname IN ('pg_relation_size', 'pg_total_relation_size', 'pg_table_size',
                             'pg_indexes_size', 'pg_database_size', 'pg_tablespace_size'))
  LOOP
    EXECUTE format('REVOKE EXECUTE ON FUNCTION %s FROM PUBLIC', f);
  END LOOP;
  -- System views record no dependencies (initdb's objects are pinned), so
  -- the views are found by what their definitions name: one of those
  -- functions, or a view found so (pg_stat_user_tables reads
  -- pg_stat_all_tables).
  FOR v IN
    WITH RECURSIVE views AS (
      SELECT c.oid, c.relname, pg_get_viewdef(c.oid) AS def FROM pg_class c
       WHERE c.relnamespace = 'pg_catalog'::regnamespace AND c.relkind = 'v'
    ), closed AS (
      SELECT w.oid, w.relname FROM views w
       WHERE EXISTS (SELECT 1 FROM pg_proc p
                      WHERE p.pronamespace = 'pg_catalog'::regnamespace
                        AND p.proname LIKE 'pg_stat_get_%' AND p.pronargs = 1
                        AND p.proargtypes[0] = 'oid'::regtype
                        AND w.def ~ ('\m' || p.proname || '\('))
      UNION
      SELECT w.oid, w.relname FROM views w JOIN closed c ON w.def ~ ('\m' || c.relname || '\M')
    )
    SELECT oid FROM closed
  LOOP
    EXECUTE format('REVOKE SELECT ON TABLE %s FROM PUBLIC', v);
  END LOOP;
END
$$;
