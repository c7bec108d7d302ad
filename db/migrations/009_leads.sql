-- 009: the lead inbox (issue 7): leads, their transcripts and notes, the
-- keys the chatbot's backend writes them with, and the read grants that make
-- an audited read survive a caller's rollback.
--
-- The contract agreed with the client and the screens is /work/spec-inbox.md
-- (summed up in db/API.md, "The lead inbox").  The api functions are in
-- db/api/50_leads.sql (repeatable); this file holds the tables, the lumen.*
-- helpers they use, and the changes to 007's attempt machinery.
--
-- Two rules shape it (db/API.md, "Threat model"):
--  * a write answers a status through an attempt (007), so that a Viewer's
--    denied change is audited by a commit before the Viewer learns "denied";
--  * an audited read is two steps: *_open audits and answers only a grant
--    handle; the data comes from a second call with the grant, which is
--    refused (LMG01) until the grant -- and so its audit row -- has
--    committed.  A caller who rolls the open back has no grant to read with.
-- The chatbot's backend is a login role of its own, lumen_ingest, that may
-- call ingest.lead_capture and nothing else; a per-practice key (stored
-- hashed) decides the practice.

-- pg_trgm came with 001 (in schema ext); said again so that this file
-- states what it stands on.
CREATE EXTENSION IF NOT EXISTS pg_trgm WITH SCHEMA ext;

DO $$
BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'lumen_ingest') THEN
    CREATE ROLE lumen_ingest LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOBYPASSRLS NOINHERIT;
  END IF;
  -- Roles are cluster-wide, CONNECT is per database (and is not copied by
  -- createdb -T; there PUBLIC still has it).
  EXECUTE format('GRANT CONNECT ON DATABASE %I TO lumen_ingest', current_database());
END
$$;

-- The chatbot's schema (see "Ingest" below), made by the migrator as 001
-- made lumen and api.
CREATE SCHEMA ingest AUTHORIZATION lumen_owner;
REVOKE ALL ON SCHEMA ingest FROM PUBLIC;
GRANT USAGE ON SCHEMA ingest TO lumen_ingest;

SET LOCAL ROLE lumen_owner;
SET LOCAL search_path = lumen, ext, pg_temp;

-- ===========================================================================
-- Leads.
-- ===========================================================================
-- The text free-text search runs over: name, phone, email and service,
-- lower-cased and joined.  Immutable and built from built-ins only (no SET
-- search_path, so the planner may inline it), so that the GIN trigram index
-- below is over exactly the expression the list's queries use.
CREATE FUNCTION lead_search_text(p_name text, p_phone text, p_email text, p_service text)
RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE
AS $$
  SELECT lower(coalesce(p_name, '') || ' ' || coalesce(p_phone, '') || ' '
               || coalesce(p_email, '') || ' ' || coalesce(p_service, ''))
$$;

CREATE TABLE leads (
  id                bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  practice_id       uuid NOT NULL REFERENCES practices (id) ON DELETE CASCADE,
  visitor_id        text CHECK (length(visitor_id) <= 100),
  name              text CHECK (length(name) <= 200),
  phone             text CHECK (length(phone) <= 50),
  email             text CHECK (length(email) <= 254),
  service           text CHECK (length(service) <= 200),
  page_url          text CHECK (length(page_url) <= 2048),
  captured_at       timestamptz NOT NULL,
  status            text NOT NULL DEFAULT 'new'
                    CHECK (status IN ('new', 'contacted', 'booked', 'not_interested', 'spam')),
  -- an account of the practice; NULL = nobody.  No foreign key to
  -- memberships: a member who leaves keeps the leads they had (the list
  -- shows them by name while the account exists).
  assigned_to       uuid REFERENCES accounts (id) ON DELETE SET NULL,
  -- the first status change or note by staff: "speed to lead"
  first_response_at timestamptz,
  touched           boolean GENERATED ALWAYS AS (first_response_at IS NOT NULL) STORED,
  updated_at        timestamptz NOT NULL DEFAULT now()
);
-- One index per order and filter of the list (db/api/50_leads.sql builds
-- its queries so that each can use one); all per practice.
CREATE INDEX leads_newest ON leads (practice_id, captured_at DESC, id DESC);
CREATE INDEX leads_untouched ON leads (practice_id, touched, captured_at, id);
CREATE INDEX leads_status ON leads (practice_id, status, captured_at DESC, id DESC);
CREATE INDEX leads_assigned ON leads (practice_id, assigned_to, captured_at DESC, id DESC);
-- arrivals (max id, ids after one) and the export's id order
CREATE INDEX leads_ids ON leads (practice_id, id);
CREATE INDEX leads_search ON leads
  USING gin (lead_search_text(name, phone, email, service) ext.gin_trgm_ops);

CREATE TABLE lead_messages (
  id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  practice_id uuid NOT NULL,
  lead_id     bigint NOT NULL REFERENCES leads (id) ON DELETE CASCADE,
  seq         integer NOT NULL CHECK (seq >= 1),
  sender      text NOT NULL CHECK (sender IN ('visitor', 'bot')),
  at          timestamptz NOT NULL,
  body        text NOT NULL CHECK (length(body) <= 20000),
  UNIQUE (lead_id, seq)
);

-- Notes are append-only: nobody but a superuser changes one, and they go
-- only with their lead (ON DELETE CASCADE, a visitor's deletion request).
CREATE TABLE lead_notes (
  id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  practice_id uuid NOT NULL,
  lead_id     bigint NOT NULL REFERENCES leads (id) ON DELETE CASCADE,
  author_id   uuid REFERENCES accounts (id) ON DELETE SET NULL,
  at          timestamptz NOT NULL DEFAULT now(),
  body        text NOT NULL CHECK (length(body) BETWEEN 1 AND 4000)
);
CREATE INDEX lead_notes_lead ON lead_notes (lead_id, at, id);

-- A note is changed by nobody (a superuser can drop the trigger); a DELETE
-- is allowed only as the cascade of its lead's deletion, which PostgreSQL
-- runs at trigger depth > 0.
CREATE FUNCTION lead_notes_refuse_change() RETURNS trigger
LANGUAGE plpgsql SET search_path = lumen, ext, pg_temp
AS $$
BEGIN
  IF TG_OP = 'DELETE' AND pg_trigger_depth() > 1 THEN
    RETURN OLD;
  END IF;
  RAISE EXCEPTION USING ERRCODE = 'LMA01',
    MESSAGE = format('lead notes are append-only (%s refused)', TG_OP);
END
$$;
CREATE TRIGGER lead_notes_append_only BEFORE UPDATE OR DELETE ON lead_notes
  FOR EACH ROW EXECUTE FUNCTION lead_notes_refuse_change();

-- ===========================================================================
-- Ingest keys: "lik_" + 64 hex in the chatbot's config; only sha256 of the
-- 32 key bytes is stored.  One practice per key; rotating revokes the old.
-- ===========================================================================
CREATE TABLE ingest_keys (
  id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  practice_id uuid NOT NULL REFERENCES practices (id) ON DELETE CASCADE,
  key_hash    bytea NOT NULL UNIQUE CHECK (octet_length(key_hash) = 32),
  created_at  timestamptz NOT NULL DEFAULT now(),
  revoked_at  timestamptz
);
CREATE INDEX ingest_keys_practice ON ingest_keys (practice_id) WHERE revoked_at IS NULL;

-- ===========================================================================
-- Read grants: step 1 of an audited read (see the head of this file).
-- ===========================================================================
CREATE TABLE read_grants (
  handle_hash bytea PRIMARY KEY CHECK (octet_length(handle_hash) = 32),
  session_id  uuid NOT NULL REFERENCES sessions (id) ON DELETE CASCADE,
  practice_id uuid NOT NULL,
  kind        text NOT NULL CHECK (kind IN ('lead.list', 'lead.view', 'lead.export')),
  subject     jsonb NOT NULL DEFAULT '{}',
  created_xid xid8 NOT NULL DEFAULT pg_current_xact_id(),
  created_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX read_grants_created ON read_grants (created_at);

-- ===========================================================================
-- Row-level security, forced, on the practice in the security context (as
-- every practice table).  ingest_keys can also be found by the hash under
-- validation (as sessions by their token hash), since the key is what
-- tells the practice.
-- ===========================================================================
CREATE FUNCTION current_ingest_key_hash() RETURNS bytea
LANGUAGE sql STABLE
AS $$ SELECT decode(nullif(current_setting('lumen.ingest_key_hash', true), ''), 'hex') $$;

ALTER TABLE leads ENABLE ROW LEVEL SECURITY;
ALTER TABLE leads FORCE ROW LEVEL SECURITY;
ALTER TABLE lead_messages ENABLE ROW LEVEL SECURITY;
ALTER TABLE lead_messages FORCE ROW LEVEL SECURITY;
ALTER TABLE lead_notes ENABLE ROW LEVEL SECURITY;
ALTER TABLE lead_notes FORCE ROW LEVEL SECURITY;
ALTER TABLE ingest_keys ENABLE ROW LEVEL SECURITY;
ALTER TABLE ingest_keys FORCE ROW LEVEL SECURITY;
ALTER TABLE read_grants ENABLE ROW LEVEL SECURITY;
ALTER TABLE read_grants FORCE ROW LEVEL SECURITY;
CREATE POLICY leads_scope ON leads USING (practice_id = current_practice());
CREATE POLICY lead_messages_scope ON lead_messages USING (practice_id = current_practice());
CREATE POLICY lead_notes_scope ON lead_notes USING (practice_id = current_practice());
CREATE POLICY read_grants_scope ON read_grants USING (practice_id = current_practice());
CREATE POLICY ingest_keys_scope ON ingest_keys
  USING (practice_id = current_practice() OR key_hash = current_ingest_key_hash())
  WITH CHECK (practice_id = current_practice());

-- ===========================================================================
-- A lead's history (api.lead_items): its audit rows by target.
-- ===========================================================================
RESET ROLE;
SET LOCAL ROLE lumen_audit;
CREATE INDEX audit_log_target ON audit.audit_log (practice_id, target_type, target_id, id);
RESET ROLE;
SET LOCAL ROLE lumen_owner;
SET LOCAL search_path = lumen, ext, pg_temp;

-- ===========================================================================
-- Attempts (007) for writes: three new kinds, and how many rows a write
-- changed.  attempt_record and attempt_open change signature, so they are
-- dropped and made again, otherwise unchanged (see 007 for why).
-- ===========================================================================
ALTER TABLE attempts DROP CONSTRAINT attempts_kind_check;
ALTER TABLE attempts ADD CONSTRAINT attempts_kind_check
  CHECK (kind IN ('login', 'mfa', 'unlock', 'lead.update', 'lead.note', 'lead.delete'));
ALTER TABLE attempts ADD COLUMN affected integer;

DROP FUNCTION attempt_record(text, text, uuid, uuid, integer, boolean, text, integer, text, text);
CREATE FUNCTION attempt_record(
  p_kind                text,
  p_status              text,
  p_account_id          uuid    DEFAULT NULL,
  p_session_id          uuid    DEFAULT NULL,
  p_retry_after_s       integer DEFAULT NULL,
  p_mfa_required        boolean DEFAULT NULL,
  p_method              text    DEFAULT NULL,
  p_recovery_codes_left integer DEFAULT NULL,
  p_reported_origin     text    DEFAULT NULL,
  p_client_version      text    DEFAULT NULL,
  p_affected            integer DEFAULT NULL
) RETURNS text
LANGUAGE plpgsql SET search_path = lumen, ext, pg_temp
AS $$
DECLARE
  v_handle bytea := gen_random_bytes(32);
BEGIN
  INSERT INTO attempts (handle_hash, kind, account_id, session_id, status, retry_after_s,
                        mfa_required, method, recovery_codes_left, server_addr,
                        reported_origin, client_version, affected)
  VALUES (digest(v_handle, 'sha256'), p_kind, p_account_id, p_session_id, p_status,
          p_retry_after_s, p_mfa_required, p_method, p_recovery_codes_left, inet_client_addr(),
          p_reported_origin, p_client_version, p_affected);
  PERFORM throttle_purge();
  RETURN encode(v_handle, 'hex');
END
$$;

-- As 007's, with affected as the last column (NULL for the guesses).
DROP FUNCTION attempt_open(text, boolean);
CREATE FUNCTION attempt_open(p_attempt text, p_committed_only boolean)
RETURNS TABLE (status text, retry_after_s integer, token text, session_id uuid,
               mfa_required boolean, method text, recovery_codes_left integer,
               affected integer)
LANGUAGE plpgsql SET search_path = lumen, ext, pg_temp
AS $$
#variable_conflict use_column
DECLARE
  a attempts;
  v_token bytea;
  v_practices uuid[];
  v_practice uuid;
  v_idle interval;
  v_abs interval;
BEGIN
  PERFORM context_clear();
  IF p_attempt IS NULL OR lower(p_attempt) !~ '^[0-9a-f]{64}$' THEN
    PERFORM fail('LMV01', 'unknown attempt');
  END IF;
  SELECT * INTO a FROM attempts x
  WHERE x.handle_hash = digest(decode(lower(p_attempt), 'hex'), 'sha256')
  FOR UPDATE;
  IF NOT FOUND OR a.revealed_at IS NOT NULL OR a.created_at < now() - interval '5 minutes' THEN
    PERFORM fail('LMV01', 'unknown attempt');
  END IF;
  IF p_committed_only AND pg_xact_status(a.created_xid) IS DISTINCT FROM 'committed' THEN
    PERFORM fail('LMG01', 'the attempt has not been committed: commit, then ask again');
  END IF;
  UPDATE attempts x SET revealed_at = now() WHERE x.handle_hash = a.handle_hash;

  IF a.kind = 'login' AND a.status = 'ok' THEN
    -- One practice: chosen now.  Several: chosen later (select_practice);
    -- until then the strictest timeouts of them all apply.  None: defaults.
    PERFORM context_set(a.account_id, NULL);
    SELECT array_agg(m.practice_id), min(p.idle_timeout), min(p.absolute_timeout)
      INTO v_practices, v_idle, v_abs
    FROM memberships m JOIN practices p ON p.id = m.practice_id
    WHERE m.account_id = a.account_id;
    IF cardinality(v_practices) = 1 THEN
      v_practice := v_practices[1];
    END IF;
    v_token := gen_random_bytes(32);
    INSERT INTO sessions (id, token_hash, account_id, practice_id, idle_timeout,
                          absolute_expires_at, mfa_required, mfa_satisfied, step_up_at,
                          server_addr, reported_origin, client_version)
    VALUES (a.session_id, digest(v_token, 'sha256'), a.account_id, v_practice,
            coalesce(v_idle, interval '15 minutes'), now() + coalesce(v_abs, interval '12 hours'),
            a.mfa_required, NOT a.mfa_required, now(), a.server_addr, a.reported_origin,
            a.client_version);
    PERFORM context_clear();
  END IF;
  RETURN QUERY SELECT a.status, a.retry_after_s, encode(v_token, 'hex'),
                      CASE WHEN a.kind = 'login' AND a.status <> 'ok' THEN NULL ELSE a.session_id END,
                      a.mfa_required, a.method, a.recovery_codes_left, a.affected;
END
$$;

-- ===========================================================================
-- Session validation (007) gains the need 'peek': as 'practice', but
-- last_seen_at is left alone (and the row is not rewritten when nothing
-- changed), so that a client's one-second poll for new leads
-- (api.leads_arrivals) never keeps an idle session from locking.
-- ===========================================================================
CREATE OR REPLACE FUNCTION session_check(p_token text, p_need text DEFAULT 'practice') RETURNS sessions
LANGUAGE plpgsql SET search_path = lumen, ext, pg_temp
AS $$
DECLARE
  v_hash bytea;
  s sessions;
  v_practice uuid;
BEGIN
  IF p_need NOT IN ('any', 'account', 'practice', 'peek', 'unlock', 'end') THEN
    RAISE EXCEPTION 'session_check: unknown need %', p_need;
  END IF;
  PERFORM attempt_guard();
  PERFORM context_clear();
  IF p_token IS NULL OR lower(p_token) !~ '^[0-9a-f]{64}$' THEN
    PERFORM fail('LMS01', 'unknown session');
  END IF;
  v_hash := digest(decode(lower(p_token), 'hex'), 'sha256');
  PERFORM set_config('lumen.token_hash', encode(v_hash, 'hex'), true);
  SELECT * INTO s FROM sessions x WHERE x.token_hash = v_hash FOR UPDATE;
  IF NOT FOUND THEN
    PERFORM fail('LMS01', 'unknown session');
  END IF;
  IF s.revoked_at IS NOT NULL THEN
    PERFORM fail('LMS02', 'session revoked');
  END IF;
  IF s.absolute_expires_at <= now() THEN
    PERFORM fail('LMS04', 'session expired');
  END IF;
  IF p_need NOT IN ('unlock', 'end') AND s.last_seen_at + s.idle_timeout < now() THEN
    PERFORM fail('LMS03', 'session idle too long');
  END IF;
  IF p_need NOT IN ('any', 'end') AND s.mfa_required AND NOT s.mfa_satisfied THEN
    PERFORM fail('LMS05', 'second factor required');
  END IF;
  v_practice := s.practice_id;
  PERFORM context_set(s.account_id, s.practice_id);
  IF s.practice_id IS NOT NULL AND NOT EXISTS (
       SELECT 1 FROM memberships m
       WHERE m.practice_id = s.practice_id AND m.account_id = s.account_id) THEN
    s.practice_id := NULL;
    PERFORM context_set(s.account_id, NULL);
  END IF;
  IF p_need IN ('practice', 'peek') AND s.practice_id IS NULL THEN
    PERFORM fail('LMS06', 'no practice selected');
  END IF;
  IF p_need = 'peek' THEN
    IF s.practice_id IS DISTINCT FROM v_practice THEN
      UPDATE sessions x SET practice_id = s.practice_id WHERE x.id = s.id;
    END IF;
    RETURN s;
  END IF;
  IF p_need <> 'unlock' THEN
    s.last_seen_at := now();
  END IF;
  UPDATE sessions x SET last_seen_at = s.last_seen_at, practice_id = s.practice_id WHERE x.id = s.id;
  RETURN s;
END
$$;

-- ===========================================================================
-- Step-up (DESIGN.md, "Sign-in"): exports, deletions, key rotation need a
-- proof of the password or a code within the last 10 minutes (sign-in,
-- mfa_verify, unlock renew sessions.step_up_at).  LMU01 tells the client
-- to ask for it (api.unlock) and replay the call.
-- ===========================================================================
CREATE FUNCTION require_step_up(s sessions) RETURNS void
LANGUAGE plpgsql SET search_path = lumen, ext, pg_temp
AS $$
BEGIN
  IF s.step_up_at IS NULL OR s.step_up_at <= now() - interval '10 minutes' THEN
    PERFORM fail('LMU01', 'step-up required: confirm your password');
  END IF;
END
$$;

-- The caller's role when it carries p_permission, else NULL: for writes,
-- which answer a denial as a status (audited) rather than a raise.
CREATE FUNCTION role_if_permitted(s sessions, p_permission text) RETURNS text
LANGUAGE sql STABLE SET search_path = lumen, ext, pg_temp
AS $$
  SELECT m.role FROM memberships m
  WHERE m.practice_id = s.practice_id AND m.account_id = s.account_id
    AND p_permission = ANY (role_permissions(m.role))
$$;

-- ===========================================================================
-- Read grants.  grant_new writes one for the session and answers its
-- handle (64 hex; only the sha256 of the 32 bytes is stored).  grant_open
-- finds it again for the same session, practice and kind within 12 hours
-- (LMV01 'unknown grant' for anything else: another session's handle tells
-- nothing more than a made-up one) and refuses it while the transaction
-- that made it has not committed (LMG01), so the open's audit row is in
-- before any data comes out.  Old grants go a few at a time, as attempts.
-- ===========================================================================
CREATE FUNCTION grant_new(s sessions, p_kind text, p_subject jsonb) RETURNS text
LANGUAGE plpgsql SET search_path = lumen, ext, pg_temp
AS $$
DECLARE
  v_handle bytea := gen_random_bytes(32);
BEGIN
  INSERT INTO read_grants (handle_hash, session_id, practice_id, kind, subject)
  VALUES (digest(v_handle, 'sha256'), s.id, s.practice_id, p_kind, coalesce(p_subject, '{}'));
  DELETE FROM read_grants g WHERE g.ctid IN (
    SELECT x.ctid FROM read_grants x WHERE x.created_at < now() - interval '12 hours'
    LIMIT 100 FOR UPDATE SKIP LOCKED);
  RETURN encode(v_handle, 'hex');
END
$$;

CREATE FUNCTION grant_open(s sessions, p_handle text, p_kind text) RETURNS read_grants
LANGUAGE plpgsql STABLE SET search_path = lumen, ext, pg_temp
AS $$
DECLARE
  g read_grants;
BEGIN
  IF p_handle IS NULL OR lower(p_handle) !~ '^[0-9a-f]{64}$' THEN
    PERFORM fail('LMV01', 'unknown grant');
  END IF;
  SELECT * INTO g FROM read_grants x
  WHERE x.handle_hash = digest(decode(lower(p_handle), 'hex'), 'sha256');
  IF NOT FOUND OR g.session_id <> s.id OR g.practice_id IS DISTINCT FROM s.practice_id
     OR g.kind <> p_kind OR g.created_at <= now() - interval '12 hours' THEN
    PERFORM fail('LMV01', 'unknown grant');
  END IF;
  IF pg_xact_status(g.created_xid) IS DISTINCT FROM 'committed' THEN
    PERFORM fail('LMG01', 'the grant has not been committed: commit, then read with it');
  END IF;
  RETURN g;
END
$$;

-- ===========================================================================
-- Ingest.  Schema ingest holds the one function lumen_ingest may call
-- (ingest.lead_capture, db/api/50_leads.sql); lumen_api gets nothing here
-- and lumen_ingest nothing in api.
-- ===========================================================================
-- (The schema itself is made at the top, by the migrator: lumen_owner may
-- not create schemas.)
ALTER DEFAULT PRIVILEGES FOR ROLE lumen_owner IN SCHEMA ingest
  GRANT EXECUTE ON FUNCTIONS TO lumen_ingest;

-- A new ingest key for a practice, answered once ("lik_" + 64 hex).  For
-- the demo loader and tests (superuser or lumen_owner only: nobody else
-- may execute it); the Owner's way is api.ingest_key_rotate.
CREATE FUNCTION ingest_key_new(p_practice uuid) RETURNS text
LANGUAGE plpgsql SET search_path = lumen, ext, pg_temp
AS $$
DECLARE
  v_key bytea := gen_random_bytes(32);
  v_saved text := current_setting('lumen.practice_id', true);
BEGIN
  IF p_practice IS NULL THEN
    RAISE EXCEPTION 'ingest_key_new: no practice';
  END IF;
  PERFORM set_config('lumen.practice_id', p_practice::text, true);
  INSERT INTO ingest_keys (practice_id, key_hash) VALUES (p_practice, digest(v_key, 'sha256'));
  PERFORM set_config('lumen.practice_id', coalesce(v_saved, ''), true);
  RETURN 'lik_' || encode(v_key, 'hex');
END
$$;

-- The NOTIFY channel of a practice's new leads: lumen_leads_ + 32 hex.
CREATE FUNCTION leads_channel(p_practice uuid) RETURNS text
LANGUAGE sql IMMUTABLE SET search_path = lumen, ext, pg_temp
AS $$ SELECT 'lumen_leads_' || replace(p_practice::text, '-', '') $$;
