-- The practice api: practices, select_practice.  Repeatable, as
-- 10_session.sql (see its head).  Reference for the client: db/API.md.
SET LOCAL ROLE lumen_owner;
SET LOCAL search_path = lumen, ext, pg_temp;

-- Every practice the account belongs to, for the practice picker.
DROP FUNCTION IF EXISTS api.practices(text);
CREATE FUNCTION api.practices(p_token text)
RETURNS TABLE (practice_id uuid, name text, role text)
LANGUAGE plpgsql SECURITY DEFINER SET search_path = lumen, ext, pg_temp SET lock_timeout = '1s'
AS $$
#variable_conflict use_column
DECLARE
  s sessions;
BEGIN
  s := session_check(p_token, 'account');
  RETURN QUERY
    SELECT p.id, p.name, m.role
    FROM memberships m JOIN practices p ON p.id = m.practice_id
    WHERE m.account_id = s.account_id
    ORDER BY p.name, p.id;
END
$$;

-- Choose (or switch) the session's practice.  Its timeouts then apply: the
-- idle timeout, and an absolute expiry of created_at + its absolute timeout.
-- A practice the account does not belong to, existing or not: LMP01.
-- A closed one is still selected (its Owner works there until the purge;
-- anyone else then meets LMS08 at the practice's first call).
DROP FUNCTION IF EXISTS api.select_practice(text, uuid);
CREATE FUNCTION api.select_practice(p_token text, p_practice_id uuid) RETURNS void
LANGUAGE plpgsql SECURITY DEFINER SET search_path = lumen, ext, pg_temp SET lock_timeout = '1s'
AS $$
DECLARE
  s sessions;
  v_idle interval;
  v_abs interval;
BEGIN
  s := session_check(p_token, 'account');
  IF p_practice_id IS NULL THEN
    PERFORM fail('LMV01', 'a practice is required');
  END IF;
  SELECT p.idle_timeout, p.absolute_timeout INTO v_idle, v_abs
  FROM memberships m JOIN practices p ON p.id = m.practice_id
  WHERE m.account_id = s.account_id AND m.practice_id = p_practice_id;
  IF NOT FOUND THEN
    PERFORM fail('LMP01', 'not a member of that practice');
  END IF;
  UPDATE sessions x SET practice_id = p_practice_id, idle_timeout = v_idle,
                        absolute_expires_at = x.created_at + v_abs
  WHERE x.id = s.id
  RETURNING * INTO s;
  -- A practice that requires 2FA the account lacks: audited here, where
  -- the call answers normally and so commits (013); the practice's calls
  -- then raise LMS07 until the account enrolls.
  PERFORM practice_entered(s);
  PERFORM context_set(s.account_id, p_practice_id);
END
$$;
