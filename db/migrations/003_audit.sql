-- 003: the audit log: append-only, and a SHA-256 hash chain per practice so
-- that even a superuser's edits show.
SET LOCAL ROLE lumen_owner;
SET LOCAL search_path = lumen, ext, pg_temp;

-- ---------------------------------------------------------------------------
-- One table for every event.  practice_id is NULL for events that belong to
-- no practice (a failed sign-in with an unknown email, an account with no
-- membership); those rows form a chain of their own.  No foreign keys: the
-- log must outlive the accounts, sessions and practices it names.
-- at is clock_timestamp() taken while the chain is locked (see below), so
-- within a chain it follows the order of the rows.
-- ---------------------------------------------------------------------------
CREATE TABLE audit_log (
  id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  at              timestamptz NOT NULL,
  practice_id     uuid,
  actor_id        uuid,
  actor_email     text,
  session_id      uuid,
  action          text NOT NULL CHECK (action ~ '^[a-z_]+(\.[a-z_]+)?$'),
  target_type     text,
  target_id       text,
  outcome         text NOT NULL CHECK (outcome IN ('success', 'denied', 'failure')),
  server_addr     inet,           -- inet_client_addr(): what the server saw
  reported_origin text,           -- what the client says (SSH_CONNECTION); unverified
  detail          jsonb NOT NULL DEFAULT '{}',
  prev_hash       bytea NOT NULL CHECK (octet_length(prev_hash) = 32),
  hash            bytea NOT NULL CHECK (octet_length(hash) = 32)
);
CREATE INDEX audit_log_chain ON audit_log (practice_id, id);
CREATE INDEX audit_log_at ON audit_log (practice_id, at, id);

-- The end of each chain.  Appends lock this row, which serializes them per
-- practice (the chain never forks) and, unlike an advisory lock plus
-- "read the latest row", stays correct under REPEATABLE READ: a stale
-- snapshot gets a serialization failure instead of a forked chain.  It also
-- lets lumen.audit_verify notice rows cut off the end of a chain.
CREATE TABLE audit_chain_heads (
  practice_id uuid UNIQUE NULLS NOT DISTINCT,
  last_id     bigint NOT NULL,
  last_hash   bytea NOT NULL CHECK (octet_length(last_hash) = 32)
);

-- ---------------------------------------------------------------------------
-- THE CANONICAL ROW.  The C client re-computes the chain with libsodium from
-- the columns it reads, so this is a contract; change it only with a new
-- version tag.
--
--   hash = SHA-256( prev_hash || canonical_row )
--   prev_hash of the first row of a chain = 32 zero bytes; of every other
--   row = the hash of the row before it in the same chain (same practice_id,
--   or both NULL), in ascending id order.
--
--   canonical_row = "lumen-audit-v1\n" followed by these 13 fields, in this
--   order, each encoded as field(x):
--      1 id               decimal, no sign, no leading zeros
--      2 at               UTC, "YYYY-MM-DDTHH:MM:SS.ffffffZ": always six
--                         fraction digits, e.g. 2026-03-01T14:05:09.000120Z
--      3 practice_id      uuid, lowercase 8-4-4-4-12
--      4 actor_id         uuid, as above
--      5 actor_email      text as stored
--      6 session_id       uuid, as above
--      7 action           text
--      8 target_type      text
--      9 target_id        text
--     10 outcome          text
--     11 server_addr      inet's output form, as libpq returns the column
--                         (a host address has no /32 or /128 suffix:
--                         "10.1.2.3", "::1")
--     12 reported_origin  text
--     13 detail           jsonb's text output, exactly as PostgreSQL prints
--                         it (what libpq returns for the column)
--   field(NULL)  = "~\n"
--   field(value) = <decimal byte length of value in UTF-8> ":" <value> "\n"
--   All text is UTF-8.  The length prefix makes the encoding unambiguous
--   whatever the values contain; "~" cannot start a length, so NULL and ""
--   ("0:\n") differ.
-- ---------------------------------------------------------------------------
CREATE FUNCTION audit_field(p text) RETURNS bytea
LANGUAGE sql IMMUTABLE SET search_path = lumen, ext, pg_temp
AS $$
  SELECT CASE WHEN p IS NULL THEN '\x7e0a'::bytea   -- "~\n"
         ELSE convert_to(octet_length(convert_to(p, 'UTF8'))::text || ':', 'UTF8')
              || convert_to(p, 'UTF8') || '\x0a'::bytea
         END
$$;

CREATE FUNCTION audit_canonical(r audit_log) RETURNS bytea
LANGUAGE sql STABLE SET search_path = lumen, ext, pg_temp
AS $$
  SELECT convert_to(E'lumen-audit-v1\n', 'UTF8')
      || audit_field(r.id::text)
      || audit_field(to_char(r.at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'))
      || audit_field(r.practice_id::text)
      || audit_field(r.actor_id::text)
      || audit_field(r.actor_email)
      || audit_field(r.session_id::text)
      || audit_field(r.action)
      || audit_field(r.target_type)
      || audit_field(r.target_id)
      || audit_field(r.outcome)
      -- inet's output function; a cast to text would add /32 (and format()
      -- alone would turn NULL into '')
      || audit_field(CASE WHEN r.server_addr IS NOT NULL THEN format('%s', r.server_addr) END)
      || audit_field(r.reported_origin)
      || audit_field(r.detail::text)
$$;

-- Chains every insert, however it is made, so that no code path can add an
-- unchained row.  Ids are assigned before BEFORE triggers run, i.e. before
-- the chain lock is held; a row whose id is not past the chain's last id
-- (a concurrent append got the lock first) takes a fresh one, so that
-- ascending id order is always chain order.
CREATE FUNCTION audit_chain_link() RETURNS trigger
LANGUAGE plpgsql SET search_path = lumen, ext, pg_temp
AS $$
DECLARE
  v_saved text := current_setting('lumen.practice_id', true);
  v_head audit_chain_heads;
BEGIN
  PERFORM set_config('lumen.practice_id', coalesce(NEW.practice_id::text, ''), true);
  INSERT INTO audit_chain_heads (practice_id, last_id, last_hash)
  VALUES (NEW.practice_id, 0, decode(repeat('00', 32), 'hex'))
  ON CONFLICT (practice_id) DO NOTHING;
  SELECT * INTO STRICT v_head FROM audit_chain_heads h
  WHERE h.practice_id IS NOT DISTINCT FROM NEW.practice_id
  FOR UPDATE;
  IF NEW.id <= v_head.last_id THEN
    NEW.id := nextval(pg_get_serial_sequence('lumen.audit_log', 'id'));
  END IF;
  NEW.at := clock_timestamp();
  NEW.prev_hash := v_head.last_hash;
  NEW.hash := digest(NEW.prev_hash || audit_canonical(NEW), 'sha256');
  UPDATE audit_chain_heads h SET last_id = NEW.id, last_hash = NEW.hash
  WHERE h.practice_id IS NOT DISTINCT FROM NEW.practice_id;
  PERFORM set_config('lumen.practice_id', coalesce(v_saved, ''), true);
  RETURN NEW;
END
$$;
CREATE TRIGGER audit_log_chain BEFORE INSERT ON audit_log
  FOR EACH ROW EXECUTE FUNCTION audit_chain_link();

-- ---------------------------------------------------------------------------
-- Append-only.  The trigger refuses every role, the owner included; only a
-- superuser can get past it (by disabling triggers), and the chain shows
-- what it did.  The privileges are revoked as well so that a refusal does
-- not depend on a trigger alone.
-- ---------------------------------------------------------------------------
CREATE FUNCTION audit_refuse_change() RETURNS trigger
LANGUAGE plpgsql SET search_path = lumen, ext, pg_temp
AS $$
BEGIN
  RAISE EXCEPTION USING ERRCODE = 'LMA01',
    MESSAGE = format('the audit log is append-only (%s refused)', TG_OP);
END
$$;
CREATE TRIGGER audit_log_no_update_delete BEFORE UPDATE OR DELETE ON audit_log
  FOR EACH ROW EXECUTE FUNCTION audit_refuse_change();
CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log
  FOR EACH STATEMENT EXECUTE FUNCTION audit_refuse_change();
REVOKE UPDATE, DELETE, TRUNCATE, REFERENCES, TRIGGER ON audit_log FROM lumen_owner;
REVOKE ALL ON audit_log, audit_chain_heads FROM PUBLIC;

-- Rows of one practice only (the NULL chain when no practice is set).
ALTER TABLE audit_log ENABLE ROW LEVEL SECURITY;
ALTER TABLE audit_log FORCE ROW LEVEL SECURITY;
CREATE POLICY audit_log_scope ON audit_log
  USING (practice_id = current_practice()
         OR (practice_id IS NULL AND current_practice() IS NULL));
ALTER TABLE audit_chain_heads ENABLE ROW LEVEL SECURITY;
ALTER TABLE audit_chain_heads FORCE ROW LEVEL SECURITY;
CREATE POLICY audit_chain_heads_scope ON audit_chain_heads
  USING (practice_id = current_practice()
         OR (practice_id IS NULL AND current_practice() IS NULL));

-- ---------------------------------------------------------------------------
-- The one way api functions write the log.  server_addr is always taken
-- here, from the connection, never from the caller.
-- ---------------------------------------------------------------------------
CREATE FUNCTION audit_append(
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
  INSERT INTO audit_log (at, practice_id, actor_id, actor_email, session_id, action,
                         target_type, target_id, outcome, server_addr, reported_origin,
                         detail, prev_hash, hash)
  VALUES (clock_timestamp(), p_practice_id, p_actor_id, p_actor_email, p_session_id, p_action,
          p_target_type, p_target_id, p_outcome, inet_client_addr(), p_reported_origin,
          coalesce(p_detail, '{}'), decode(repeat('00', 32), 'hex'),
          decode(repeat('00', 32), 'hex'))   -- both set by the trigger
  RETURNING id INTO v_id;
  PERFORM set_config('lumen.practice_id', coalesce(v_saved, ''), true);
  RETURN v_id;
END
$$;

-- An event about an account rather than about one practice (sign-in, second
-- factor, sign-out before a practice is chosen) goes to the chain of the
-- session's practice when there is one, otherwise one row to each practice
-- the account belongs to, so that every practice's Owner sees what happened
-- to its members; an account with no practice, or no account at all
-- (unknown email), goes to the NULL chain.  Absent facts (no client version
-- reported) are left out of detail rather than written as JSON nulls.
CREATE FUNCTION audit_account_event(
  p_account_id      uuid,
  p_practice_id     uuid,
  p_action          text,
  p_outcome         text,
  p_actor_email     text,
  p_session_id      uuid,
  p_reported_origin text,
  p_detail          jsonb DEFAULT '{}'
) RETURNS void
LANGUAGE plpgsql SET search_path = lumen, ext, pg_temp
AS $$
DECLARE
  v_saved text := current_setting('lumen.account_id', true);
  v_practices uuid[];
  v_p uuid;
BEGIN
  IF p_practice_id IS NOT NULL THEN
    v_practices := ARRAY[p_practice_id];
  ELSIF p_account_id IS NOT NULL THEN
    PERFORM set_config('lumen.account_id', p_account_id::text, true);
    SELECT array_agg(m.practice_id ORDER BY m.practice_id) INTO v_practices
    FROM memberships m WHERE m.account_id = p_account_id;
    PERFORM set_config('lumen.account_id', coalesce(v_saved, ''), true);
  END IF;
  IF v_practices IS NULL THEN
    v_practices := ARRAY[NULL::uuid];
  END IF;
  FOREACH v_p IN ARRAY v_practices LOOP
    PERFORM audit_append(v_p, p_action, p_outcome,
                         p_actor_id => p_account_id, p_actor_email => p_actor_email,
                         p_session_id => p_session_id,
                         p_target_type => CASE WHEN p_account_id IS NOT NULL THEN 'account' END,
                         p_target_id => p_account_id::text,
                         p_reported_origin => p_reported_origin,
                         p_detail => jsonb_strip_nulls(coalesce(p_detail, '{}')));
  END LOOP;
END
$$;

-- ---------------------------------------------------------------------------
-- Re-computes one chain (NULL: the chain of events with no practice) and
-- returns the id of the first row that does not match, or NULL when the
-- whole chain holds.  A row deleted from the middle shows at the row after
-- it (its prev_hash no longer matches); rows cut from the end show as the
-- head's last_id, which no longer exists.  SECURITY DEFINER so that it reads
-- under row-level security with the practice it is asked about, whoever
-- calls it (lumen_owner, a superuser; later an api function that checks
-- audit.read first).
-- ---------------------------------------------------------------------------
CREATE FUNCTION audit_verify(p_practice_id uuid) RETURNS bigint
LANGUAGE plpgsql SECURITY DEFINER SET search_path = lumen, ext, pg_temp
AS $$
DECLARE
  v_saved text := current_setting('lumen.practice_id', true);
  v_cur refcursor;
  r audit_log;
  v_prev bytea := decode(repeat('00', 32), 'hex');
  v_last bigint := 0;
  v_head audit_chain_heads;
  v_bad bigint;
BEGIN
  PERFORM set_config('lumen.practice_id', coalesce(p_practice_id::text, ''), true);
  IF p_practice_id IS NULL THEN
    OPEN v_cur FOR SELECT * FROM audit_log a WHERE a.practice_id IS NULL ORDER BY a.id;
  ELSE
    OPEN v_cur FOR SELECT * FROM audit_log a WHERE a.practice_id = p_practice_id ORDER BY a.id;
  END IF;
  LOOP
    FETCH v_cur INTO r;
    EXIT WHEN NOT FOUND;
    IF r.prev_hash IS DISTINCT FROM v_prev
       OR r.hash IS DISTINCT FROM digest(r.prev_hash || audit_canonical(r), 'sha256') THEN
      v_bad := r.id;
      EXIT;
    END IF;
    v_prev := r.hash;
    v_last := r.id;
  END LOOP;
  CLOSE v_cur;
  IF v_bad IS NULL THEN
    SELECT * INTO v_head FROM audit_chain_heads h
    WHERE h.practice_id IS NOT DISTINCT FROM p_practice_id;
    IF FOUND AND (v_head.last_id <> v_last OR v_head.last_hash <> v_prev) THEN
      v_bad := greatest(v_head.last_id, v_last);
    END IF;
  END IF;
  PERFORM set_config('lumen.practice_id', coalesce(v_saved, ''), true);
  RETURN v_bad;
END
$$;
