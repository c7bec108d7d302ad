-- 006: unlocking the idle lock (HIPAA automatic logoff).  Idle expiry locks
-- a session, it does not end it: once last_seen_at + idle_timeout has passed
-- every api function raises LMS03 and the client shows its lock screen (it
-- may lock its screen earlier by itself); the user proves the password again
-- (and a second factor where the account has 2FA) and api.unlock revives the
-- same session.  Revoked, absolute-expired and unknown sessions stay dead.
-- Reference for the client: db/API.md.
SET LOCAL ROLE lumen_owner;
SET LOCAL search_path = lumen, ext, pg_temp;

-- Failed unlocks of a session since its last successful one.  The fifth
-- revokes the session (revoked_why 'unlock_failures'): whoever sits at a
-- locked terminal gets five guesses, then a sign-in from scratch.
ALTER TABLE sessions
  ADD COLUMN unlock_failures integer NOT NULL DEFAULT 0 CHECK (unlock_failures >= 0);

-- ---------------------------------------------------------------------------
-- api.unlock(token, K, code) -> (status, retry_after_s)
--
-- Answers with a status instead of raising for bad credentials, so that the
-- failure count, the throttles and the audit rows survive (a raise would
-- roll them back).  Session errors still raise (LMS01, LMS02, LMS04,
-- LMS05), key errors LMV01; never LMS03, since lifting the idle lock is the
-- point.  Order of the checks, chosen so that someone at a locked terminal
-- learns nothing about a code before proving the password:
--   1. the session (need 'unlock': not revoked, not past its absolute
--      expiry, second factor not owed; idle or not)
--   2. K is 32 bytes, else LMV01
--   3. the account's email is locked for sign-in          -> locked, n s
--      (the key is not checked, nothing is counted: unlock cannot be used to
--      guess a password that sign-in is protecting)
--   4. wrong K                                            -> invalid
--      (whatever the code; the code is neither checked nor spent)
--   5. 2FA on, no code                                    -> code_required
--      (not a failure: the password was right)
--   6. 2FA on, the account's second factor locked         -> locked, n s
--   7. 2FA on, wrong/reused/malformed code                -> invalid
--   8. otherwise                                          -> ok
-- A failure (4, 7) counts one on the session, and on the email's sign-in
-- throttle (4) or on the account's second-factor count (7), exactly as
-- login and mfa_verify count theirs.  The failure that reaches a threshold
-- already answers locked: the fifth of the session revokes it (retry_after_s
-- NULL: back to the sign-in screen); a sign-in or factor lock it imposes
-- answers retry_after_s.
-- Only ok is activity (it touches last_seen_at).  session_check does not
-- touch it for need 'unlock', so every other answer leaves it as it was:
-- guessing at a locked terminal neither keeps the session from locking nor
-- revives it.  session_check also locks the session row, so concurrent
-- unlocks of one session take turns and the failure count cannot be raced
-- past five.
-- ---------------------------------------------------------------------------
CREATE FUNCTION api.unlock(p_token text, p_key bytea, p_code text DEFAULT NULL)
RETURNS TABLE (status text, retry_after_s integer)
LANGUAGE plpgsql SECURITY DEFINER SET search_path = lumen, ext, pg_temp
AS $$
#variable_conflict use_column
DECLARE
  s sessions;
  a accounts;
  v_email text;
  v_code text := code_normalize(p_code);
  v_until timestamptz;
  v_reason text;          -- what failed: password | code
  v_method text;          -- totp | recovery | malformed (a code's form)
  v_reused boolean := false;
  c record;               -- mfa_code_check's answer
  v_mfa_failures integer;
  v_failures integer;
BEGIN
  -- Idle or not; the row stays locked until the end of the call.
  s := session_check(p_token, 'unlock');

  IF p_key IS NULL OR octet_length(p_key) <> 32 THEN
    PERFORM fail('LMV01', 'the key must be 32 bytes');
  END IF;

  SELECT * INTO STRICT a FROM accounts x WHERE x.id = s.account_id FOR UPDATE;
  v_email := email_norm(a.email::text);     -- login's throttle key for this account

  -- 3. Sign-in is locked for this email: refused before the key is looked at.
  v_until := throttle_locked_until('email', v_email);
  IF v_until IS NOT NULL THEN
    PERFORM audit_account_event(a.id, s.practice_id, 'session.unlock', 'denied', a.email::text, s.id,
      s.reported_origin, jsonb_build_object('reason', 'locked', 'lock', 'email',
                                            'retry_after_s', seconds_until(v_until)));
    RETURN QUERY SELECT 'locked'::text, seconds_until(v_until);
    RETURN;
  END IF;

  IF NOT verifier_matches(a.pw_verifier, p_key) THEN
    -- 4. Wrong password, whatever the code.
    v_reason := 'password';
    v_until := throttle_fail('email', v_email, 5);
  ELSIF a.mfa_enabled THEN
    IF v_code = '' THEN
      -- 5. Right password, code still owed: not a failure, not activity.
      RETURN QUERY SELECT 'code_required'::text, NULL::integer;
      RETURN;
    END IF;
    IF a.mfa_locked_until > now() THEN
      -- 6. The second factor is locked (by mfa_verify or by unlock): even a
      -- good code is refused and not spent.
      PERFORM audit_account_event(a.id, s.practice_id, 'session.unlock', 'denied', a.email::text, s.id,
        s.reported_origin, jsonb_build_object('reason', 'locked', 'lock', 'mfa',
                                              'retry_after_s', seconds_until(a.mfa_locked_until)));
      RETURN QUERY SELECT 'locked'::text, seconds_until(a.mfa_locked_until);
      RETURN;
    END IF;
    -- The code, by the very rule of mfa_verify (lumen.mfa_code_check, in
    -- 005): TOTP within one step either side and later than the account's
    -- last accepted step, or an unused recovery code.  A match is spent
    -- there and then (totp_last_step; the recovery code marked used and
    -- audited as mfa.recovery_used, ahead of this call's session.unlock).
    SELECT * INTO c FROM mfa_code_check(s, v_code);
    v_method := c.method;
    v_reused := c.reused;
    IF NOT c.matched THEN
      -- 7. Wrong code: counted on the account's second factor as well, with
      -- mfa_verify's threshold and delays.
      v_reason := 'code';
      v_mfa_failures := CASE WHEN a.mfa_last_failure_at < now() - interval '1 hour' THEN 1
                             ELSE a.mfa_failures + 1 END;
      v_until := now() + lock_delay(v_mfa_failures, 5);
      UPDATE accounts x SET mfa_failures = v_mfa_failures, mfa_last_failure_at = now(),
                            mfa_locked_until = coalesce(v_until, x.mfa_locked_until)
      WHERE x.id = a.id;
    END IF;
  END IF;

  IF v_reason IS NULL THEN
    -- 8. Unlocked: the session lives again (an idle-expired one too, since
    -- last_seen_at is now).  A fresh proof of the password (and code) is a
    -- step-up.
    UPDATE sessions x SET unlock_failures = 0, step_up_at = now(), last_seen_at = now()
    WHERE x.id = s.id;
    DELETE FROM login_throttle t WHERE t.kind = 'email' AND t.key = v_email;
    IF a.mfa_enabled THEN
      UPDATE accounts x SET mfa_failures = 0, mfa_locked_until = NULL WHERE x.id = a.id;
    END IF;
    PERFORM audit_account_event(a.id, s.practice_id, 'session.unlock', 'success', a.email::text, s.id,
      s.reported_origin, jsonb_build_object('method', coalesce(v_method, 'password')));
    RETURN QUERY SELECT 'ok'::text, NULL::integer;
    RETURN;
  END IF;

  -- A failure: counted on the session; not activity (last_seen_at stays).
  UPDATE sessions x SET unlock_failures = x.unlock_failures + 1
  WHERE x.id = s.id
  RETURNING x.unlock_failures INTO v_failures;
  PERFORM audit_account_event(a.id, s.practice_id, 'session.unlock', 'failure', a.email::text, s.id,
    s.reported_origin, jsonb_build_object('reason', v_reason, 'method', v_method,
                                          'reused', CASE WHEN v_reused THEN true END,
                                          'failures', v_failures,
                                          'retry_after_s', CASE WHEN v_until IS NOT NULL
                                                                THEN seconds_until(v_until) END));
  IF v_failures >= 5 THEN
    UPDATE sessions x SET revoked_at = now(), revoked_why = 'unlock_failures' WHERE x.id = s.id;
    PERFORM audit_account_event(a.id, s.practice_id, 'session.revoke', 'success', a.email::text, s.id,
      s.reported_origin, jsonb_build_object('reason', 'unlock_failures', 'failures', v_failures));
    RETURN QUERY SELECT 'locked'::text, NULL::integer;
  ELSIF v_until IS NOT NULL THEN
    RETURN QUERY SELECT 'locked'::text, seconds_until(v_until);
  ELSE
    RETURN QUERY SELECT 'invalid'::text, NULL::integer;
  END IF;
END
$$;
