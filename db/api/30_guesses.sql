-- Guesses: api.login, api.mfa_verify, api.unlock and api.attempt_result.
-- Repeatable, as 10_session.sql (see its head); the tables and lumen.*
-- helpers they use are in migration 007, whose head says why a guess
-- answers only an attempt id.  Reference for the client: db/API.md.
SET LOCAL ROLE lumen_owner;
SET LOCAL search_path = lumen, ext, pg_temp;

-- ---------------------------------------------------------------------------
-- api.login(email, K, client) -> attempt id.  The checks of 005, in order:
-- a lock refuses before the key is looked at (nothing counted); a wrong
-- key counts on the email and the address; a right one clears the email's
-- count.  See db/API.md for the statuses api.attempt_result tells.
-- ---------------------------------------------------------------------------
DROP FUNCTION IF EXISTS api.login(text, bytea, jsonb);
CREATE FUNCTION api.login(p_email text, p_key bytea, p_client jsonb DEFAULT '{}')
RETURNS text
LANGUAGE plpgsql SECURITY DEFINER SET search_path = lumen, ext, pg_temp SET lock_timeout = '1s'
AS $$
DECLARE
  v_email text;
  v_ci record;
  v_email_key text;
  v_addr_key text;
  v_acct accounts;
  v_known boolean;
  v_lock text;
  v_until timestamptz;
  v_practices uuid[];
  v_sid uuid;
BEGIN
  PERFORM attempt_guard();
  PERFORM context_clear();
  v_email := email_norm(p_email);
  IF p_key IS NULL OR octet_length(p_key) <> 32 THEN
    PERFORM fail('LMV01', 'the key must be 32 bytes');
  END IF;
  SELECT * INTO v_ci FROM client_info(p_client);
  v_email_key := 'email:' || v_email;
  v_addr_key := 'addr:' || coalesce(host(inet_client_addr()), 'local');

  SELECT * INTO v_acct FROM accounts a WHERE a.email = v_email::ext.citext;
  PERFORM context_set(v_acct.id, NULL);          -- its sessions and memberships
  v_known := account_known_here(v_acct.id);
  SELECT array_agg(m.practice_id) INTO v_practices FROM memberships m WHERE m.account_id = v_acct.id;
  PERFORM context_clear();

  v_until := throttle_locked_until(v_email_key, 5);
  v_lock := v_email_key;
  IF v_until IS NULL AND NOT v_known THEN
    v_until := throttle_locked_until(v_addr_key, 20);
    v_lock := v_addr_key;
  END IF;
  IF v_until IS NOT NULL THEN
    PERFORM audit_refusal(v_lock, v_acct.id, NULL, 'login.locked', v_email, NULL, v_ci.origin,
      jsonb_build_object('retry_after_s', seconds_until(v_until), 'lock', split_part(v_lock, ':', 1),
                         'client_version', v_ci.version));
    RETURN attempt_record('login', 'locked', v_acct.id, p_retry_after_s => seconds_until(v_until));
  END IF;

  IF NOT verifier_matches(v_acct.pw_verifier, p_key) THEN
    PERFORM throttle_note(v_email_key, 'failure');
    PERFORM throttle_note(v_addr_key, 'failure');
    v_until := throttle_locked_until(v_email_key, 5);
    IF NOT v_known THEN
      v_until := greatest(v_until, throttle_locked_until(v_addr_key, 20));
    END IF;
    PERFORM audit_account_event(v_acct.id, NULL, 'login.failure', 'failure', v_email, NULL,
      v_ci.origin, jsonb_build_object('client_version', v_ci.version));
    IF v_until IS NOT NULL THEN
      PERFORM audit_account_event(v_acct.id, NULL, 'login.locked', 'failure', v_email, NULL,
        v_ci.origin, jsonb_build_object('retry_after_s', seconds_until(v_until),
                                        'client_version', v_ci.version));
      RETURN attempt_record('login', 'locked', v_acct.id, p_retry_after_s => seconds_until(v_until));
    END IF;
    RETURN attempt_record('login', 'invalid', v_acct.id);
  END IF;

  PERFORM throttle_note(v_email_key, 'success');
  v_sid := gen_random_uuid();
  PERFORM audit_account_event(v_acct.id,
    CASE WHEN cardinality(v_practices) = 1 THEN v_practices[1] END,
    'login.success', 'success', v_acct.email::text, v_sid, v_ci.origin,
    jsonb_build_object('mfa_required', v_acct.mfa_enabled, 'client_version', v_ci.version));
  RETURN attempt_record('login', 'ok', v_acct.id, v_sid, p_mfa_required => v_acct.mfa_enabled,
                        p_reported_origin => v_ci.origin, p_client_version => v_ci.version);
END
$$;

-- ---------------------------------------------------------------------------
-- api.mfa_verify(token, code) -> attempt id.  The rules of 005: five
-- failures in a row lock the factor with growing delays; a locked factor
-- spends nothing.  On ok the session's factor is satisfied at once (the
-- guard keeps that from being seen before the commit).
-- ---------------------------------------------------------------------------
DROP FUNCTION IF EXISTS api.mfa_verify(text, text);
CREATE FUNCTION api.mfa_verify(p_token text, p_code text) RETURNS text
LANGUAGE plpgsql SECURITY DEFINER SET search_path = lumen, ext, pg_temp SET lock_timeout = '1s'
AS $$
DECLARE
  s sessions;
  a accounts;
  c record;               -- mfa_code_check's answer
  v_failures integer;
  v_until timestamptz;
BEGIN
  s := session_check(p_token, 'any');
  SELECT * INTO STRICT a FROM accounts x WHERE x.id = s.account_id FOR UPDATE;
  IF NOT a.mfa_enabled THEN
    PERFORM fail('LMV01', 'two-factor authentication is not enabled for this account');
  END IF;

  IF a.mfa_locked_until > now() THEN
    PERFORM audit_refusal('mfa:' || a.id, a.id, s.practice_id, 'mfa.failure', a.email::text, s.id,
      s.reported_origin, jsonb_build_object('reason', 'locked',
                                            'retry_after_s', seconds_until(a.mfa_locked_until)));
    RETURN attempt_record('mfa', 'locked', a.id, s.id, seconds_until(a.mfa_locked_until));
  END IF;

  SELECT * INTO c FROM mfa_code_check(s, p_code);
  IF c.matched THEN
    UPDATE accounts x SET mfa_failures = 0, mfa_locked_until = NULL WHERE x.id = a.id;
    UPDATE sessions x SET mfa_satisfied = true, step_up_at = now() WHERE x.id = s.id;
    IF c.method = 'totp' THEN
      PERFORM audit_account_event(a.id, s.practice_id, 'mfa.success', 'success', a.email::text,
        s.id, s.reported_origin, jsonb_build_object('method', 'totp'));
    END IF;
    RETURN attempt_record('mfa', 'ok', a.id, s.id, p_method => c.method,
                          p_recovery_codes_left => c.recovery_codes_left);
  END IF;

  v_failures := CASE WHEN a.mfa_last_failure_at < now() - interval '1 hour' THEN 1
                     ELSE a.mfa_failures + 1 END;
  v_until := now() + lock_delay(v_failures, 5);
  UPDATE accounts x SET mfa_failures = v_failures, mfa_last_failure_at = now(),
                        mfa_locked_until = coalesce(v_until, x.mfa_locked_until)
  WHERE x.id = a.id;
  PERFORM audit_account_event(a.id, s.practice_id, 'mfa.failure', 'failure', a.email::text, s.id,
    s.reported_origin, jsonb_build_object('method', c.method,
                                          'reason', CASE WHEN c.reused THEN 'reused' ELSE 'wrong' END,
                                          'failures', v_failures,
                                          'locked', v_until IS NOT NULL));
  RETURN attempt_record('mfa', CASE WHEN v_until IS NOT NULL THEN 'locked' ELSE 'invalid' END,
                        a.id, s.id, CASE WHEN v_until IS NOT NULL THEN seconds_until(v_until) END,
                        p_method => c.method);
END
$$;

-- ---------------------------------------------------------------------------
-- api.unlock(token, K, code) -> attempt id.  The checks and answers of 006
-- (db/API.md), with the sign-in lock read from throttle_events.
-- ---------------------------------------------------------------------------
DROP FUNCTION IF EXISTS api.unlock(text, bytea, text);
CREATE FUNCTION api.unlock(p_token text, p_key bytea, p_code text DEFAULT NULL) RETURNS text
LANGUAGE plpgsql SECURITY DEFINER SET search_path = lumen, ext, pg_temp SET lock_timeout = '1s'
AS $$
DECLARE
  s sessions;
  a accounts;
  v_email_key text;
  v_code text := code_normalize(p_code);
  v_until timestamptz;
  v_reason text;          -- what failed: password | code
  v_method text;          -- totp | recovery | malformed (a code's form)
  v_reused boolean := false;
  c record;               -- mfa_code_check's answer
  v_mfa_failures integer;
  v_failures integer;
BEGIN
  s := session_check(p_token, 'unlock');
  IF p_key IS NULL OR octet_length(p_key) <> 32 THEN
    PERFORM fail('LMV01', 'the key must be 32 bytes');
  END IF;
  SELECT * INTO STRICT a FROM accounts x WHERE x.id = s.account_id FOR UPDATE;
  v_email_key := 'email:' || email_norm(a.email::text);    -- login's key for this account

  -- Sign-in is locked for this email: refused before the key is looked at.
  v_until := throttle_locked_until(v_email_key, 5);
  IF v_until IS NOT NULL THEN
    PERFORM audit_refusal(v_email_key, a.id, s.practice_id, 'session.unlock', a.email::text, s.id,
      s.reported_origin, jsonb_build_object('reason', 'locked', 'lock', 'email',
                                            'retry_after_s', seconds_until(v_until)));
    RETURN attempt_record('unlock', 'locked', a.id, s.id, seconds_until(v_until));
  END IF;

  IF NOT verifier_matches(a.pw_verifier, p_key) THEN
    v_reason := 'password';
    PERFORM throttle_note(v_email_key, 'failure');
    v_until := throttle_locked_until(v_email_key, 5);
  ELSIF a.mfa_enabled THEN
    IF v_code = '' THEN
      -- Right password, code still owed: not a failure, not activity.
      RETURN attempt_record('unlock', 'code_required', a.id, s.id);
    END IF;
    IF a.mfa_locked_until > now() THEN
      PERFORM audit_refusal('mfa:' || a.id, a.id, s.practice_id, 'session.unlock', a.email::text,
        s.id, s.reported_origin, jsonb_build_object('reason', 'locked', 'lock', 'mfa',
                                                    'retry_after_s', seconds_until(a.mfa_locked_until)));
      RETURN attempt_record('unlock', 'locked', a.id, s.id, seconds_until(a.mfa_locked_until));
    END IF;
    SELECT * INTO c FROM mfa_code_check(s, v_code);
    v_method := c.method;
    v_reused := c.reused;
    IF NOT c.matched THEN
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
    UPDATE sessions x SET unlock_failures = 0, step_up_at = now(), last_seen_at = now()
    WHERE x.id = s.id;
    PERFORM throttle_note(v_email_key, 'success');
    IF a.mfa_enabled THEN
      UPDATE accounts x SET mfa_failures = 0, mfa_locked_until = NULL WHERE x.id = a.id;
    END IF;
    PERFORM audit_account_event(a.id, s.practice_id, 'session.unlock', 'success', a.email::text, s.id,
      s.reported_origin, jsonb_build_object('method', coalesce(v_method, 'password')));
    RETURN attempt_record('unlock', 'ok', a.id, s.id, p_method => coalesce(v_method, 'password'));
  END IF;

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
    RETURN attempt_record('unlock', 'locked', a.id, s.id, p_method => v_method);
  ELSIF v_until IS NOT NULL THEN
    RETURN attempt_record('unlock', 'locked', a.id, s.id, seconds_until(v_until), p_method => v_method);
  END IF;
  RETURN attempt_record('unlock', 'invalid', a.id, s.id, p_method => v_method);
END
$$;

-- ---------------------------------------------------------------------------
-- api.attempt_result(attempt) -> the outcome, once, after the commit.
-- affected: rows a lead write changed (009); NULL for the guesses.
-- secret: a value shown once (recovery codes, an invite code), kept sealed
-- until now and wiped as it is told; info: facts of the outcome (013).
-- ---------------------------------------------------------------------------
DROP FUNCTION IF EXISTS api.attempt_result(text);
CREATE FUNCTION api.attempt_result(p_attempt text)
RETURNS TABLE (status text, retry_after_s integer, token text, session_id uuid,
               mfa_required boolean, method text, recovery_codes_left integer,
               affected integer, secret text, info jsonb)
LANGUAGE plpgsql SECURITY DEFINER SET search_path = lumen, ext, pg_temp SET lock_timeout = '1s'
AS $$
#variable_conflict use_column
BEGIN
  RETURN QUERY SELECT * FROM attempt_open(p_attempt, true);
END
$$;

