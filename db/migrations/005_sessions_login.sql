-- 005: sessions, sign-in throttling, and the sign-in api: login_begin,
-- login, mfa_verify, logout, me, practices, select_practice.
-- Reference for the client: db/API.md.
SET LOCAL ROLE lumen_owner;
SET LOCAL search_path = lumen, ext, pg_temp;

-- ---------------------------------------------------------------------------
-- Sessions.  The client holds a random token; only its SHA-256 is stored, so
-- a copy of this table signs nobody in.  The public id (id) is what the
-- audit log and the sessions list show; the token is never logged.
-- Expiry is stored per session (copied from the practice's settings when the
-- practice is known) and always checked against now():
--   idle:     last_seen_at + idle_timeout < now()
--   absolute: absolute_expires_at <= now()
-- The session belongs to its account, not to a practice, so its row-level
-- security is keyed on the account (or, while validating, on the token hash
-- the caller presented).
-- ---------------------------------------------------------------------------
CREATE TABLE sessions (
  id                  uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  token_hash          bytea NOT NULL UNIQUE CHECK (octet_length(token_hash) = 32),
  account_id          uuid NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
  practice_id         uuid REFERENCES practices (id) ON DELETE SET NULL,  -- NULL until chosen
  created_at          timestamptz NOT NULL DEFAULT now(),
  last_seen_at        timestamptz NOT NULL DEFAULT now(),
  idle_timeout        interval NOT NULL,
  absolute_expires_at timestamptz NOT NULL,
  mfa_required        boolean NOT NULL,
  mfa_satisfied       boolean NOT NULL,
  step_up_at          timestamptz,          -- last proof of password or code
  server_addr         inet,                 -- inet_client_addr() at sign-in
  reported_origin     text,                 -- the client's SSH_CONNECTION origin, unverified
  client_version      text,
  revoked_at          timestamptz,
  revoked_why         text CHECK (revoked_why ~ '^[a-z_]+$'),
  CHECK ((revoked_at IS NULL) = (revoked_why IS NULL)),
  CHECK (mfa_required OR mfa_satisfied)
);
CREATE INDEX sessions_account ON sessions (account_id) WHERE revoked_at IS NULL;

ALTER TABLE sessions ENABLE ROW LEVEL SECURITY;
ALTER TABLE sessions FORCE ROW LEVEL SECURITY;
CREATE POLICY sessions_scope ON sessions
  USING (account_id = current_account() OR token_hash = current_token_hash());

-- ---------------------------------------------------------------------------
-- Sign-in throttling.  Failures are counted per email string (lower-cased),
-- whether or not an account has it, so that a locked unknown email looks
-- exactly like a locked account; and per origin, so that one source trying
-- many emails is slowed too.  The origin is the server-seen address plus
-- the reported SSH origin: the server address alone would make everyone
-- behind one jump host share a lock, the reported one alone could be
-- changed at will (the per-email count still holds then).
-- Growing delays: from the threshold on, each further failure doubles the
-- lock (1 min, 2, 4 ... capped at 1 h).  A count starts over an hour after
-- its last failure; a successful sign-in clears the email's count (not the
-- origin's, which an attacker's own account could otherwise reset).
-- ---------------------------------------------------------------------------
CREATE TABLE login_throttle (
  kind            text NOT NULL CHECK (kind IN ('email', 'origin')),
  key             text NOT NULL,
  failures        integer NOT NULL CHECK (failures > 0),
  last_failure_at timestamptz NOT NULL,
  locked_until    timestamptz,
  PRIMARY KEY (kind, key)
);

CREATE FUNCTION lock_delay(p_failures integer, p_threshold integer) RETURNS interval
LANGUAGE sql IMMUTABLE SET search_path = lumen, ext, pg_temp
AS $$
  SELECT CASE WHEN p_failures >= p_threshold
    THEN make_interval(secs => least(60 * 2 ^ least(p_failures - p_threshold, 10), 3600))
  END
$$;

-- Counts one failure; returns when the key is locked until, or NULL.
CREATE FUNCTION throttle_fail(p_kind text, p_key text, p_threshold integer) RETURNS timestamptz
LANGUAGE plpgsql SET search_path = lumen, ext, pg_temp
AS $$
DECLARE
  v_failures integer;
  v_until timestamptz;
BEGIN
  INSERT INTO login_throttle AS t (kind, key, failures, last_failure_at)
  VALUES (p_kind, p_key, 1, now())
  ON CONFLICT (kind, key) DO UPDATE
    SET failures = CASE WHEN t.last_failure_at < now() - interval '1 hour' THEN 1
                        ELSE t.failures + 1 END,
        last_failure_at = now()
  RETURNING t.failures INTO v_failures;
  v_until := now() + lock_delay(v_failures, p_threshold);
  IF v_until IS NOT NULL THEN
    UPDATE login_throttle t SET locked_until = v_until WHERE t.kind = p_kind AND t.key = p_key;
  END IF;
  RETURN v_until;
END
$$;

CREATE FUNCTION throttle_locked_until(p_kind text, p_key text) RETURNS timestamptz
LANGUAGE sql STABLE SET search_path = lumen, ext, pg_temp
AS $$
  SELECT t.locked_until FROM login_throttle t
  WHERE t.kind = p_kind AND t.key = p_key AND t.locked_until > now()
$$;

CREATE FUNCTION seconds_until(p timestamptz) RETURNS integer
LANGUAGE sql STABLE SET search_path = lumen, ext, pg_temp
AS $$ SELECT greatest(1, ceil(extract(epoch FROM p - now())))::integer $$;

-- ---------------------------------------------------------------------------
-- Argument helpers.  An email is compared lower-cased and trimmed (citext
-- does the same on the table side).  Anything that is not plausibly an email
-- is still answered like an unknown one by login_begin/login; only an empty
-- or oversized value is an argument error (LMV01), for every email alike.
-- ---------------------------------------------------------------------------
CREATE FUNCTION email_norm(p text) RETURNS text
LANGUAGE plpgsql IMMUTABLE SET search_path = lumen, ext, pg_temp
AS $$
DECLARE
  v text := lower(btrim(p));
BEGIN
  IF v IS NULL OR v = '' OR length(v) > 254 THEN
    RAISE EXCEPTION USING ERRCODE = 'LMV01', MESSAGE = 'an email address is required';
  END IF;
  RETURN v;
END
$$;

-- The client's self-description: {"origin": "...", "version": "..."}.
-- Stored and audited as reported, minus control characters, bounded.
CREATE FUNCTION client_info(p jsonb, OUT origin text, OUT version text)
LANGUAGE plpgsql IMMUTABLE SET search_path = lumen, ext, pg_temp
AS $$
BEGIN
  IF p IS NOT NULL AND jsonb_typeof(p) <> 'object' THEN
    RAISE EXCEPTION USING ERRCODE = 'LMV01', MESSAGE = 'client info must be a JSON object';
  END IF;
  origin := nullif(left(btrim(regexp_replace(p ->> 'origin', '[[:cntrl:]]', '', 'g')), 255), '');
  version := nullif(left(btrim(regexp_replace(p ->> 'version', '[[:cntrl:]]', '', 'g')), 64), '');
END
$$;

-- sha256(K) against the verifier without an early-exit comparison of the
-- verifier itself: both sides are hashed once more, so timing says at most
-- how many leading bytes of two unrelated hashes agree.  A NULL stored
-- verifier (unknown email) costs the same and never matches.
CREATE FUNCTION verifier_matches(p_stored bytea, p_key bytea) RETURNS boolean
LANGUAGE sql VOLATILE SET search_path = lumen, ext, pg_temp
AS $$
  SELECT digest(digest(p_key, 'sha256'), 'sha256')
         = digest(coalesce(p_stored, gen_random_bytes(32)), 'sha256')
     AND p_stored IS NOT NULL
$$;

-- ---------------------------------------------------------------------------
-- Session validation, the first thing every api function but login_begin
-- and login does.  Raises, each with its own SQLSTATE:
--   LMS01 unknown session (also: a malformed token)
--   LMS02 revoked
--   LMS04 past its absolute expiry (checked before idle: it is final)
--   LMS03 idle too long, i.e. locked (not with p_need = 'unlock')
--   LMS05 second factor owed (unless p_need = 'any')
--   LMS06 no practice selected (when p_need = 'practice'), also when the
--         account has since left the practice it had selected
-- p_need: 'any'      second factor may still be owed (mfa_verify, logout)
--         'account'  signed in fully; practice optional
--         'practice' signed in fully, with a practice
--         'unlock'   as 'account', but without the idle check and without
--                    touching last_seen_at: api.unlock only
--         'end'      as 'any', without the idle check: api.logout, so that
--                    signing out of a locked session still ends it
-- Idle expiry locks a session, it does not end it: LMS03 tells the client
-- to show its lock screen, and api.unlock (password, and code) revives the
-- same session.  So the idle check is skipped for 'unlock' -- it is what
-- unlock exists to lift -- while revocation, absolute expiry and an owed
-- factor stay final for it too.  Nor is 'unlock' activity by itself: only
-- a successful unlock is, and api.unlock touches last_seen_at then, so that
-- guessing at a locked terminal never keeps its session unlocked.
-- The row is read FOR UPDATE: calls on one session take turns (each call
-- writes the row anyway), so a concurrent revocation or failure count is
-- seen, not raced.
-- On success: touches last_seen_at (not for 'unlock'), sets the security
-- context (account and practice) and returns the session row.
-- ---------------------------------------------------------------------------
CREATE FUNCTION session_check(p_token text, p_need text DEFAULT 'practice') RETURNS sessions
LANGUAGE plpgsql SET search_path = lumen, ext, pg_temp
AS $$
DECLARE
  v_hash bytea;
  s sessions;
BEGIN
  IF p_need NOT IN ('any', 'account', 'practice', 'unlock', 'end') THEN
    RAISE EXCEPTION 'session_check: unknown need %', p_need;
  END IF;
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

-- The caller's role in the session's practice, or LMP01 when the role does
-- not carry p_permission (see lumen.role_permissions).  For api functions to
-- come; a session without a practice has no role (LMS06 first).
CREATE FUNCTION require_permission(s sessions, p_permission text) RETURNS text
LANGUAGE plpgsql SET search_path = lumen, ext, pg_temp
AS $$
DECLARE
  v_role text;
BEGIN
  IF s.practice_id IS NULL THEN
    PERFORM fail('LMS06', 'no practice selected');
  END IF;
  SELECT m.role INTO v_role FROM memberships m
  WHERE m.practice_id = s.practice_id AND m.account_id = s.account_id;
  IF v_role IS NULL OR NOT (p_permission = ANY (role_permissions(v_role))) THEN
    PERFORM fail('LMP01', format('not permitted: %s', p_permission));
  END IF;
  RETURN v_role;
END
$$;

-- ---------------------------------------------------------------------------
-- A second-factor code, checked and (when it matches) spent.  The one rule
-- for every caller that takes a code (api.mfa_verify here, api.unlock in
-- 006), so they cannot drift apart: a code accepted by either never works
-- again in the other, nor in the same one.
--   p_code, normalized (code_normalize): six digits -> TOTP, accepted within
--     one step either side of now and only for a step later than the
--     account's totp_last_step (a right code for an already used step:
--     reused); ten base32 characters -> a recovery code, accepted if one of
--     the account's codes hashes to it and is still unused; anything else:
--     method 'malformed', never a match.
--   A match is spent here, before returning: the TOTP step becomes
--   totp_last_step, the recovery code is marked used by session s, and a
--   recovery code is audited as mfa.recovery_used (recovery_codes_left).
-- Returns matched, method ('totp' | 'recovery' | 'malformed'), reused (a
-- TOTP code whose step was already used) and, on a match only, the unused
-- recovery codes left.
-- Left to the callers, since their answers differ: that the account has 2FA
-- (raised here otherwise, a caller's bug), the factor's lock
-- (mfa_locked_until: check it first, a locked factor spends nothing), the
-- failure count and its reset, their own audit rows and statuses.  The
-- account row is locked here (callers already hold it), so two calls cannot
-- both accept one step or one recovery code.
-- ---------------------------------------------------------------------------
CREATE FUNCTION mfa_code_check(s sessions, p_code text,
                               OUT matched boolean, OUT method text, OUT reused boolean,
                               OUT recovery_codes_left integer)
LANGUAGE plpgsql SET search_path = lumen, ext, pg_temp
AS $$
DECLARE
  a accounts;
  v_code text := code_normalize(p_code);
  v_secret bytea;
  v_now bigint;
  v_step bigint;
  v_matched bigint;
  v_rc bigint;
BEGIN
  matched := false;
  reused := false;
  SELECT * INTO STRICT a FROM accounts x WHERE x.id = s.account_id FOR UPDATE;
  IF NOT a.mfa_enabled THEN
    RAISE EXCEPTION 'mfa_code_check: account % has no second factor', a.id;
  END IF;

  IF v_code ~ '^[0-9]{6}$' THEN
    method := 'totp';
    v_secret := secret_open(a.totp_secret_enc);
    v_now := totp_step(now());
    FOR v_step IN v_now - 1 .. v_now + 1 LOOP
      IF totp(v_secret, v_step, 6) = v_code THEN
        IF v_step > coalesce(a.totp_last_step, -1) THEN
          v_matched := v_step;
          EXIT;
        END IF;
        reused := true;         -- right code, but its step was already used
      END IF;
    END LOOP;
    IF v_matched IS NOT NULL THEN
      UPDATE accounts x SET totp_last_step = v_matched WHERE x.id = a.id;
    END IF;
  ELSIF v_code ~ '^[A-Z2-7]{10}$' THEN
    method := 'recovery';
    UPDATE recovery_codes r SET used_at = now(), used_session_id = s.id
    WHERE r.account_id = a.id AND r.code_hash = recovery_hash(a.id, v_code) AND r.used_at IS NULL
    RETURNING r.id INTO v_rc;
  ELSE
    method := 'malformed';
  END IF;

  matched := v_matched IS NOT NULL OR v_rc IS NOT NULL;
  IF matched THEN
    SELECT count(*) INTO recovery_codes_left
    FROM recovery_codes r WHERE r.account_id = a.id AND r.used_at IS NULL;
  END IF;
  IF v_rc IS NOT NULL THEN
    PERFORM audit_account_event(a.id, s.practice_id, 'mfa.recovery_used', 'success', a.email::text,
      s.id, s.reported_origin, jsonb_build_object('recovery_codes_left', recovery_codes_left));
  END IF;
END
$$;

-- ===========================================================================
-- The api.  Every function: SECURITY DEFINER (runs as lumen_owner, the
-- client has no table privilege), fixed search_path.  EXECUTE for
-- lumen_client comes from the default privileges set in 001.
-- ===========================================================================

-- Step 1 of sign-in: the salt and Argon2id limits to stretch the password
-- with.  For an unknown email: a salt derived from the email and a server
-- secret (stable, unpredictable) and the default limits, the same shape as
-- an account with default limits.
CREATE FUNCTION api.login_begin(p_email text)
RETURNS TABLE (salt bytea, opslimit bigint, memlimit bigint)
LANGUAGE plpgsql SECURITY DEFINER SET search_path = lumen, ext, pg_temp
AS $$
#variable_conflict use_column
DECLARE
  v_email text;
  v_fake bytea;
BEGIN
  PERFORM context_clear();
  v_email := email_norm(p_email);
  -- Computed for every email, so both answers cost the same.
  v_fake := substr(hmac(convert_to(v_email, 'UTF8'),
                        (SELECT s.email_salt_key FROM server_secret s), 'sha256'), 1, 16);
  RETURN QUERY
    SELECT a.pw_salt, a.pw_opslimit, a.pw_memlimit
    FROM accounts a WHERE a.email = v_email::ext.citext;
  IF NOT FOUND THEN
    RETURN QUERY SELECT v_fake, 2::bigint, 67108864::bigint;
  END IF;
END
$$;

-- Step 2: the stretched key.  Answers with a status instead of raising, so
-- that failures are counted and audited (a raise would roll both back).
CREATE FUNCTION api.login(p_email text, p_key bytea, p_client jsonb DEFAULT '{}')
RETURNS TABLE (status text, token text, session_id uuid, mfa_required boolean, retry_after_s integer)
LANGUAGE plpgsql SECURITY DEFINER SET search_path = lumen, ext, pg_temp
AS $$
#variable_conflict use_column
DECLARE
  v_email text;
  v_ci record;
  v_origin_key text;
  v_acct accounts;
  v_until timestamptz;
  v_practices uuid[];
  v_practice uuid;
  v_idle interval;
  v_abs interval;
  v_token bytea;
  v_sid uuid;
BEGIN
  PERFORM context_clear();
  v_email := email_norm(p_email);
  IF p_key IS NULL OR octet_length(p_key) <> 32 THEN
    PERFORM fail('LMV01', 'the key must be 32 bytes');
  END IF;
  SELECT * INTO v_ci FROM client_info(p_client);
  v_origin_key := coalesce(host(inet_client_addr()), 'local') || ' ' || coalesce(v_ci.origin, '-');

  SELECT * INTO v_acct FROM accounts a WHERE a.email = v_email::ext.citext;

  -- A lock refuses the attempt before the key is even looked at.
  v_until := greatest(throttle_locked_until('email', v_email),
                      throttle_locked_until('origin', v_origin_key));
  IF v_until IS NOT NULL THEN
    PERFORM audit_account_event(v_acct.id, NULL, 'login.locked', 'denied', v_email, NULL,
      v_ci.origin, jsonb_build_object('retry_after_s', seconds_until(v_until),
                                      'client_version', v_ci.version));
    RETURN QUERY SELECT 'locked'::text, NULL::text, NULL::uuid, false, seconds_until(v_until);
    RETURN;
  END IF;

  IF NOT verifier_matches(v_acct.pw_verifier, p_key) THEN
    -- Both counts, always (two statements: nothing may short-circuit one).
    v_until := throttle_fail('email', v_email, 5);
    v_until := greatest(v_until, throttle_fail('origin', v_origin_key, 20));
    PERFORM audit_account_event(v_acct.id, NULL, 'login.failure', 'failure', v_email, NULL,
      v_ci.origin, jsonb_build_object('client_version', v_ci.version));
    IF v_until IS NOT NULL THEN
      PERFORM audit_account_event(v_acct.id, NULL, 'login.locked', 'failure', v_email, NULL,
        v_ci.origin, jsonb_build_object('retry_after_s', seconds_until(v_until),
                                        'client_version', v_ci.version));
      RETURN QUERY SELECT 'locked'::text, NULL::text, NULL::uuid, false, seconds_until(v_until);
      RETURN;
    END IF;
    RETURN QUERY SELECT 'invalid'::text, NULL::text, NULL::uuid, false, NULL::integer;
    RETURN;
  END IF;

  DELETE FROM login_throttle t WHERE t.kind = 'email' AND t.key = v_email;

  -- One practice: chosen now.  Several: chosen later (select_practice); until
  -- then the strictest timeouts of them all apply.  None: the defaults.
  PERFORM context_set(v_acct.id, NULL);
  SELECT array_agg(m.practice_id), min(p.idle_timeout), min(p.absolute_timeout)
    INTO v_practices, v_idle, v_abs
  FROM memberships m JOIN practices p ON p.id = m.practice_id
  WHERE m.account_id = v_acct.id;
  IF cardinality(v_practices) = 1 THEN
    v_practice := v_practices[1];
  END IF;

  v_token := gen_random_bytes(32);
  INSERT INTO sessions (token_hash, account_id, practice_id, idle_timeout, absolute_expires_at,
                        mfa_required, mfa_satisfied, step_up_at, server_addr, reported_origin,
                        client_version)
  VALUES (digest(v_token, 'sha256'), v_acct.id, v_practice,
          coalesce(v_idle, interval '15 minutes'), now() + coalesce(v_abs, interval '12 hours'),
          v_acct.mfa_enabled, NOT v_acct.mfa_enabled, now(), inet_client_addr(), v_ci.origin,
          v_ci.version)
  RETURNING id INTO v_sid;
  PERFORM context_set(v_acct.id, v_practice);

  PERFORM audit_account_event(v_acct.id, v_practice, 'login.success', 'success', v_acct.email::text,
    v_sid, v_ci.origin, jsonb_build_object('mfa_required', v_acct.mfa_enabled,
                                           'client_version', v_ci.version));
  RETURN QUERY SELECT 'ok'::text, encode(v_token, 'hex'), v_sid, v_acct.mfa_enabled, NULL::integer;
END
$$;

-- The second factor: a 6-digit TOTP code or a recovery code.  Also the
-- step-up proof on a session that has already passed it.  Answers with a
-- status so that failures are counted and audited.  Five failures in a row
-- lock the account's second factor with the same growing delays as sign-in.
CREATE FUNCTION api.mfa_verify(p_token text, p_code text)
RETURNS TABLE (status text, recovery_codes_left integer)
LANGUAGE plpgsql SECURITY DEFINER SET search_path = lumen, ext, pg_temp
AS $$
#variable_conflict use_column
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
    PERFORM audit_account_event(a.id, s.practice_id, 'mfa.failure', 'denied', a.email::text, s.id,
      s.reported_origin, jsonb_build_object('reason', 'locked',
                                            'retry_after_s', seconds_until(a.mfa_locked_until)));
    RETURN QUERY SELECT 'locked'::text, NULL::integer;
    RETURN;
  END IF;

  -- The code is checked, and spent if it matches, by the rule unlock shares
  -- (mfa_code_check; a recovery code writes mfa.recovery_used there).
  SELECT * INTO c FROM mfa_code_check(s, p_code);

  IF c.matched THEN
    UPDATE accounts x SET mfa_failures = 0, mfa_locked_until = NULL WHERE x.id = a.id;
    UPDATE sessions x SET mfa_satisfied = true, step_up_at = now() WHERE x.id = s.id;
    IF c.method = 'totp' THEN
      PERFORM audit_account_event(a.id, s.practice_id, 'mfa.success', 'success', a.email::text,
        s.id, s.reported_origin, jsonb_build_object('method', 'totp'));
    END IF;
    RETURN QUERY SELECT 'ok'::text, c.recovery_codes_left;
    RETURN;
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
  IF v_until IS NOT NULL THEN
    RETURN QUERY SELECT 'locked'::text, NULL::integer;
  ELSE
    RETURN QUERY SELECT 'invalid'::text, NULL::integer;
  END IF;
END
$$;

CREATE FUNCTION api.logout(p_token text) RETURNS void
LANGUAGE plpgsql SECURITY DEFINER SET search_path = lumen, ext, pg_temp
AS $$
DECLARE
  s sessions;
  v_email text;
BEGIN
  s := session_check(p_token, 'end');
  UPDATE sessions x SET revoked_at = now(), revoked_why = 'logout' WHERE x.id = s.id;
  SELECT a.email::text INTO v_email FROM accounts a WHERE a.id = s.account_id;
  PERFORM audit_account_event(s.account_id, s.practice_id, 'logout', 'success', v_email, s.id,
                              s.reported_origin, '{}');
END
$$;

-- Who is signed in, where, as what, and what the role may do.  Practice,
-- its name and zone and the role are NULL until a practice is chosen.
-- idle_timeout_s / absolute_timeout_s are the session's limits in seconds
-- (the idle lock of the client uses the first).
CREATE FUNCTION api.me(p_token text)
RETURNS TABLE (account_id uuid, email text, display_name text, practice_id uuid,
               practice_name text, practice_timezone text, role text, mfa_enabled boolean,
               idle_timeout_s integer, absolute_timeout_s integer, session_id uuid,
               permissions text[])
LANGUAGE plpgsql SECURITY DEFINER SET search_path = lumen, ext, pg_temp
AS $$
#variable_conflict use_column
DECLARE
  s sessions;
BEGIN
  s := session_check(p_token, 'account');
  RETURN QUERY
    SELECT a.id, a.email::text, a.display_name, p.id, p.name, p.timezone, m.role, a.mfa_enabled,
           extract(epoch FROM s.idle_timeout)::integer,
           extract(epoch FROM s.absolute_expires_at - s.created_at)::integer,
           s.id, role_permissions(m.role)
    FROM accounts a
    LEFT JOIN memberships m ON m.account_id = a.id AND m.practice_id = s.practice_id
    LEFT JOIN practices p ON p.id = m.practice_id
    WHERE a.id = s.account_id;
END
$$;

-- Every practice the account belongs to, for the practice picker.
CREATE FUNCTION api.practices(p_token text)
RETURNS TABLE (practice_id uuid, name text, role text)
LANGUAGE plpgsql SECURITY DEFINER SET search_path = lumen, ext, pg_temp
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
CREATE FUNCTION api.select_practice(p_token text, p_practice_id uuid) RETURNS void
LANGUAGE plpgsql SECURITY DEFINER SET search_path = lumen, ext, pg_temp
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
  WHERE x.id = s.id;
  PERFORM context_set(s.account_id, p_practice_id);
END
$$;
