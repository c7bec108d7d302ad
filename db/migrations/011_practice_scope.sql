-- 011: one helper for "save the practice setting, set it, restore it"
-- (issue 6).
--
-- Row-level security keys on lumen.practice_id (transaction-local).  A
-- function that must read or write one practice's rows whatever the
-- caller's practice is (a row of another practice's audit chain, the
-- one-Owner check at COMMIT, a new ingest key) saved the setting, set it,
-- did its work and put the saved value back: three lines, repeated in
-- audit_append (007), practice_owner_check (002) and ingest_key_new (009).
-- They become
--
--   v_saved := practice_scope_enter(p_practice);  -- the old value
--   ... the practice's rows ...
--   PERFORM practice_scope_leave(v_saved);
--
-- and the functions are replaced here (migrations are immutable once
-- applied), each doing exactly what it did before.  Like the code it
-- replaces, a function that raises between the two leaves nothing to
-- restore: the error ends the statement, and the setting with it is
-- undone with the transaction or the subtransaction that catches it.
--
-- Not to be used by the api functions for the session's own practice:
-- lumen.session_check sets it (context_set) for the whole call.

SET LOCAL ROLE lumen_owner;
SET LOCAL search_path = lumen, ext, pg_temp;

-- Sets the practice in force to p_practice (NULL: none, the NULL chain)
-- and answers the one in force before, for practice_scope_leave.  The
-- setting outlives this function (set_config is_local: the transaction's,
-- not this call's; search_path is the only setting its SET clause saves).
CREATE FUNCTION practice_scope_enter(p_practice uuid) RETURNS text
LANGUAGE plpgsql SET search_path = lumen, ext, pg_temp
AS $$
DECLARE
  v_saved text := current_setting('lumen.practice_id', true);
BEGIN
  PERFORM set_config('lumen.practice_id', coalesce(p_practice::text, ''), true);
  RETURN v_saved;
END
$$;

-- Puts back what practice_scope_enter answered (NULL, never set: '').
CREATE FUNCTION practice_scope_leave(p_saved text) RETURNS void
LANGUAGE plpgsql SET search_path = lumen, ext, pg_temp
AS $$
BEGIN
  PERFORM set_config('lumen.practice_id', coalesce(p_saved, ''), true);
END
$$;

-- 007's, on the helpers.
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
  v_saved text;
  v_id bigint;
BEGIN
  v_saved := practice_scope_enter(p_practice_id);
  INSERT INTO audit.audit_log (at, practice_id, actor_id, actor_email, session_id, action,
                               target_type, target_id, outcome, reported_origin, detail)
  VALUES (clock_timestamp(), p_practice_id, p_actor_id, p_actor_email, p_session_id, p_action,
          p_target_type, p_target_id, p_outcome, p_reported_origin, coalesce(p_detail, '{}'))
  RETURNING id INTO v_id;
  PERFORM audit.seal(p_practice_id);
  PERFORM practice_scope_leave(v_saved);
  RETURN v_id;
END
$$;

-- 002's, on the helpers (SECURITY DEFINER: see 002).
CREATE OR REPLACE FUNCTION practice_owner_check() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = lumen, ext, pg_temp
AS $$
DECLARE
  v_saved text;
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
    v_saved := practice_scope_enter(v_p);
    v_ok := NOT EXISTS (SELECT 1 FROM practices p WHERE p.id = v_p)
            OR EXISTS (SELECT 1 FROM memberships m
                       WHERE m.practice_id = v_p AND m.role = 'owner');
    PERFORM practice_scope_leave(v_saved);
    IF NOT v_ok THEN
      RAISE EXCEPTION USING ERRCODE = 'check_violation',
        MESSAGE = format('practice %s must have exactly one owner', v_p);
    END IF;
  END LOOP;
  RETURN NULL;
END
$$;

-- 009's, on the helpers.
CREATE OR REPLACE FUNCTION ingest_key_new(p_practice uuid) RETURNS text
LANGUAGE plpgsql SET search_path = lumen, ext, pg_temp
AS $$
DECLARE
  v_key bytea := gen_random_bytes(32);
  v_saved text;
BEGIN
  IF p_practice IS NULL THEN
    RAISE EXCEPTION 'ingest_key_new: no practice';
  END IF;
  v_saved := practice_scope_enter(p_practice);
  INSERT INTO ingest_keys (practice_id, key_hash) VALUES (p_practice, digest(v_key, 'sha256'));
  PERFORM practice_scope_leave(v_saved);
  RETURN 'lik_' || encode(v_key, 'hex');
END
$$;
