-- The sign-in and session api: login_begin, logout, me, session_state.  Repeatable: run
-- again by `lumen db migrate`, after every migration, whenever this text
-- changes (client/migrate.h).  So each function is dropped and created
-- afresh (a return type may change) as lumen_owner, whose default
-- privileges (001) give EXECUTE to the client and to nobody else.
-- The guesses (login, mfa_verify, unlock) are in 30_guesses.sql.
-- Reference for the client: db/API.md.
SET LOCAL ROLE lumen_owner;
SET LOCAL search_path = lumen, ext, pg_temp;

-- Step 1 of sign-in: the salt and Argon2id limits to stretch the password
-- with.  For an unknown email: a salt derived from the email and a server
-- secret (stable, unpredictable) and the default limits, the same shape as
-- an account with default limits.
DROP FUNCTION IF EXISTS api.login_begin(text);
CREATE FUNCTION api.login_begin(p_email text)
RETURNS TABLE (salt bytea, opslimit bigint, memlimit bigint)
LANGUAGE plpgsql SECURITY DEFINER SET search_path = lumen, ext, pg_temp SET lock_timeout = '1s'
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

-- Sign out: revokes the session.  Also while a second factor is owed and on
-- a locked (idle-expired) session: signing out always ends it.
DROP FUNCTION IF EXISTS api.logout(text);
CREATE FUNCTION api.logout(p_token text) RETURNS void
LANGUAGE plpgsql SECURITY DEFINER SET search_path = lumen, ext, pg_temp SET lock_timeout = '1s'
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
-- (the idle lock of the client uses the first).  013: the recovery codes
-- left (NULL without 2FA), whether the chosen practice requires 2FA the
-- account lacks (the client then shows enrollment: every practice call
-- raises LMS07), and when the practice was closed (NULL: open).  Need
-- 'account', so it answers in both of those cases.
DROP FUNCTION IF EXISTS api.me(text);
CREATE FUNCTION api.me(p_token text)
RETURNS TABLE (account_id uuid, email text, display_name text, practice_id uuid,
               practice_name text, practice_timezone text, role text, mfa_enabled boolean,
               idle_timeout_s integer, absolute_timeout_s integer, session_id uuid,
               permissions text[], recovery_codes_left integer, mfa_enroll_required boolean,
               practice_closed_at timestamptz)
LANGUAGE plpgsql SECURITY DEFINER SET search_path = lumen, ext, pg_temp SET lock_timeout = '1s'
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
           s.id, role_permissions(m.role),
           CASE WHEN a.mfa_enabled THEN
             (SELECT count(*)::integer FROM recovery_codes r
              WHERE r.account_id = a.id AND r.used_at IS NULL) END,
           coalesce(p.require_mfa AND NOT a.mfa_enabled, false),
           p.closed_at
    FROM accounts a
    LEFT JOIN memberships m ON m.account_id = a.id AND m.practice_id = s.practice_id
    LEFT JOIN practices p ON p.id = m.practice_id
    WHERE a.id = s.account_id;
END
$$;

-- ---------------------------------------------------------------------------
-- api.session_state(token): the wake-up's one cheap call (013), and the
-- poll's behind a transaction pooler, every second.  It never raises for
-- the session's state (that is what it reports), never touches
-- last_seen_at (a poll must not keep an idle session alive), takes no
-- lock (a plain read: nobody's open transaction makes it wait) and is not
-- audited.  One row:
--   state  live | locked (idle; api.unlock revives) | revoked | expired
--          (absolute) | unknown (no such token, or a malformed one)
--   why    revoked_why for revoked, else NULL
-- and, for live and locked sessions only, the practice, the role in it
-- (NULL: no longer a member), the account's 2FA, whether the practice
-- requires 2FA the account lacks, the idle timeout, whether the practice
-- is closed (false without a practice or a membership: a non-member
-- learns nothing of it), and the practice's newest lead id
-- when the session could read it now (live, a member, nothing refused:
-- LMS05, LMS07, LMS08 each mean NULL).  A dead token learns nothing but
-- that it is dead.  Still refused in a transaction holding an attempt.
-- ---------------------------------------------------------------------------
DROP FUNCTION IF EXISTS api.session_state(text);
CREATE FUNCTION api.session_state(p_token text)
RETURNS TABLE (state text, why text, practice_id uuid, role text, mfa_enabled boolean,
               mfa_enroll_required boolean, idle_timeout_s integer, practice_closed boolean,
               leads_newest bigint)
LANGUAGE plpgsql SECURITY DEFINER SET search_path = lumen, ext, pg_temp SET lock_timeout = '1s'
AS $$
#variable_conflict use_column
DECLARE
  v_hash bytea;
  s sessions;
  v_state text;
  v_role text;
  v_require boolean;
  v_closed timestamptz;
  v_mfa boolean;
  v_newest bigint;
BEGIN
  PERFORM attempt_guard();
  PERFORM context_clear();
  IF p_token IS NULL OR lower(p_token) !~ '^[0-9a-f]{64}$' THEN
    RETURN QUERY SELECT 'unknown'::text, NULL::text, NULL::uuid, NULL::text, NULL::boolean,
                        NULL::boolean, NULL::integer, NULL::boolean, NULL::bigint;
    RETURN;
  END IF;
  v_hash := digest(decode(lower(p_token), 'hex'), 'sha256');
  PERFORM set_config('lumen.token_hash', encode(v_hash, 'hex'), true);
  SELECT * INTO s FROM sessions x WHERE x.token_hash = v_hash;
  IF NOT FOUND THEN
    PERFORM context_clear();
    RETURN QUERY SELECT 'unknown'::text, NULL::text, NULL::uuid, NULL::text, NULL::boolean,
                        NULL::boolean, NULL::integer, NULL::boolean, NULL::bigint;
    RETURN;
  END IF;
  -- The order of session_check: revoked, then expired, then idle.
  v_state := CASE WHEN s.revoked_at IS NOT NULL THEN 'revoked'
                  WHEN s.absolute_expires_at <= now() THEN 'expired'
                  WHEN s.last_seen_at + s.idle_timeout < now() THEN 'locked'
                  ELSE 'live' END;
  IF v_state IN ('revoked', 'expired') THEN
    PERFORM context_clear();
    RETURN QUERY SELECT v_state, CASE WHEN v_state = 'revoked' THEN s.revoked_why END, NULL::uuid,
                        NULL::text, NULL::boolean, NULL::boolean, NULL::integer, NULL::boolean,
                        NULL::bigint;
    RETURN;
  END IF;
  PERFORM context_set(s.account_id, s.practice_id);
  SELECT a.mfa_enabled INTO v_mfa FROM accounts a WHERE a.id = s.account_id;
  IF s.practice_id IS NOT NULL THEN
    SELECT m.role, p.require_mfa, p.closed_at INTO v_role, v_require, v_closed
    FROM memberships m JOIN practices p ON p.id = m.practice_id
    WHERE m.practice_id = s.practice_id AND m.account_id = s.account_id;
    IF v_role IS NOT NULL AND v_state = 'live' AND NOT (s.mfa_required AND NOT s.mfa_satisfied)
       AND NOT (v_require AND NOT v_mfa) AND NOT (v_closed IS NOT NULL AND v_role <> 'owner') THEN
      SELECT max(l.id) INTO v_newest FROM leads l WHERE l.practice_id = s.practice_id;
    END IF;
  END IF;
  PERFORM context_clear();
  RETURN QUERY SELECT v_state, NULL::text, s.practice_id, v_role, v_mfa,
                      coalesce(v_require AND NOT v_mfa, false),
                      extract(epoch FROM s.idle_timeout)::integer,
                      v_closed IS NOT NULL, v_newest;
END
$$;
