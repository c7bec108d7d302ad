-- 007: the database holds against a hostile client (issue 13).
--
-- 1. The audit log gets an owner no api function runs as (lumen_audit, in
--    a schema of its own), so the api may only INSERT; and its hash chain
--    is sealed by a step that never waits, outside the locks of the
--    caller's transaction.
-- 2. Sign-in throttling becomes insert-only (no row that an open
--    transaction can hold), keyed on the email and on the address the
--    server sees, and refusals during a lock are audited once a minute.
-- 3. Guesses (password key, TOTP or recovery code, unlock) answer only an
--    attempt id; the outcome is told by api.attempt_result in a later
--    transaction, once the attempt -- its count and its audit rows -- has
--    committed.  Nothing of an attempt can be learnt inside the
--    transaction that made it, so nothing can be learnt and then undone.
-- 4. Every api function gives up waiting for a lock after one second.
-- Reference for the client: db/API.md.

-- ===========================================================================
-- 1. The audit log's own owner and schema.
--
-- lumen_owner owns schema lumen and every api function.  A schema's owner
-- may DROP anything in it, and a table's owner may disable its triggers or
-- grant itself UPDATE; so the log, its chain and the functions that seal
-- and verify it belong to lumen_audit, in schema audit, and lumen_owner
-- gets INSERT and SELECT on the log and nothing else.  Code that runs as
-- lumen_audit (the SECURITY DEFINER functions below, the triggers) calls
-- only audit.*, ext.* (owned by the superuser who installed the extensions)
-- and built-ins, never a function lumen_owner could redefine.
-- ===========================================================================
DO $$
BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'lumen_audit') THEN
    CREATE ROLE lumen_audit NOLOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOBYPASSRLS;
  END IF;
  IF NOT (SELECT rolsuper FROM pg_roles WHERE rolname = current_user) THEN
    EXECUTE format('GRANT lumen_audit TO %I', current_user);
  END IF;
END
$$;
CREATE SCHEMA audit AUTHORIZATION lumen_audit;
REVOKE ALL ON SCHEMA audit FROM PUBLIC;
GRANT USAGE ON SCHEMA audit TO lumen_owner;
GRANT USAGE ON SCHEMA ext TO lumen_audit;
ALTER DEFAULT PRIVILEGES FOR ROLE lumen_audit REVOKE EXECUTE ON FUNCTIONS FROM PUBLIC;
ALTER DEFAULT PRIVILEGES FOR ROLE lumen_audit REVOKE ALL ON TABLES FROM PUBLIC;

-- The old chain trigger and the functions of 003 go; the tables move.
DROP TRIGGER audit_log_chain ON lumen.audit_log;
DROP TRIGGER audit_log_no_update_delete ON lumen.audit_log;
DROP TRIGGER audit_log_no_truncate ON lumen.audit_log;
DROP POLICY audit_log_scope ON lumen.audit_log;
DROP POLICY audit_chain_heads_scope ON lumen.audit_chain_heads;
DROP FUNCTION lumen.audit_verify(uuid);
DROP FUNCTION lumen.audit_canonical(lumen.audit_log);
DROP FUNCTION lumen.audit_field(text);
DROP FUNCTION lumen.audit_chain_link();
DROP FUNCTION lumen.audit_refuse_change();
ALTER TABLE lumen.audit_log SET SCHEMA audit;
ALTER TABLE lumen.audit_chain_heads SET SCHEMA audit;
ALTER TABLE audit.audit_log OWNER TO lumen_audit;
ALTER TABLE audit.audit_chain_heads OWNER TO lumen_audit;
-- 003 revoked these from the owner (and the ACL moved with the table); the
-- triggers below need TRIGGER for a moment, revoked again at the end.
GRANT TRIGGER ON audit.audit_log TO lumen_audit;

SET LOCAL ROLE lumen_audit;
SET LOCAL search_path = audit, ext, pg_temp;

-- The practice in the security context, as lumen.current_practice() reads
-- it, but owned here: policies evaluated while lumen_audit is the current
-- user must not call a function that lumen_owner can replace.
CREATE FUNCTION audit.current_practice() RETURNS uuid
LANGUAGE sql STABLE
AS $$ SELECT nullif(current_setting('lumen.practice_id', true), '')::uuid $$;

-- ---------------------------------------------------------------------------
-- The chain, beside the log rather than in it: a row of audit_log is
-- written once and never changed; sealing it appends its link here.
--   hash = SHA-256( prev_hash || canonical_row )   (canonical_row: below,
--   unchanged from 003), prev_hash of a chain's first link = 32 zero bytes,
--   of every other link = the hash of the link before it in seq order.
-- Chain order is seq (1, 2, 3 ... per practice, no gaps): the order rows
-- were sealed in, which is the order they committed in as far as sealing
-- could see, not necessarily id order.
-- audit_pending lists the rows written but not sealed yet.
-- ---------------------------------------------------------------------------
CREATE TABLE audit_chain (
  practice_id uuid,
  seq         bigint NOT NULL CHECK (seq > 0),
  audit_id    bigint NOT NULL UNIQUE,
  prev_hash   bytea NOT NULL CHECK (octet_length(prev_hash) = 32),
  hash        bytea NOT NULL CHECK (octet_length(hash) = 32),
  sealed_at   timestamptz NOT NULL DEFAULT clock_timestamp(),
  UNIQUE NULLS NOT DISTINCT (practice_id, seq)
);
CREATE TABLE audit_pending (
  audit_id    bigint PRIMARY KEY,
  practice_id uuid
);
CREATE INDEX audit_pending_chain ON audit_pending (practice_id, audit_id);
ALTER TABLE audit_chain_heads ADD COLUMN last_seq bigint NOT NULL DEFAULT 0;

-- Row-level security as in 003, keyed on the practice in the security
-- context, for lumen_owner's readers; lumen_audit's own functions (seal,
-- verify, the triggers) see every chain, since they serve them all and
-- name the chain in every query.
ALTER TABLE audit_chain ENABLE ROW LEVEL SECURITY;
ALTER TABLE audit_chain FORCE ROW LEVEL SECURITY;
ALTER TABLE audit_pending ENABLE ROW LEVEL SECURITY;
ALTER TABLE audit_pending FORCE ROW LEVEL SECURITY;
CREATE POLICY audit_log_scope ON audit_log
  USING (practice_id = audit.current_practice()
         OR (practice_id IS NULL AND audit.current_practice() IS NULL)
         OR current_user = 'lumen_audit');
CREATE POLICY audit_chain_heads_scope ON audit_chain_heads
  USING (practice_id = audit.current_practice()
         OR (practice_id IS NULL AND audit.current_practice() IS NULL)
         OR current_user = 'lumen_audit');
CREATE POLICY audit_chain_scope ON audit_chain
  USING (practice_id = audit.current_practice()
         OR (practice_id IS NULL AND audit.current_practice() IS NULL)
         OR current_user = 'lumen_audit');
CREATE POLICY audit_pending_scope ON audit_pending
  USING (practice_id = audit.current_practice()
         OR (practice_id IS NULL AND audit.current_practice() IS NULL)
         OR current_user = 'lumen_audit');

-- Existing rows keep their hashes: their links are the chain of 003 (id
-- order), copied.
INSERT INTO audit_chain (practice_id, seq, audit_id, prev_hash, hash, sealed_at)
SELECT a.practice_id, row_number() OVER (PARTITION BY a.practice_id ORDER BY a.id),
       a.id, a.prev_hash, a.hash, a.at
FROM audit_log a;
UPDATE audit_chain_heads h
SET last_seq = (SELECT count(*) FROM audit_chain c WHERE c.practice_id IS NOT DISTINCT FROM h.practice_id);
ALTER TABLE audit_log DROP COLUMN prev_hash, DROP COLUMN hash;
-- The chain of no practice has its head from the start; a practice's is
-- made with the practice (audit.chain_open) or, for one that had no row
-- yet, by its first seal.
INSERT INTO audit_chain_heads (practice_id, last_id, last_hash, last_seq)
VALUES (NULL, 0, decode(repeat('00', 32), 'hex'), 0)
ON CONFLICT (practice_id) DO NOTHING;

-- ---------------------------------------------------------------------------
-- THE CANONICAL ROW, exactly as in 003 (db/API.md has it too).
-- ---------------------------------------------------------------------------
CREATE FUNCTION audit.field(p text) RETURNS bytea
LANGUAGE sql IMMUTABLE SET search_path = audit, ext, pg_temp
AS $$
  SELECT CASE WHEN p IS NULL THEN '\x7e0a'::bytea   -- "~\n"
         ELSE convert_to(octet_length(convert_to(p, 'UTF8'))::text || ':', 'UTF8')
              || convert_to(p, 'UTF8') || '\x0a'::bytea
         END
$$;

CREATE FUNCTION audit.canonical(r audit.audit_log) RETURNS bytea
LANGUAGE sql STABLE SET search_path = audit, ext, pg_temp
AS $$
  SELECT convert_to(E'lumen-audit-v1\n', 'UTF8')
      || audit.field(r.id::text)
      || audit.field(to_char(r.at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'))
      || audit.field(r.practice_id::text)
      || audit.field(r.actor_id::text)
      || audit.field(r.actor_email)
      || audit.field(r.session_id::text)
      || audit.field(r.action)
      || audit.field(r.target_type)
      || audit.field(r.target_id)
      || audit.field(r.outcome)
      -- inet's output function (a cast to text would add /32)
      || audit.field(CASE WHEN r.server_addr IS NOT NULL THEN format('%s', r.server_addr) END)
      || audit.field(r.reported_origin)
      || audit.field(r.detail::text)
$$;

-- ---------------------------------------------------------------------------
-- Writing a row.  The time and the server-seen address are taken here,
-- whoever inserts; the row is queued for sealing.
-- ---------------------------------------------------------------------------
CREATE FUNCTION audit.stamp() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = audit, ext, pg_temp
AS $$
BEGIN
  NEW.at := clock_timestamp();
  NEW.server_addr := inet_client_addr();
  RETURN NEW;
END
$$;
CREATE TRIGGER audit_log_stamp BEFORE INSERT ON audit_log
  FOR EACH ROW EXECUTE FUNCTION audit.stamp();

CREATE FUNCTION audit.queue() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = audit, ext, pg_temp
AS $$
BEGIN
  INSERT INTO audit.audit_pending (audit_id, practice_id) VALUES (NEW.id, NEW.practice_id);
  RETURN NULL;
END
$$;
CREATE TRIGGER audit_log_queue AFTER INSERT ON audit_log
  FOR EACH ROW EXECUTE FUNCTION audit.queue();

-- Append-only, for every role; only a superuser can disable the triggers,
-- and the chain (and the heads kept outside the database) show it.
CREATE FUNCTION audit.refuse_change() RETURNS trigger
LANGUAGE plpgsql SET search_path = audit, ext, pg_temp
AS $$
BEGIN
  RAISE EXCEPTION USING ERRCODE = 'LMA01',
    MESSAGE = format('the audit log is append-only (%s refused)', TG_OP);
END
$$;
CREATE TRIGGER audit_log_no_update_delete BEFORE UPDATE OR DELETE ON audit_log
  FOR EACH ROW EXECUTE FUNCTION audit.refuse_change();
CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log
  FOR EACH STATEMENT EXECUTE FUNCTION audit.refuse_change();
CREATE TRIGGER audit_chain_no_update_delete BEFORE UPDATE OR DELETE ON audit_chain
  FOR EACH ROW EXECUTE FUNCTION audit.refuse_change();
CREATE TRIGGER audit_chain_no_truncate BEFORE TRUNCATE ON audit_chain
  FOR EACH STATEMENT EXECUTE FUNCTION audit.refuse_change();

-- A new practice gets its chain head at once (see audit.seal).
CREATE FUNCTION audit.chain_open() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = audit, ext, pg_temp
AS $$
BEGIN
  INSERT INTO audit.audit_chain_heads (practice_id, last_id, last_hash, last_seq)
  VALUES (NEW.id, 0, decode(repeat('00', 32), 'hex'), 0)
  ON CONFLICT (practice_id) DO NOTHING;
  RETURN NULL;
END
$$;

-- ---------------------------------------------------------------------------
-- Sealing: links the chain's pending rows, in id order, after its head.
-- The head is taken FOR UPDATE SKIP LOCKED: when another transaction is
-- sealing this chain (or holds it, open, on purpose), this one seals
-- nothing and waits for nothing; its rows stay pending and the next seal
-- links them.  Rows of transactions still open are not visible, so they
-- are linked after they commit.  Returns how many rows it linked.
-- Called by lumen.audit_append after every write, and by anything that
-- wants the chain complete before reading it (audit.seal_all).
-- ---------------------------------------------------------------------------
CREATE FUNCTION audit.seal(p_practice uuid) RETURNS integer
LANGUAGE plpgsql SECURITY DEFINER SET search_path = audit, ext, pg_temp
AS $$
DECLARE
  h audit.audit_chain_heads;
  r audit.audit_log;
  v_hash bytea;
  n integer := 0;
BEGIN
  SELECT * INTO h FROM audit.audit_chain_heads x
  WHERE x.practice_id IS NOT DISTINCT FROM p_practice
  FOR UPDATE SKIP LOCKED;
  IF NOT FOUND THEN
    IF EXISTS (SELECT 1 FROM audit.audit_chain_heads x
               WHERE x.practice_id IS NOT DISTINCT FROM p_practice) THEN
      RETURN 0;                 -- someone else is sealing this chain
    END IF;
    -- A practice made before 007 that never had a row: its first seal
    -- makes the head (the one moment two sealers could wait on each other).
    INSERT INTO audit.audit_chain_heads (practice_id, last_id, last_hash, last_seq)
    VALUES (p_practice, 0, decode(repeat('00', 32), 'hex'), 0)
    ON CONFLICT (practice_id) DO NOTHING;
    SELECT * INTO h FROM audit.audit_chain_heads x
    WHERE x.practice_id IS NOT DISTINCT FROM p_practice
    FOR UPDATE SKIP LOCKED;
    IF NOT FOUND THEN
      RETURN 0;
    END IF;
  END IF;
  FOR r IN SELECT a.* FROM audit.audit_pending q JOIN audit.audit_log a ON a.id = q.audit_id
           WHERE q.practice_id IS NOT DISTINCT FROM p_practice
           ORDER BY q.audit_id LOOP
    v_hash := digest(h.last_hash || audit.canonical(r), 'sha256');
    h.last_seq := h.last_seq + 1;
    INSERT INTO audit.audit_chain (practice_id, seq, audit_id, prev_hash, hash)
    VALUES (r.practice_id, h.last_seq, r.id, h.last_hash, v_hash);
    DELETE FROM audit.audit_pending q WHERE q.audit_id = r.id;
    h.last_hash := v_hash;
    h.last_id := r.id;
    n := n + 1;
  END LOOP;
  IF n > 0 THEN
    UPDATE audit.audit_chain_heads x
    SET last_seq = h.last_seq, last_id = h.last_id, last_hash = h.last_hash
    WHERE x.practice_id IS NOT DISTINCT FROM p_practice;
  END IF;
  RETURN n;
END
$$;

-- Seals every chain that has pending rows; returns the rows linked.
CREATE FUNCTION audit.seal_all() RETURNS integer
LANGUAGE sql SECURITY DEFINER SET search_path = audit, ext, pg_temp
AS $$
  SELECT coalesce(sum(audit.seal(c.practice_id)), 0)::integer
  FROM (SELECT DISTINCT q.practice_id FROM audit.audit_pending q) c
$$;

-- ---------------------------------------------------------------------------
-- Re-computes one chain (NULL: the chain of events with no practice) from
-- its first link and returns the audit id of the first row that does not
-- hold, or NULL when the whole chain holds:
--   a changed row                  -> that row
--   a row deleted from the log     -> the row its link names
--   a link deleted (seq gap)       -> the row of the link after the gap
--   links cut off the end          -> the head's last id
--   a row of the chain's practice neither linked nor pending (inserted
--   behind the triggers' back)     -> that row
-- A superuser who deletes rows and re-computes every later link and the
-- head passes this check; only a head kept outside the database (db/API.md,
-- "anchors") shows it.
-- ---------------------------------------------------------------------------
CREATE FUNCTION audit.verify(p_practice uuid) RETURNS bigint
LANGUAGE plpgsql SECURITY DEFINER SET search_path = audit, ext, pg_temp
AS $$
DECLARE
  c record;
  v_prev bytea := decode(repeat('00', 32), 'hex');
  v_seq bigint := 0;
  v_last bigint := 0;
  h audit.audit_chain_heads;
  v_bad bigint;
BEGIN
  FOR c IN SELECT l.seq, l.audit_id, l.prev_hash, l.hash, a AS row, a.id IS NOT NULL AS present
           FROM audit.audit_chain l LEFT JOIN audit.audit_log a ON a.id = l.audit_id
           WHERE l.practice_id IS NOT DISTINCT FROM p_practice
           ORDER BY l.seq LOOP
    IF c.seq <> v_seq + 1 OR NOT c.present OR c.prev_hash <> v_prev
       OR c.hash <> digest(c.prev_hash || audit.canonical(c.row), 'sha256') THEN
      v_bad := c.audit_id;
      EXIT;
    END IF;
    v_prev := c.hash;
    v_seq := c.seq;
    v_last := c.audit_id;
  END LOOP;
  IF v_bad IS NULL THEN
    SELECT * INTO h FROM audit.audit_chain_heads x WHERE x.practice_id IS NOT DISTINCT FROM p_practice;
    IF FOUND AND (h.last_seq <> v_seq OR h.last_hash <> v_prev) THEN
      v_bad := greatest(h.last_id, v_last);
    END IF;
  END IF;
  IF v_bad IS NULL THEN
    SELECT min(a.id) INTO v_bad FROM audit.audit_log a
    WHERE a.practice_id IS NOT DISTINCT FROM p_practice
      AND NOT EXISTS (SELECT 1 FROM audit.audit_chain l WHERE l.audit_id = a.id)
      AND NOT EXISTS (SELECT 1 FROM audit.audit_pending q WHERE q.audit_id = a.id);
  END IF;
  RETURN v_bad;
END
$$;

-- Rows written but not yet linked, per chain (for verify's report).
CREATE FUNCTION audit.pending_count(p_practice uuid) RETURNS bigint
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = audit, ext, pg_temp
AS $$
  SELECT count(*) FROM audit.audit_pending q WHERE q.practice_id IS NOT DISTINCT FROM p_practice
$$;

-- What the api's owner may do with the log: write rows, read them, seal
-- and verify.  Never UPDATE, DELETE, TRUNCATE, ALTER, or own anything here.
GRANT SELECT, INSERT ON audit.audit_log TO lumen_owner;
GRANT SELECT ON audit.audit_chain, audit.audit_chain_heads, audit.audit_pending TO lumen_owner;
GRANT EXECUTE ON FUNCTION audit.seal(uuid), audit.seal_all(), audit.verify(uuid),
                          audit.pending_count(uuid), audit.canonical(audit.audit_log),
                          audit.field(text), audit.current_practice()
  TO lumen_owner;

REVOKE UPDATE, DELETE, TRUNCATE, REFERENCES, TRIGGER ON audit.audit_log FROM lumen_audit;
REVOKE UPDATE, DELETE, TRUNCATE, REFERENCES, TRIGGER ON audit.audit_chain FROM lumen_audit;
RESET ROLE;
-- The trigger on practices, which lumen_owner owns, calls a function of
-- lumen_audit (SECURITY DEFINER: it runs as lumen_audit, whoever inserts).
GRANT EXECUTE ON FUNCTION audit.chain_open() TO lumen_owner;
SET LOCAL ROLE lumen_owner;
SET LOCAL search_path = lumen, ext, pg_temp;
CREATE TRIGGER practices_chain_open AFTER INSERT ON practices
  FOR EACH ROW EXECUTE FUNCTION audit.chain_open();

-- The one way api functions write the log (signature as in 003).  The row
-- is sealed right away when nobody else is sealing its chain; otherwise it
-- stays pending and a later write (or audit.seal_all) links it.  Nothing
-- here waits on another transaction.
CREATE OR REPLACE FUNCTION audit_append(
  p_practice_id     uuid,
  p_action          text,
  p_outcome         text,
  p_actor_id        uuid  DEFAULT NULL,
  p_actor_email     text  DEFAULT NULL,
  p_session_id      uuid  DEFAULT NULL,
  p_target_type     text  DEFAULT NULL,
  p_target_id       text  DEFAULT NULL,
  p_reported_origin text  DEFAULT NULL,
  p_detail          jsonb DEFAULT '{}'
) RETURNS bigint
LANGUAGE plpgsql SET search_path = lumen, ext, pg_temp
AS $$
DECLARE
  v_saved text := current_setting('lumen.practice_id', true);
  v_id bigint;
BEGIN
  PERFORM set_config('lumen.practice_id', coalesce(p_practice_id::text, ''), true);
  INSERT INTO audit.audit_log (at, practice_id, actor_id, actor_email, session_id, action,
                               target_type, target_id, outcome, reported_origin, detail)
  VALUES (clock_timestamp(), p_practice_id, p_actor_id, p_actor_email, p_session_id, p_action,
          p_target_type, p_target_id, p_outcome, p_reported_origin, coalesce(p_detail, '{}'))
  RETURNING id INTO v_id;
  PERFORM audit.seal(p_practice_id);
  PERFORM set_config('lumen.practice_id', coalesce(v_saved, ''), true);
  RETURN v_id;
END
$$;

-- ===========================================================================
-- 2. Sign-in throttling, insert-only.
--
-- 005's login_throttle kept one row per email and origin, updated by every
-- failure: an open transaction that had written a failure held that row,
-- and every later sign-in with the same key (the shared "local -" origin:
-- everyone on the jump host) waited.  Now each failure, success and
-- refusal is a row of its own, nothing is updated, and a lock is computed
-- from the rows.
-- Keys:
--   email:<email>  every sign-in attempt for that string, account or not,
--                  so that an unknown email locks exactly like a known one;
--                  5 failures lock it
--   addr:<address> the address the server sees (inet_client_addr(), or
--                  "local" for a Unix socket), never what the client
--                  reports (a hostile client changes that at will); 20
--                  failures lock it, but only for accounts not known at
--                  that address (no successful sign-in from it in 30 days):
--                  guessing across many accounts from one host is slowed,
--                  while a colleague on the same jump host signs in with
--                  the right password (their own email's lock still
--                  guards them).
-- A count covers the last 24 hours after the key's last success (a
-- success counts for email keys only: an attacker's own account must not
-- reset the address).  From the threshold on, each failure doubles the
-- lock: 1 min, 2, 4 ... 1 hour at most, from the last failure.
-- ===========================================================================
DROP FUNCTION throttle_fail(text, text, integer);
DROP FUNCTION throttle_locked_until(text, text);
DROP TABLE login_throttle;

CREATE TABLE throttle_events (
  id      bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,   -- the order events happened in
  key     text NOT NULL CHECK (key ~ '^(email|addr|mfa):'),
  event   text NOT NULL CHECK (event IN ('failure', 'success', 'refused')),
  at      timestamptz NOT NULL DEFAULT now(),
  audited boolean NOT NULL DEFAULT false      -- refused: an audit row was written for it
);
CREATE INDEX throttle_events_key ON throttle_events (key, event, id);
CREATE INDEX throttle_events_at ON throttle_events (at);

CREATE FUNCTION throttle_note(p_key text, p_event text) RETURNS void
LANGUAGE sql SET search_path = lumen, ext, pg_temp
AS $$ INSERT INTO throttle_events (key, event) VALUES (p_key, p_event) $$;

-- When p_key is locked until, or NULL.  Failures count from the key's
-- last success (by id: the order they happened in) within 24 hours.
CREATE FUNCTION throttle_locked_until(p_key text, p_threshold integer) RETURNS timestamptz
LANGUAGE sql STABLE SET search_path = lumen, ext, pg_temp
AS $$
  WITH f AS (
    SELECT count(*)::integer AS n, max(e.at) AS last
    FROM throttle_events e
    WHERE e.key = p_key AND e.event = 'failure' AND e.at > now() - interval '24 hours'
      AND e.id > coalesce((SELECT max(s.id) FROM throttle_events s
                           WHERE s.key = p_key AND s.event = 'success'), 0)
  )
  SELECT f.last + lock_delay(f.n, p_threshold) FROM f
  WHERE f.n >= p_threshold AND f.last + lock_delay(f.n, p_threshold) > now()
$$;

-- A refused attempt (during a lock) is counted on p_key; returns how many
-- refusals the audit row due now stands for (this one and those not
-- audited since the last row), or NULL when a row for this key was
-- written less than a minute ago.  So a flood of refused attempts writes
-- one audit row per key and minute, each saying how many it stands for.
CREATE FUNCTION throttle_refusal(p_key text) RETURNS integer
LANGUAGE plpgsql SET search_path = lumen, ext, pg_temp
AS $$
DECLARE
  v_last timestamptz;
  v_n integer;
  v_last_id bigint;
BEGIN
  SELECT e.at, e.id INTO v_last, v_last_id FROM throttle_events e
  WHERE e.key = p_key AND e.event = 'refused' AND e.audited
  ORDER BY e.id DESC LIMIT 1;
  IF v_last IS NOT NULL AND v_last > now() - interval '1 minute' THEN
    INSERT INTO throttle_events (key, event) VALUES (p_key, 'refused');
    RETURN NULL;
  END IF;
  SELECT count(*) + 1 INTO v_n FROM throttle_events e
  WHERE e.key = p_key AND e.event = 'refused' AND NOT e.audited
    AND e.id > coalesce(v_last_id, 0);
  INSERT INTO throttle_events (key, event, audited) VALUES (p_key, 'refused', true);
  RETURN v_n;
END
$$;

-- Old rows go a few at a time, skipping any another transaction holds.
CREATE FUNCTION throttle_purge() RETURNS void
LANGUAGE plpgsql SET search_path = lumen, ext, pg_temp
AS $$
BEGIN
  DELETE FROM throttle_events e WHERE e.ctid IN (
    SELECT x.ctid FROM throttle_events x WHERE x.at < now() - interval '2 days'
    LIMIT 100 FOR UPDATE SKIP LOCKED);
  DELETE FROM attempts a WHERE a.ctid IN (
    SELECT x.ctid FROM attempts x WHERE x.created_at < now() - interval '1 hour'
    LIMIT 100 FOR UPDATE SKIP LOCKED);
END
$$;

-- An account is known at the server-seen address of this connection when
-- it fully signed in from there in the last 30 days.
CREATE INDEX sessions_account_created ON sessions (account_id, created_at);
CREATE FUNCTION account_known_here(p_account uuid) RETURNS boolean
LANGUAGE sql STABLE SET search_path = lumen, ext, pg_temp
AS $$
  SELECT p_account IS NOT NULL AND EXISTS (
    SELECT 1 FROM sessions s
    WHERE s.account_id = p_account AND s.mfa_satisfied
      AND s.created_at > now() - interval '30 days'
      AND s.server_addr IS NOT DISTINCT FROM inet_client_addr())
$$;

-- ===========================================================================
-- 3. Guesses the caller cannot roll back.
--
-- api.login, api.mfa_verify and api.unlock check the guess, count it and
-- audit it, store the outcome in an attempt row, and answer only the
-- attempt's id (32 random bytes, hex; only its hash is stored).
-- api.attempt_result(id) tells the outcome, and only when the attempt's
-- transaction has committed (pg_xact_status): a caller that rolls back, or
-- makes its statement fail on purpose, or catches an exception in a DO
-- block, never learns the answer of what it undid; one that learns the
-- answer has committed the count and the audit rows first.
-- Inside the attempt's own transaction nothing else may run either
-- (lumen.attempt_guard, called by session validation and by login): what
-- an attempt changes (a session's second factor satisfied, an unlock's
-- failure count that revokes the session at five) would otherwise be seen
-- by the next api call of the same transaction, before the commit.
-- What an attempt writes -- rows inserted, the caller's own session and
-- account rows locked -- is the same whatever its outcome, so that another
-- connection cannot tell the outcome by the locks it meets either.
-- A login's session is created when its result is collected: no token
-- exists anywhere until then.
-- ===========================================================================
CREATE TABLE attempts (
  handle_hash         bytea PRIMARY KEY CHECK (octet_length(handle_hash) = 32),
  kind                text NOT NULL CHECK (kind IN ('login', 'mfa', 'unlock')),
  created_xid         xid8 NOT NULL DEFAULT pg_current_xact_id(),
  created_at          timestamptz NOT NULL DEFAULT now(),
  account_id          uuid,
  session_id          uuid,     -- mfa, unlock: the session; login ok: the one to create
  status              text NOT NULL,
  retry_after_s       integer,
  mfa_required        boolean,
  method              text,
  recovery_codes_left integer,
  server_addr         inet,
  reported_origin     text,
  client_version      text,
  revealed_at         timestamptz
);
CREATE INDEX attempts_open ON attempts (created_xid) WHERE revealed_at IS NULL;
CREATE INDEX attempts_created ON attempts (created_at);

-- Refuses every api call in a transaction that holds an attempt whose
-- answer has not been collected (LMG01).  pg_current_xact_id_if_assigned()
-- is NULL in a transaction that has written nothing, which is every
-- honest call's case, so the lookup costs nothing there.
CREATE FUNCTION attempt_guard() RETURNS void
LANGUAGE plpgsql SET search_path = lumen, ext, pg_temp
AS $$
BEGIN
  IF EXISTS (SELECT 1 FROM attempts a
             WHERE a.created_xid = pg_current_xact_id_if_assigned() AND a.revealed_at IS NULL) THEN
    PERFORM fail('LMG01', 'an attempt in this transaction has not been committed: '
                          'commit, then ask api.attempt_result');
  END IF;
END
$$;

-- Stores an outcome; returns the id the caller gets.
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
  p_client_version      text    DEFAULT NULL
) RETURNS text
LANGUAGE plpgsql SET search_path = lumen, ext, pg_temp
AS $$
DECLARE
  v_handle bytea := gen_random_bytes(32);
BEGIN
  INSERT INTO attempts (handle_hash, kind, account_id, session_id, status, retry_after_s,
                        mfa_required, method, recovery_codes_left, server_addr,
                        reported_origin, client_version)
  VALUES (digest(v_handle, 'sha256'), p_kind, p_account_id, p_session_id, p_status,
          p_retry_after_s, p_mfa_required, p_method, p_recovery_codes_left, inet_client_addr(),
          p_reported_origin, p_client_version);
  PERFORM throttle_purge();
  RETURN encode(v_handle, 'hex');
END
$$;

-- The outcome of an attempt, once: a second look, an unknown id or one
-- older than five minutes is LMV01.  With p_committed_only (always, from
-- the api) an attempt whose transaction has not committed is LMG01 --
-- inside that transaction it is 'in progress'.  Tests that run in one
-- transaction read outcomes with p_committed_only false (as postgres).
-- A login that succeeded gets its session now: a fresh token, of which
-- only the hash is stored, with the session id the login.success audit row
-- already names.
CREATE FUNCTION attempt_open(p_attempt text, p_committed_only boolean)
RETURNS TABLE (status text, retry_after_s integer, token text, session_id uuid,
               mfa_required boolean, method text, recovery_codes_left integer)
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
                      a.mfa_required, a.method, a.recovery_codes_left;
END
$$;

-- Session validation (005), now first refusing a transaction that holds
-- an uncollected attempt.  Otherwise unchanged; see 005 for the contract.
CREATE OR REPLACE FUNCTION session_check(p_token text, p_need text DEFAULT 'practice') RETURNS sessions
LANGUAGE plpgsql SET search_path = lumen, ext, pg_temp
AS $$
DECLARE
  v_hash bytea;
  s sessions;
BEGIN
  IF p_need NOT IN ('any', 'account', 'practice', 'unlock', 'end') THEN
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
  PERFORM context_set(s.account_id, s.practice_id);
  IF s.practice_id IS NOT NULL AND NOT EXISTS (
       SELECT 1 FROM memberships m
       WHERE m.practice_id = s.practice_id AND m.account_id = s.account_id) THEN
    s.practice_id := NULL;
    PERFORM context_set(s.account_id, NULL);
  END IF;
  IF p_need = 'practice' AND s.practice_id IS NULL THEN
    PERFORM fail('LMS06', 'no practice selected');
  END IF;
  IF p_need <> 'unlock' THEN
    s.last_seen_at := now();
  END IF;
  UPDATE sessions x SET last_seen_at = s.last_seen_at, practice_id = s.practice_id WHERE x.id = s.id;
  RETURN s;
END
$$;

-- A refused attempt's audit row, at most one a minute per lock (see
-- throttle_refusal); the row says how many refusals it stands for.
CREATE FUNCTION audit_refusal(p_lock_key text, p_account_id uuid, p_practice_id uuid,
                              p_action text, p_email text, p_session_id uuid,
                              p_origin text, p_detail jsonb) RETURNS void
LANGUAGE plpgsql SET search_path = lumen, ext, pg_temp
AS $$
DECLARE
  v_n integer := throttle_refusal(p_lock_key);
BEGIN
  IF v_n IS NOT NULL THEN
    PERFORM audit_account_event(p_account_id, p_practice_id, p_action, 'denied', p_email,
      p_session_id, p_origin, p_detail || jsonb_build_object('refusals', v_n));
  END IF;
END
$$;

-- The guess functions change their answer to an attempt id: the old ones
-- go here, the new ones are defined in db/api/30_guesses.sql (repeatable,
-- applied after every migration) with api.attempt_result.
DROP FUNCTION api.login(text, bytea, jsonb);
DROP FUNCTION api.mfa_verify(text, text);
DROP FUNCTION api.unlock(text, bytea, text);

-- ===========================================================================
-- 4. No api call waits on a lock for more than a second, whatever another
-- transaction holds: every api function is declared with
-- SET lock_timeout = '1s' (55P03 lock_not_available then).  They all live
-- in db/api/ (applied after the migrations), which declares it on each;
-- tests/db/010_schema.pg fails on one that does not.
-- ===========================================================================
