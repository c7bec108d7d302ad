-- Account security (issue 10): api.mfa_enroll_begin, mfa_enroll_confirm,
-- mfa_recovery_regenerate, mfa_disable, password_change, sessions,
-- session_revoke, sessions_revoke_all.  Repeatable, as 10_session.sql (see
-- its head); the lumen.* helpers only these use are dropped and made again
-- here too, as 50_leads.sql does.  Tables: 014 (the pending enrollment),
-- 013 (sessions_end, the wake-up, the outbox, attempts with a secret).
-- Reference for the client: db/API.md, "Account security".
--
-- Every function here is the account's own business: need 'account', so a
-- session in a practice that requires 2FA (LMS07 elsewhere) can enroll,
-- and every role (and a session with no practice) may call them (mfa.self
-- and session.self are in every role's list).  Writes answer an attempt
-- id; the outcome (and a secret: recovery codes) comes from
-- api.attempt_result after the commit.  Guesses -- a code, the current
-- password's key -- are counted and audited whatever the outcome, before
-- the caller can learn it, and the factor's or the email's lock refuses
-- them as mfa_verify's and login's do.
SET LOCAL ROLE lumen_owner;
SET LOCAL search_path = lumen, ext, pg_temp;

-- ===========================================================================
-- Helpers.
-- ===========================================================================

-- An account event of this session, as audit_account_event writes it (the
-- session's practice, or each of the account's practices when none is
-- chosen, or the chain of no practice), with a target of the caller's
-- choosing (a session) when given; the account otherwise.
DROP FUNCTION IF EXISTS lumen.security_audit(sessions, text, text, text, jsonb, text, text);
CREATE FUNCTION lumen.security_audit(s sessions, p_email text, p_action text, p_outcome text,
                                     p_detail jsonb, p_target_type text DEFAULT NULL,
                                     p_target_id text DEFAULT NULL)
RETURNS void
LANGUAGE plpgsql SET search_path = lumen, ext, pg_temp
AS $$
DECLARE
  v_saved text := current_setting('lumen.account_id', true);
  v_practices uuid[];
  v_p uuid;
BEGIN
  IF p_target_type IS NULL THEN
    PERFORM audit_account_event(s.account_id, s.practice_id, p_action, p_outcome, p_email, s.id,
                                s.reported_origin, p_detail);
    RETURN;
  END IF;
  IF s.practice_id IS NOT NULL THEN
    v_practices := ARRAY[s.practice_id];
  ELSE
    PERFORM set_config('lumen.account_id', s.account_id::text, true);
    SELECT array_agg(m.practice_id ORDER BY m.practice_id) INTO v_practices
    FROM memberships m WHERE m.account_id = s.account_id;
    PERFORM set_config('lumen.account_id', coalesce(v_saved, ''), true);
  END IF;
  FOREACH v_p IN ARRAY coalesce(v_practices, ARRAY[NULL::uuid]) LOOP
    PERFORM audit_append(v_p, p_action, p_outcome, p_actor_id => s.account_id,
                         p_actor_email => p_email, p_session_id => s.id,
                         p_target_type => p_target_type, p_target_id => p_target_id,
                         p_reported_origin => s.reported_origin,
                         p_detail => jsonb_strip_nulls(coalesce(p_detail, '{}')));
  END LOOP;
END
$$;

-- A message about the account's own security to the account's email
-- (issue 11 delivers it): what happened, when, from where the server saw
-- it and where the client says it was.  Nothing about patients.
DROP FUNCTION IF EXISTS lumen.security_outbox(sessions, text, text, jsonb);
CREATE FUNCTION lumen.security_outbox(s sessions, p_kind text, p_email text, p_extra jsonb DEFAULT '{}')
RETURNS bigint
LANGUAGE sql SET search_path = lumen, ext, pg_temp
AS $$
  SELECT outbox_put(NULL, p_kind, p_email,
                    jsonb_strip_nulls(jsonb_build_object(
                      'account_id', s.account_id, 'session_id', s.id,
                      'at', to_char(now() AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"'),
                      'server_addr', host(inet_client_addr()),
                      'reported_origin', s.reported_origin)) || coalesce(p_extra, '{}'))
$$;

-- One more failure of the account's second factor, counted as mfa_verify
-- and unlock count theirs (30_guesses.sql): five in a row (within an hour
-- of each other) lock it for 1 min, doubling to 1 h.  Answers the number
-- of failures and when the factor is locked until (NULL: not locked).
DROP FUNCTION IF EXISTS lumen.mfa_failure_note(accounts);
CREATE FUNCTION lumen.mfa_failure_note(a accounts, OUT failures integer, OUT locked_until timestamptz)
LANGUAGE plpgsql SET search_path = lumen, ext, pg_temp
AS $$
BEGIN
  failures := CASE WHEN a.mfa_last_failure_at < now() - interval '1 hour' THEN 1
                   ELSE a.mfa_failures + 1 END;
  locked_until := now() + lock_delay(failures, 5);
  UPDATE accounts x SET mfa_failures = failures, mfa_last_failure_at = now(),
                        mfa_locked_until = coalesce(locked_until, x.mfa_locked_until)
  WHERE x.id = a.id;
END
$$;

-- An email in an otpauth URI's label: percent-encoded (UTF-8 bytes) but
-- for A-Z a-z 0-9 @ . _ - +, which authenticator apps read as they are.
DROP FUNCTION IF EXISTS lumen.uri_escape(text);
CREATE FUNCTION lumen.uri_escape(p text) RETURNS text
LANGUAGE plpgsql IMMUTABLE STRICT SET search_path = lumen, ext, pg_temp
AS $$
DECLARE
  b bytea := convert_to(p, 'UTF8');
  c integer;
  out text := '';
BEGIN
  FOR i IN 0 .. octet_length(b) - 1 LOOP
    c := get_byte(b, i);
    IF (c BETWEEN 65 AND 90) OR (c BETWEEN 97 AND 122) OR (c BETWEEN 48 AND 57)
       OR c IN (64, 46, 95, 45, 43) THEN
      out := out || chr(c);
    ELSE
      out := out || '%' || upper(lpad(to_hex(c), 2, '0'));
    END IF;
  END LOOP;
  RETURN out;
END
$$;

-- ===========================================================================
-- Two-factor enrollment.
-- ===========================================================================

-- Step 1: a fresh 20-byte secret, kept sealed as the account's pending one
-- (replacing an earlier pending one) for 10 minutes, answered once as
-- base32 (no padding) and as the otpauth URI the QR code draws (default
-- parameters left out, so the code stays small).  A caller who rolls this
-- back saw a secret that was never stored: its confirmation is 'lapsed'.
DROP FUNCTION IF EXISTS api.mfa_enroll_begin(text);
CREATE FUNCTION api.mfa_enroll_begin(p_token text)
RETURNS TABLE (secret_base32 text, uri text, expires_at timestamptz)
LANGUAGE plpgsql SECURITY DEFINER SET search_path = lumen, ext, pg_temp SET lock_timeout = '1s'
AS $$
#variable_conflict use_column
DECLARE
  s sessions;
  a accounts;
  v_secret bytea := gen_random_bytes(20);
  v_b32 text;
BEGIN
  s := session_check(p_token, 'account');
  SELECT * INTO STRICT a FROM accounts x WHERE x.id = s.account_id FOR UPDATE;
  IF a.mfa_enabled THEN
    PERFORM fail('LMV01', 'two-factor authentication is already enabled');
  END IF;
  -- A recent proof of the password: someone at an unlocked terminal must
  -- not bind the account to an authenticator of their own and so lock its
  -- owner out.  A sign-in is that proof, so enrolling right after it (as a
  -- practice that requires 2FA asks) is not asked again.
  PERFORM require_step_up(s);
  UPDATE accounts x SET totp_pending_enc = secret_seal(v_secret), totp_pending_at = now()
  WHERE x.id = a.id;
  v_b32 := base32_encode(v_secret);
  RETURN QUERY SELECT v_b32,
                      'otpauth://totp/Lumen:' || uri_escape(a.email::text) || '?secret=' || v_b32
                        || '&issuer=Lumen',
                      now() + interval '10 minutes';
END
$$;

-- Step 2: the first code from the app.  A guess: a wrong one counts on the
-- second factor's lock as mfa_verify's do.  On ok 2FA is on, the code's
-- step is remembered (it never works again, here or at sign-in), ten
-- recovery codes replace any old ones and are the result's secret.
DROP FUNCTION IF EXISTS api.mfa_enroll_confirm(text, text);
CREATE FUNCTION api.mfa_enroll_confirm(p_token text, p_code text) RETURNS text
LANGUAGE plpgsql SECURITY DEFINER SET search_path = lumen, ext, pg_temp SET lock_timeout = '1s'
AS $$
DECLARE
  s sessions;
  a accounts;
  v_code text := code_normalize(p_code);
  v_secret bytea;
  v_now bigint;
  v_matched bigint;
  v_reused boolean := false;
  v_method text;
  f record;
  v_codes text;
BEGIN
  s := session_check(p_token, 'account');
  SELECT * INTO STRICT a FROM accounts x WHERE x.id = s.account_id FOR UPDATE;
  IF a.mfa_enabled THEN
    PERFORM fail('LMV01', 'two-factor authentication is already enabled');
  END IF;

  -- A locked factor refuses before anything is looked at (mfa_verify's rule).
  IF a.mfa_locked_until > now() THEN
    PERFORM audit_refusal('mfa:' || a.id, a.id, s.practice_id, 'mfa.enroll', a.email::text, s.id,
      s.reported_origin, jsonb_build_object('reason', 'locked',
                                            'retry_after_s', seconds_until(a.mfa_locked_until)));
    RETURN attempt_record('mfa.enroll', 'locked', a.id, s.id, seconds_until(a.mfa_locked_until));
  END IF;

  -- Nothing pending, or pending too long: begin again.  Not a guess (there
  -- is no secret to guess at), so not counted; the stale secret goes.
  IF a.totp_pending_enc IS NULL OR a.totp_pending_at <= now() - interval '10 minutes' THEN
    UPDATE accounts x SET totp_pending_enc = NULL, totp_pending_at = NULL WHERE x.id = a.id;
    RETURN attempt_record('mfa.enroll', 'lapsed', a.id, s.id);
  END IF;

  -- The code against the pending secret: RFC 6238 as mfa_code_check
  -- (window of one step either side, a step only if later than the last
  -- one accepted for this account).  Recovery codes do not confirm.
  IF v_code ~ '^[0-9]{6}$' THEN
    v_method := 'totp';
    v_secret := secret_open(a.totp_pending_enc);
    v_now := totp_step(now());
    FOR v_step IN v_now - 1 .. v_now + 1 LOOP
      IF totp(v_secret, v_step, 6) = v_code THEN
        IF v_step > coalesce(a.totp_last_step, -1) THEN
          v_matched := v_step;
          EXIT;
        END IF;
        v_reused := true;
      END IF;
    END LOOP;
  ELSE
    v_method := 'malformed';
  END IF;

  IF v_matched IS NULL THEN
    SELECT * INTO f FROM mfa_failure_note(a);
    PERFORM security_audit(s, a.email::text, 'mfa.enroll', 'failure',
      jsonb_build_object('method', v_method, 'reason', CASE WHEN v_reused THEN 'reused' ELSE 'wrong' END,
                         'failures', f.failures, 'locked', f.locked_until IS NOT NULL));
    RETURN attempt_record('mfa.enroll', CASE WHEN f.locked_until IS NOT NULL THEN 'locked' ELSE 'invalid' END,
                          a.id, s.id,
                          CASE WHEN f.locked_until IS NOT NULL THEN seconds_until(f.locked_until) END,
                          p_method => v_method);
  END IF;

  UPDATE accounts x SET mfa_enabled = true, totp_secret_enc = x.totp_pending_enc,
                        totp_pending_enc = NULL, totp_pending_at = NULL, totp_last_step = v_matched,
                        mfa_failures = 0, mfa_locked_until = NULL
  WHERE x.id = a.id;
  SELECT string_agg(c, E'\n') INTO v_codes FROM recovery_codes_issue(a.id) c;
  UPDATE sessions x SET step_up_at = now() WHERE x.id = s.id;
  PERFORM security_audit(s, a.email::text, 'mfa.enroll', 'success',
                         jsonb_build_object('method', 'totp', 'recovery_codes', 10));
  PERFORM security_outbox(s, 'mfa.enroll', a.email::text);
  PERFORM account_wake(a.id);
  RETURN attempt_record('mfa.enroll', 'ok', a.id, s.id, p_method => 'totp',
                        p_recovery_codes_left => 10, p_secret => v_codes);
END
$$;

-- Ten new recovery codes; the old ones, used or not, stop working.  Needs a
-- step-up (LMU01, raised: nothing was done).  The codes are the result's
-- secret, so they are shown only once they have committed.
DROP FUNCTION IF EXISTS api.mfa_recovery_regenerate(text);
CREATE FUNCTION api.mfa_recovery_regenerate(p_token text) RETURNS text
LANGUAGE plpgsql SECURITY DEFINER SET search_path = lumen, ext, pg_temp SET lock_timeout = '1s'
AS $$
DECLARE
  s sessions;
  a accounts;
  v_codes text;
BEGIN
  s := session_check(p_token, 'account');
  PERFORM require_step_up(s);
  SELECT * INTO STRICT a FROM accounts x WHERE x.id = s.account_id FOR UPDATE;
  IF NOT a.mfa_enabled THEN
    PERFORM fail('LMV01', 'two-factor authentication is not enabled for this account');
  END IF;
  SELECT string_agg(c, E'\n') INTO v_codes FROM recovery_codes_issue(a.id) c;
  PERFORM security_audit(s, a.email::text, 'mfa.recovery_regenerate', 'success',
                         jsonb_build_object('recovery_codes', 10));
  PERFORM account_wake(a.id);           -- other clients' "codes left"
  RETURN attempt_record('mfa.recovery_regenerate', 'ok', a.id, s.id, p_recovery_codes_left => 10,
                        p_secret => v_codes);
END
$$;

-- Turning 2FA off takes a current code (TOTP or a recovery code, by the one
-- rule of mfa_code_check), not only a session: a guess, counted as
-- mfa_verify's.  Refused ('required', audited as denied, no code spent)
-- while a practice the account belongs to requires 2FA.
DROP FUNCTION IF EXISTS api.mfa_disable(text, text);
CREATE FUNCTION api.mfa_disable(p_token text, p_code text) RETURNS text
LANGUAGE plpgsql SECURITY DEFINER SET search_path = lumen, ext, pg_temp SET lock_timeout = '1s'
AS $$
DECLARE
  s sessions;
  a accounts;
  c record;
  f record;
  v_requiring uuid[];
BEGIN
  s := session_check(p_token, 'account');
  SELECT * INTO STRICT a FROM accounts x WHERE x.id = s.account_id FOR UPDATE;
  IF NOT a.mfa_enabled THEN
    PERFORM fail('LMV01', 'two-factor authentication is not enabled for this account');
  END IF;

  IF a.mfa_locked_until > now() THEN
    PERFORM audit_refusal('mfa:' || a.id, a.id, s.practice_id, 'mfa.disable', a.email::text, s.id,
      s.reported_origin, jsonb_build_object('reason', 'locked',
                                            'retry_after_s', seconds_until(a.mfa_locked_until)));
    RETURN attempt_record('mfa.disable', 'locked', a.id, s.id, seconds_until(a.mfa_locked_until));
  END IF;

  -- Every practice of the account, not only the session's: the rule of
  -- any of them keeps 2FA on (memberships and practices are visible by
  -- the account in the context, which session_check set).
  SELECT array_agg(p.id ORDER BY p.id) INTO v_requiring
  FROM memberships m JOIN practices p ON p.id = m.practice_id
  WHERE m.account_id = a.id AND p.require_mfa;
  IF v_requiring IS NOT NULL THEN
    PERFORM security_audit(s, a.email::text, 'mfa.disable', 'denied',
                           jsonb_build_object('reason', 'required', 'practices', to_jsonb(v_requiring)));
    RETURN attempt_record('mfa.disable', 'required', a.id, s.id);
  END IF;

  SELECT * INTO c FROM mfa_code_check(s, p_code);
  IF NOT c.matched THEN
    SELECT * INTO f FROM mfa_failure_note(a);
    PERFORM security_audit(s, a.email::text, 'mfa.disable', 'failure',
      jsonb_build_object('method', c.method, 'reason', CASE WHEN c.reused THEN 'reused' ELSE 'wrong' END,
                         'failures', f.failures, 'locked', f.locked_until IS NOT NULL));
    RETURN attempt_record('mfa.disable', CASE WHEN f.locked_until IS NOT NULL THEN 'locked' ELSE 'invalid' END,
                          a.id, s.id,
                          CASE WHEN f.locked_until IS NOT NULL THEN seconds_until(f.locked_until) END,
                          p_method => c.method);
  END IF;

  -- The secret and every recovery code go; totp_last_step stays, so no
  -- code of an old step works again even with a new secret's bad luck.
  UPDATE accounts x SET mfa_enabled = false, totp_secret_enc = NULL, totp_pending_enc = NULL,
                        totp_pending_at = NULL, mfa_failures = 0, mfa_locked_until = NULL
  WHERE x.id = a.id;
  DELETE FROM recovery_codes r WHERE r.account_id = a.id;
  UPDATE sessions x SET step_up_at = now() WHERE x.id = s.id;
  PERFORM security_audit(s, a.email::text, 'mfa.disable', 'success',
                         jsonb_build_object('method', c.method));
  PERFORM security_outbox(s, 'mfa.disable', a.email::text);
  PERFORM account_wake(a.id);
  RETURN attempt_record('mfa.disable', 'ok', a.id, s.id, p_method => c.method);
END
$$;

-- ===========================================================================
-- Password change: the current password's key (a guess, counted on the
-- email's sign-in throttle as login and unlock count theirs, so it cannot
-- be used to guess past the sign-in lock), a new salt, limits and key.
-- Every other session of the account ends (password_changed).
-- ===========================================================================
DROP FUNCTION IF EXISTS api.password_change(text, bytea, bytea, bigint, bigint, bytea);
CREATE FUNCTION api.password_change(p_token text, p_current_key bytea, p_salt bytea, p_opslimit bigint,
                                    p_memlimit bigint, p_new_key bytea) RETURNS text
LANGUAGE plpgsql SECURITY DEFINER SET search_path = lumen, ext, pg_temp SET lock_timeout = '1s'
AS $$
DECLARE
  s sessions;
  a accounts;
  v_email_key text;
  v_until timestamptz;
  v_ended uuid[];
BEGIN
  s := session_check(p_token, 'account');
  -- Arguments first: a malformed call is a client's bug, never a guess.
  IF p_current_key IS NULL OR octet_length(p_current_key) <> 32 THEN
    PERFORM fail('LMV01', 'current_key: must be 32 bytes');
  END IF;
  IF p_new_key IS NULL OR octet_length(p_new_key) <> 32 THEN
    PERFORM fail('LMV01', 'new_key: must be 32 bytes');
  END IF;
  IF p_salt IS NULL OR octet_length(p_salt) <> 16 THEN
    PERFORM fail('LMV01', 'salt: must be 16 bytes');
  END IF;
  -- The accounts table's limits (002): libsodium's INTERACTIVE at least, and
  -- at most what keeps every client from allocating gigabytes.
  IF p_opslimit IS NULL OR p_opslimit NOT BETWEEN 2 AND 32 THEN
    PERFORM fail('LMV01', 'opslimit: 2 to 32');
  END IF;
  IF p_memlimit IS NULL OR p_memlimit NOT BETWEEN 67108864 AND 1073741824 THEN
    PERFORM fail('LMV01', 'memlimit: 67108864 (64 MiB) to 1073741824 (1 GiB)');
  END IF;
  SELECT * INTO STRICT a FROM accounts x WHERE x.id = s.account_id FOR UPDATE;
  IF p_salt = a.pw_salt THEN
    PERFORM fail('LMV01', 'salt: must be a new one');
  END IF;
  v_email_key := 'email:' || email_norm(a.email::text);

  v_until := throttle_locked_until(v_email_key, 5);
  IF v_until IS NOT NULL THEN
    PERFORM audit_refusal(v_email_key, a.id, s.practice_id, 'password.change', a.email::text, s.id,
      s.reported_origin, jsonb_build_object('reason', 'locked', 'lock', 'email',
                                            'retry_after_s', seconds_until(v_until)));
    RETURN attempt_record('password.change', 'locked', a.id, s.id, seconds_until(v_until));
  END IF;

  IF NOT verifier_matches(a.pw_verifier, p_current_key) THEN
    PERFORM throttle_note(v_email_key, 'failure');
    v_until := throttle_locked_until(v_email_key, 5);
    PERFORM security_audit(s, a.email::text, 'password.change', 'failure',
      jsonb_build_object('reason', 'password',
                         'retry_after_s', CASE WHEN v_until IS NOT NULL THEN seconds_until(v_until) END));
    RETURN attempt_record('password.change', CASE WHEN v_until IS NOT NULL THEN 'locked' ELSE 'invalid' END,
                          a.id, s.id, CASE WHEN v_until IS NOT NULL THEN seconds_until(v_until) END);
  END IF;

  UPDATE accounts x SET pw_salt = p_salt, pw_opslimit = p_opslimit, pw_memlimit = p_memlimit,
                        pw_verifier = digest(p_new_key, 'sha256'), pw_changed_at = now()
  WHERE x.id = a.id;
  PERFORM throttle_note(v_email_key, 'success');
  v_ended := sessions_end(a.id, 'password_changed', NULL, s.id);
  UPDATE sessions x SET step_up_at = now() WHERE x.id = s.id;
  PERFORM security_audit(s, a.email::text, 'password.change', 'success',
                         jsonb_build_object('sessions_ended', to_jsonb(v_ended)));
  PERFORM security_outbox(s, 'password.change', a.email::text,
                          jsonb_build_object('sessions_ended', cardinality(v_ended)));
  PERFORM account_wake(a.id);
  RETURN attempt_record('password.change', 'ok', a.id, s.id, p_affected => cardinality(v_ended));
END
$$;

-- ===========================================================================
-- Sessions.
-- ===========================================================================

-- The account's sessions that still work or can be unlocked (not revoked,
-- not past their absolute expiry), newest activity first; this one marked.
-- practice_name only where the account is still a member.  Not audited.
DROP FUNCTION IF EXISTS api.sessions(text);
CREATE FUNCTION api.sessions(p_token text)
RETURNS TABLE (id uuid, created_at timestamptz, last_seen_at timestamptz, server_addr text,
               reported_origin text, client_version text, practice_name text, state text,
               current boolean)
LANGUAGE plpgsql SECURITY DEFINER SET search_path = lumen, ext, pg_temp SET lock_timeout = '1s'
AS $$
#variable_conflict use_column
DECLARE
  s sessions;
BEGIN
  s := session_check(p_token, 'account');
  RETURN QUERY
    SELECT x.id, x.created_at, x.last_seen_at, host(x.server_addr), x.reported_origin,
           x.client_version, p.name,
           CASE WHEN x.last_seen_at + x.idle_timeout < now() THEN 'locked' ELSE 'live' END,
           x.id = s.id
    FROM sessions x
    LEFT JOIN memberships m ON m.practice_id = x.practice_id AND m.account_id = x.account_id
    LEFT JOIN practices p ON p.id = m.practice_id
    WHERE x.account_id = s.account_id AND x.revoked_at IS NULL AND x.absolute_expires_at > now()
    ORDER BY x.last_seen_at DESC, x.id;
END
$$;

-- Ends one session of the account's (why 'revoked').  Another session than
-- this one needs a step-up (signing others out, DESIGN.md), asked before
-- the id is looked at; this one does not (it is signing out).  An id that
-- is not a live session of this account -- unknown, ended, or another
-- account's -- is 'not_found', all alike (sessions' row-level security
-- shows the account's own only).
DROP FUNCTION IF EXISTS api.session_revoke(text, uuid);
CREATE FUNCTION api.session_revoke(p_token text, p_session_id uuid) RETURNS text
LANGUAGE plpgsql SECURITY DEFINER SET search_path = lumen, ext, pg_temp SET lock_timeout = '1s'
AS $$
DECLARE
  s sessions;
  v_email text;
  v_id uuid;
BEGIN
  s := session_check(p_token, 'account');
  IF p_session_id IS NULL THEN
    PERFORM fail('LMV01', 'session_id: missing');
  END IF;
  IF p_session_id <> s.id THEN
    PERFORM require_step_up(s);
  END IF;
  UPDATE sessions x SET revoked_at = now(), revoked_why = 'revoked'
  WHERE x.id = p_session_id AND x.account_id = s.account_id
    AND x.revoked_at IS NULL AND x.absolute_expires_at > now()
  RETURNING x.id INTO v_id;
  IF v_id IS NULL THEN
    RETURN attempt_record('session.revoke', 'not_found', s.account_id, s.id, p_affected => 0);
  END IF;
  SELECT a.email::text INTO v_email FROM accounts a WHERE a.id = s.account_id;
  PERFORM security_audit(s, v_email, 'session.revoke', 'success',
                         jsonb_build_object('reason', 'revoked', 'current', v_id = s.id),
                         'session', v_id::text);
  PERFORM account_wake(s.account_id);
  RETURN attempt_record('session.revoke', 'ok', s.account_id, s.id, p_affected => 1);
END
$$;

-- Sign out everywhere: every session of the account, this one too or all
-- others (p_include_current).  Needs a step-up.  Each open client is woken
-- (sessions_end) and returns to sign-in.
DROP FUNCTION IF EXISTS api.sessions_revoke_all(text, boolean);
CREATE FUNCTION api.sessions_revoke_all(p_token text, p_include_current boolean) RETURNS text
LANGUAGE plpgsql SECURITY DEFINER SET search_path = lumen, ext, pg_temp SET lock_timeout = '1s'
AS $$
DECLARE
  s sessions;
  v_email text;
  v_ended uuid[];
BEGIN
  s := session_check(p_token, 'account');
  PERFORM require_step_up(s);
  IF p_include_current IS NULL THEN
    PERFORM fail('LMV01', 'include_current: missing');
  END IF;
  v_ended := sessions_end(s.account_id, 'signed_out_everywhere', NULL,
                          CASE WHEN p_include_current THEN NULL ELSE s.id END);
  SELECT a.email::text INTO v_email FROM accounts a WHERE a.id = s.account_id;
  PERFORM security_audit(s, v_email, 'session.revoke_all', 'success',
                         jsonb_build_object('sessions', to_jsonb(v_ended),
                                            'include_current', p_include_current));
  PERFORM security_outbox(s, 'session.revoke_all', v_email,
                          jsonb_build_object('sessions_ended', cardinality(v_ended)));
  PERFORM account_wake(s.account_id);
  RETURN attempt_record('session.revoke_all', 'ok', s.account_id, s.id,
                        p_affected => cardinality(v_ended));
END
$$;
