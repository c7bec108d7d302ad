-- 001: schemas, roles and extensions that every later migration stands on.
--
-- lumen_owner  owns every table and every api function.  It is NOLOGIN and
--              not a superuser, so forced row-level security binds it too:
--              a SECURITY DEFINER function that forgets a practice filter
--              still sees only the practice its session validated.
-- lumen_client the login role of the TUI.  USAGE on schema api and EXECUTE
--              on its functions; no privilege on any table, anywhere.
--
-- Roles are cluster-wide, so they are created only when missing.  Later
-- migrations start with `SET LOCAL ROLE lumen_owner` so what they create is
-- owned by it.

DO $$
BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'lumen_owner') THEN
    CREATE ROLE lumen_owner NOLOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOBYPASSRLS;
  END IF;
  IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'lumen_client') THEN
    CREATE ROLE lumen_client LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOBYPASSRLS NOINHERIT;
  END IF;
END
$$;

-- The migrator must be able to act as the owner (a superuser can; on a
-- managed service grant lumen_owner to the migrating user).
DO $$
BEGIN
  IF NOT (SELECT rolsuper FROM pg_roles WHERE rolname = current_user) THEN
    EXECUTE format('GRANT lumen_owner TO %I', current_user);
  END IF;
END
$$;

-- Extensions live in their own schema so that api functions can name it in
-- a fixed search_path without exposing anything else.
CREATE SCHEMA IF NOT EXISTS ext;
CREATE EXTENSION IF NOT EXISTS pgcrypto WITH SCHEMA ext;
CREATE EXTENSION IF NOT EXISTS citext   WITH SCHEMA ext;
CREATE EXTENSION IF NOT EXISTS pg_trgm  WITH SCHEMA ext;
GRANT USAGE ON SCHEMA ext TO lumen_owner;

CREATE SCHEMA lumen AUTHORIZATION lumen_owner;
CREATE SCHEMA api   AUTHORIZATION lumen_owner;

-- Nobody gets anything by default: not PUBLIC, not the client.
REVOKE ALL ON SCHEMA lumen FROM PUBLIC;
REVOKE ALL ON SCHEMA api   FROM PUBLIC;
REVOKE CREATE ON SCHEMA public FROM PUBLIC;
DO $$
BEGIN
  EXECUTE format('REVOKE ALL ON DATABASE %I FROM PUBLIC', current_database());
  EXECUTE format('GRANT CONNECT ON DATABASE %I TO lumen_client', current_database());
END
$$;
GRANT USAGE ON SCHEMA api TO lumen_client;

-- Functions are executable by PUBLIC unless told otherwise; for the owner's
-- functions nobody may call them but the client, and only in schema api.
ALTER DEFAULT PRIVILEGES FOR ROLE lumen_owner REVOKE EXECUTE ON FUNCTIONS FROM PUBLIC;
ALTER DEFAULT PRIVILEGES FOR ROLE lumen_owner IN SCHEMA api GRANT EXECUTE ON FUNCTIONS TO lumen_client;
ALTER DEFAULT PRIVILEGES FOR ROLE lumen_owner REVOKE ALL ON TABLES FROM PUBLIC;
ALTER DEFAULT PRIVILEGES FOR ROLE lumen_owner REVOKE ALL ON SEQUENCES FROM PUBLIC;
