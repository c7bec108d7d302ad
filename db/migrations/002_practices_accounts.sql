-- 002: practices, staff accounts, memberships, and the row-level security
-- context that every later table and api function relies on.
SET LOCAL ROLE lumen_owner;
SET LOCAL search_path = lumen, ext, pg_temp;

-- ---------------------------------------------------------------------------
-- Server secrets.  Generated inside the database at migration time so that
-- no secret is ever in the repository or in the binary; one row per database.
--   email_salt_key  keys the fake salts login_begin answers for unknown
--                   emails (stable per database, unpredictable to callers)
--   seal_key        AES-256 key that encrypts TOTP secrets at rest, so that a
--                   dump or a read-only leak of the accounts table does not
--                   hand out second factors
-- Only lumen_owner (and a superuser) can read it; the client has no table
-- privilege anywhere.
-- ---------------------------------------------------------------------------
CREATE TABLE server_secret (
  id             boolean PRIMARY KEY DEFAULT true CHECK (id),
  email_salt_key bytea NOT NULL CHECK (octet_length(email_salt_key) = 32),
  seal_key       bytea NOT NULL CHECK (octet_length(seal_key) = 32),
  created_at     timestamptz NOT NULL DEFAULT now()
);
INSERT INTO server_secret (email_salt_key, seal_key)
VALUES (ext.gen_random_bytes(32), ext.gen_random_bytes(32));

-- ---------------------------------------------------------------------------
-- The security context.  api functions validate a session and then record
-- who is asking, transaction-locally (set_config(..., true)), so nothing
-- survives into the next transaction of a pooled connection.  Row-level
-- security policies read it back through these helpers.  The client can set
-- these settings itself, so every api function overwrites them before it
-- reads anything (lumen.context_set / lumen.context_clear).
-- The three readers have no SET search_path (they name only built-ins,
-- which pg_catalog resolves first) so that the planner can inline them into
-- the policies: "practice_id = <stable expression>" then uses the index
-- instead of calling a function for every row.
--   lumen.practice_id  the practice the session has chosen
--   lumen.account_id   the signed-in account (for the account's own rows
--                      in other practices: its memberships, practice names)
--   lumen.token_hash   lets session validation find its own session row
--                      before it knows whose session it is
-- ---------------------------------------------------------------------------
CREATE FUNCTION current_practice() RETURNS uuid
LANGUAGE sql STABLE
AS $$ SELECT nullif(current_setting('lumen.practice_id', true), '')::uuid $$;

CREATE FUNCTION current_account() RETURNS uuid
LANGUAGE sql STABLE
AS $$ SELECT nullif(current_setting('lumen.account_id', true), '')::uuid $$;

CREATE FUNCTION current_token_hash() RETURNS bytea
LANGUAGE sql STABLE
AS $$ SELECT decode(nullif(current_setting('lumen.token_hash', true), ''), 'hex') $$;

CREATE FUNCTION context_set(p_account uuid, p_practice uuid) RETURNS void
LANGUAGE sql SET search_path = lumen, ext, pg_temp
AS $$
  SELECT set_config('lumen.account_id', coalesce(p_account::text, ''), true),
         set_config('lumen.practice_id', coalesce(p_practice::text, ''), true);
$$;

CREATE FUNCTION context_clear() RETURNS void
LANGUAGE sql SET search_path = lumen, ext, pg_temp
AS $$
  SELECT set_config('lumen.account_id', '', true),
         set_config('lumen.practice_id', '', true),
         set_config('lumen.token_hash', '', true);
$$;

-- A raise with one of the documented SQLSTATEs (see db/API.md).  One place
-- so that every function words its errors the same way.
CREATE FUNCTION fail(p_code text, p_message text) RETURNS void
LANGUAGE plpgsql SET search_path = lumen, ext, pg_temp
AS $$ BEGIN RAISE EXCEPTION USING ERRCODE = p_code, MESSAGE = p_message; END $$;

-- ---------------------------------------------------------------------------
-- Practices.  The time zone is checked against the server's zone database
-- (not a CHECK: that needs a query) because date-range presets and "today"
-- are computed in it; a typo would silently shift every report.
-- ---------------------------------------------------------------------------
CREATE TABLE practices (
  id               uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  name             text NOT NULL CHECK (length(btrim(name)) BETWEEN 1 AND 200),
  vertical         text NOT NULL CHECK (vertical ~ '^[a-z][a-z_]{1,39}$'),
  timezone         text NOT NULL DEFAULT 'UTC',
  -- HIPAA automatic logoff: short idle timeouts, a hard cap per sign-in.
  idle_timeout     interval NOT NULL DEFAULT '15 minutes'
                   CHECK (idle_timeout BETWEEN '1 minute' AND '24 hours'),
  absolute_timeout interval NOT NULL DEFAULT '12 hours'
                   CHECK (absolute_timeout BETWEEN '5 minutes' AND '7 days'),
  require_mfa      boolean NOT NULL DEFAULT false,
  created_at       timestamptz NOT NULL DEFAULT now(),
  CHECK (idle_timeout <= absolute_timeout)
);

CREATE FUNCTION practices_check_timezone() RETURNS trigger
LANGUAGE plpgsql SET search_path = lumen, ext, pg_temp
AS $$
BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_catalog.pg_timezone_names WHERE name = NEW.timezone) THEN
    RAISE EXCEPTION USING ERRCODE = 'check_violation',
      MESSAGE = format('unknown time zone %L', NEW.timezone),
      HINT = 'use an IANA name such as America/Chicago';
  END IF;
  RETURN NEW;
END
$$;
CREATE TRIGGER practices_timezone BEFORE INSERT OR UPDATE OF timezone ON practices
  FOR EACH ROW EXECUTE FUNCTION practices_check_timezone();

-- ---------------------------------------------------------------------------
-- Staff accounts.  The server never sees a password: it stores the salt and
-- Argon2id limits the client stretches with, and sha256(K) of the stretched
-- key K.  A stolen verifier is not a key (sha256 is one-way), and the work of
-- guessing is the client's Argon2id, not a cheap server hash.
-- The minimum limits are libsodium's INTERACTIVE ones; the maximum keeps a
-- tampered row from making every client allocate gigabytes.
-- Login failures are counted per email string in login_throttle (migration
-- 005), not here, so that unknown emails lock exactly like known ones.
-- ---------------------------------------------------------------------------
CREATE TABLE accounts (
  id                  uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  email               ext.citext NOT NULL UNIQUE
                      CHECK (length(email) <= 254 AND email ~ '^[^@[:space:]]+@[^@[:space:]]+$'),
  display_name        text NOT NULL CHECK (length(btrim(display_name)) BETWEEN 1 AND 200),
  pw_salt             bytea NOT NULL CHECK (octet_length(pw_salt) = 16),
  pw_opslimit         bigint NOT NULL DEFAULT 2 CHECK (pw_opslimit BETWEEN 2 AND 32),
  pw_memlimit         bigint NOT NULL DEFAULT 67108864
                      CHECK (pw_memlimit BETWEEN 67108864 AND 1073741824),
  pw_verifier         bytea NOT NULL CHECK (octet_length(pw_verifier) = 32),
  pw_changed_at       timestamptz NOT NULL DEFAULT now(),
  mfa_enabled         boolean NOT NULL DEFAULT false,
  -- iv || AES-256-CBC(secret), see lumen.secret_seal (migration 004)
  totp_secret_enc     bytea,
  -- the last accepted RFC 6238 time step: a code is never accepted twice
  totp_last_step      bigint,
  mfa_failures        integer NOT NULL DEFAULT 0 CHECK (mfa_failures >= 0),
  mfa_last_failure_at timestamptz,
  mfa_locked_until    timestamptz,
  created_at          timestamptz NOT NULL DEFAULT now(),
  CHECK (NOT mfa_enabled OR totp_secret_enc IS NOT NULL)
);

-- ---------------------------------------------------------------------------
-- Memberships: who works where, as what.  A practice always has exactly one
-- Owner: at most one by a partial unique index (cheap, immediate), at least
-- one by a deferred constraint trigger, so that a transfer can demote the
-- old Owner and promote the new one in either order within a transaction.
-- ---------------------------------------------------------------------------
CREATE TABLE memberships (
  practice_id uuid NOT NULL REFERENCES practices (id) ON DELETE CASCADE,
  account_id  uuid NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
  role        text NOT NULL CHECK (role IN ('owner', 'admin', 'viewer')),
  created_at  timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (practice_id, account_id)
);
CREATE INDEX memberships_account ON memberships (account_id);
CREATE UNIQUE INDEX memberships_one_owner ON memberships (practice_id) WHERE role = 'owner';

-- SECURITY DEFINER because a deferred trigger fires at COMMIT as whoever is
-- current then (the client role, after an api function has returned), and it
-- must see the practice's rows whatever security context is in force, so it
-- sets its own for the check and puts the caller's back.
CREATE FUNCTION practice_owner_check() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = lumen, ext, pg_temp
AS $$
DECLARE
  v_saved text := current_setting('lumen.practice_id', true);
  v_practices uuid[];
  v_p uuid;
  v_ok boolean;
BEGIN
  IF TG_TABLE_NAME = 'practices' THEN
    v_practices := ARRAY[NEW.id];
  ELSIF TG_OP = 'INSERT' THEN
    v_practices := ARRAY[NEW.practice_id];
  ELSIF TG_OP = 'DELETE' THEN
    v_practices := ARRAY[OLD.practice_id];
  ELSE  -- an UPDATE may also move a membership away from a practice
    v_practices := ARRAY[OLD.practice_id, NEW.practice_id];
  END IF;
  FOREACH v_p IN ARRAY v_practices LOOP
    PERFORM set_config('lumen.practice_id', v_p::text, true);
    v_ok := NOT EXISTS (SELECT 1 FROM practices p WHERE p.id = v_p)
            OR EXISTS (SELECT 1 FROM memberships m
                       WHERE m.practice_id = v_p AND m.role = 'owner');
    PERFORM set_config('lumen.practice_id', coalesce(v_saved, ''), true);
    IF NOT v_ok THEN
      RAISE EXCEPTION USING ERRCODE = 'check_violation',
        MESSAGE = format('practice %s must have exactly one owner', v_p);
    END IF;
  END LOOP;
  RETURN NULL;
END
$$;
CREATE CONSTRAINT TRIGGER memberships_owner_exists
  AFTER INSERT OR UPDATE OR DELETE ON memberships
  DEFERRABLE INITIALLY DEFERRED
  FOR EACH ROW EXECUTE FUNCTION practice_owner_check();
CREATE CONSTRAINT TRIGGER practices_owner_exists
  AFTER INSERT ON practices
  DEFERRABLE INITIALLY DEFERRED
  FOR EACH ROW EXECUTE FUNCTION practice_owner_check();

-- ---------------------------------------------------------------------------
-- Row-level security, enabled and FORCED so that it binds lumen_owner, the
-- role every api function runs as.  A function that forgets its
-- "WHERE practice_id = ..." still sees only the validated practice, plus the
-- signed-in account's own memberships (the practice picker needs those
-- before a practice is chosen).  With no context set, nothing is visible.
-- ---------------------------------------------------------------------------
ALTER TABLE practices ENABLE ROW LEVEL SECURITY;
ALTER TABLE practices FORCE ROW LEVEL SECURITY;
ALTER TABLE memberships ENABLE ROW LEVEL SECURITY;
ALTER TABLE memberships FORCE ROW LEVEL SECURITY;

CREATE POLICY memberships_scope ON memberships
  USING (practice_id = current_practice() OR account_id = current_account());

CREATE POLICY practices_scope ON practices
  USING (id = current_practice()
         OR EXISTS (SELECT 1 FROM memberships m
                    WHERE m.practice_id = practices.id AND m.account_id = current_account()));

-- ---------------------------------------------------------------------------
-- What each role may do (DESIGN.md, "Roles").  api.me hands this list to the
-- client, which shows keys only for permitted actions; api functions check
-- the same list (lumen.require_permission), so a modified client gains
-- nothing.  Admin's "member.invite" / "member.remove" are narrowed further
-- by the functions that do them (Admins invite Admins or Viewers, remove
-- Viewers only).
-- ---------------------------------------------------------------------------
CREATE FUNCTION role_permissions(p_role text) RETURNS text[]
LANGUAGE sql IMMUTABLE SET search_path = lumen, ext, pg_temp
AS $$
  SELECT CASE p_role
    WHEN 'owner' THEN ARRAY['lead.read', 'lead.update', 'lead.export', 'lead.delete',
                            'audit.read', 'audit.export',
                            'member.invite', 'member.remove', 'member.role_change',
                            'practice.transfer', 'practice.settings',
                            'mfa.self', 'session.self']
    WHEN 'admin' THEN ARRAY['lead.read', 'lead.update', 'lead.export', 'lead.delete',
                            'audit.read', 'audit.export',
                            'member.invite', 'member.remove',
                            'mfa.self', 'session.self']
    WHEN 'viewer' THEN ARRAY['lead.read', 'audit.read', 'mfa.self', 'session.self']
    ELSE ARRAY['mfa.self', 'session.self']   -- signed in, no practice chosen
  END
$$;
