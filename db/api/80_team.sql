-- Team management (issue 9): the members and invites of a practice, its
-- settings and its closing.  Repeatable, as 10_session.sql (see its head).
-- The invites table, the attempt kinds and the purge are in migration 015;
-- the wake-ups, the outbox and sessions_end in 013.  The contract agreed
-- with the client and the screens: /work/spec-team-sec.md; reference:
-- db/API.md, "Team management".
--
-- Every write answers an attempt id (as the lead inbox's writes, 009): a
-- role without the right gets the status 'denied', audited and committed
-- before the caller can learn it, so a refusal cannot be rolled back out
-- of the log.  Order of the checks: session (LMS0x), permission (denied),
-- step-up (LMU01), arguments (LMV01), the target (not_found, denied), the
-- change.
--
-- Locks, and why only these (DESIGN.md, "No lock that freezes others"):
-- a hostile member can hold any lock their own call takes for as long as
-- they keep its transaction open, so no call takes a lock on the caller's
-- own membership row unless the caller is the Owner (then only the Owner's
-- own calls wait on it), and a target's row is read first and locked only
-- when the change is allowed: an Admin who asks to remove the Owner is
-- refused without touching the Owner's row.  A member about to be removed
-- can still hold their own session rows (any api call locks its session);
-- ending their sessions then gives up after the lock timeout and the
-- removal goes through without it (the membership, which every call
-- checks, is what keeps them out).
SET LOCAL ROLE lumen_owner;
SET LOCAL search_path = lumen, ext, pg_temp;

-- ===========================================================================
-- Helpers (dropped and made again with the api functions: they are the
-- api's own wording of audit rows and answers).
-- ===========================================================================

-- An audit row of the session's practice by the session's account.
DROP FUNCTION IF EXISTS lumen.team_audit(sessions, text, text, text, text, jsonb);
CREATE FUNCTION lumen.team_audit(s sessions, p_action text, p_outcome text,
                                 p_target_type text, p_target_id text, p_detail jsonb)
RETURNS void
LANGUAGE sql SET search_path = lumen, ext, pg_temp
AS $$
  SELECT audit_append(s.practice_id, p_action, p_outcome, p_actor_id => s.account_id,
                      p_actor_email => (SELECT a.email::text FROM accounts a WHERE a.id = s.account_id),
                      p_session_id => s.id, p_target_type => p_target_type,
                      p_target_id => p_target_id, p_reported_origin => s.reported_origin,
                      p_detail => jsonb_strip_nulls(coalesce(p_detail, '{}')));
$$;

-- A refusal: its audit row (outcome denied), then the answer.
DROP FUNCTION IF EXISTS lumen.team_denied(sessions, text, text, text, jsonb);
CREATE FUNCTION lumen.team_denied(s sessions, p_kind text, p_target_type text, p_target_id text,
                                  p_detail jsonb)
RETURNS text
LANGUAGE plpgsql SET search_path = lumen, ext, pg_temp
AS $$
BEGIN
  PERFORM team_audit(s, p_kind, 'denied', p_target_type, p_target_id, p_detail);
  RETURN attempt_record(p_kind, 'denied', s.account_id, s.id, p_affected => 0);
END
$$;

-- The caller's role in the session's practice.  The Owner's row is read
-- again FOR UPDATE: every change only an Owner may make (role changes,
-- transfer, settings, closing) takes it first, so two of them take turns
-- and the second sees what the first did -- two racing transfers: the
-- second finds its caller an Admin now and is refused.  Nobody else's
-- call ever locks the Owner's row, and an Admin's or a Viewer's row is
-- never locked by their own calls (see the head of this file).
DROP FUNCTION IF EXISTS lumen.team_self_role(sessions);
CREATE FUNCTION lumen.team_self_role(s sessions) RETURNS text
LANGUAGE plpgsql SET search_path = lumen, ext, pg_temp
AS $$
DECLARE
  v_role text;
BEGIN
  SELECT m.role INTO v_role FROM memberships m
  WHERE m.practice_id = s.practice_id AND m.account_id = s.account_id;
  IF v_role = 'owner' THEN
    SELECT m.role INTO v_role FROM memberships m
    WHERE m.practice_id = s.practice_id AND m.account_id = s.account_id
    FOR UPDATE;
  END IF;
  RETURN v_role;
END
$$;

-- A member's role, without a lock (NULL: not a member); and with one, for
-- the change itself, read again after any change that committed meanwhile.
DROP FUNCTION IF EXISTS lumen.team_member_role(uuid, uuid, boolean);
CREATE FUNCTION lumen.team_member_role(p_practice uuid, p_account uuid, p_lock boolean)
RETURNS text
LANGUAGE plpgsql SET search_path = lumen, ext, pg_temp
AS $$
DECLARE
  v_role text;
BEGIN
  IF p_lock THEN
    SELECT m.role INTO v_role FROM memberships m
    WHERE m.practice_id = p_practice AND m.account_id = p_account FOR UPDATE;
  ELSE
    SELECT m.role INTO v_role FROM memberships m
    WHERE m.practice_id = p_practice AND m.account_id = p_account;
  END IF;
  RETURN v_role;
END
$$;

-- When a member was last active in the practice: the latest last_seen_at
-- of their sessions there (NULL: never).  Sessions are visible only to
-- their own account (row-level security, 005), so the account in the
-- context is set to the member's for this one read and put back, as
-- audit_account_event does to find an account's practices.  Only the time
-- leaves here, and only for the caller's own practice.
DROP FUNCTION IF EXISTS lumen.team_last_active(uuid, uuid);
CREATE FUNCTION lumen.team_last_active(p_practice uuid, p_account uuid) RETURNS timestamptz
LANGUAGE plpgsql SET search_path = lumen, ext, pg_temp
AS $$
DECLARE
  v_saved text := current_setting('lumen.account_id', true);
  v timestamptz;
BEGIN
  PERFORM set_config('lumen.account_id', p_account::text, true);
  SELECT max(x.last_seen_at) INTO v FROM sessions x
  WHERE x.account_id = p_account AND x.practice_id = p_practice;
  PERFORM set_config('lumen.account_id', coalesce(v_saved, ''), true);
  RETURN v;
END
$$;

-- Ends a member's sessions in the practice (013's sessions_end, which
-- also wakes them).  A member who holds one of their session rows in an
-- open transaction (any api call of theirs locks it) would make the
-- caller's whole change fail after the lock timeout; so that wait is
-- caught here: the change goes on, the account is woken all the same, and
-- NULL says the sessions could not be ended (the membership, or the
-- practice's closing, which every call checks, still keeps them out).
DROP FUNCTION IF EXISTS lumen.team_sessions_end(uuid, text, uuid);
DROP FUNCTION IF EXISTS lumen.team_sessions_end(uuid, text, uuid, uuid);
CREATE FUNCTION lumen.team_sessions_end(p_account uuid, p_why text, p_practice uuid,
                                        p_except uuid DEFAULT NULL)
RETURNS integer
LANGUAGE plpgsql SET search_path = lumen, ext, pg_temp
AS $$
DECLARE
  v uuid[];
BEGIN
  BEGIN
    v := sessions_end(p_account, p_why, p_practice, p_except);
  EXCEPTION WHEN lock_not_available THEN
    PERFORM account_wake(p_account);
    RETURN NULL;
  END;
  RETURN coalesce(cardinality(v), 0);
END
$$;

-- An email given as an argument: trimmed, lower-cased, plausibly an email
-- (the accounts' own check), else LMV01.
DROP FUNCTION IF EXISTS lumen.team_email(text);
CREATE FUNCTION lumen.team_email(p_email text) RETURNS text
LANGUAGE plpgsql IMMUTABLE SET search_path = lumen, ext, pg_temp
AS $$
DECLARE
  v text;
BEGIN
  v := email_norm(p_email);
  IF v !~ '^[^@[:space:]]+@[^@[:space:]]+$' THEN
    PERFORM fail('LMV01', 'email: not an email address');
  END IF;
  RETURN v;
END
$$;

DROP FUNCTION IF EXISTS lumen.team_practice_name(uuid);
CREATE FUNCTION lumen.team_practice_name(p_practice uuid) RETURNS text
LANGUAGE sql STABLE SET search_path = lumen, ext, pg_temp
AS $$ SELECT p.name FROM practices p WHERE p.id = p_practice $$;

-- ===========================================================================
-- Reads.
-- ===========================================================================

-- The members: Owner first, then Admins, then Viewers, each by name.  Every
-- role may read it (team.read).  Not audited: no patient data.
DROP FUNCTION IF EXISTS api.team_members(text);
CREATE FUNCTION api.team_members(p_token text)
RETURNS TABLE (account_id uuid, display_name text, email text, role text, mfa_enabled boolean,
               last_active_at timestamptz, member_since timestamptz, is_self boolean)
LANGUAGE plpgsql SECURITY DEFINER SET search_path = lumen, ext, pg_temp SET lock_timeout = '1s'
AS $$
#variable_conflict use_column
DECLARE
  s sessions;
  v_ids uuid[];
  v_last timestamptz[] := '{}';
  v uuid;
BEGIN
  s := session_check(p_token, 'practice');
  PERFORM require_permission(s, 'team.read');
  -- team_last_active changes the account in the context, which the
  -- memberships policy reads: so the members are listed first, their
  -- times read after, and the rows put together from the two lists.
  SELECT array_agg(m.account_id) INTO v_ids FROM memberships m WHERE m.practice_id = s.practice_id;
  FOREACH v IN ARRAY coalesce(v_ids, '{}') LOOP
    v_last := v_last || team_last_active(s.practice_id, v);
  END LOOP;
  RETURN QUERY
    SELECT m.account_id, a.display_name, a.email::text, m.role, a.mfa_enabled, u.last,
           m.created_at, m.account_id = s.account_id
    FROM unnest(v_ids, v_last) AS u(id, last)
    JOIN memberships m ON m.practice_id = s.practice_id AND m.account_id = u.id
    JOIN accounts a ON a.id = m.account_id
    ORDER BY CASE m.role WHEN 'owner' THEN 0 WHEN 'admin' THEN 1 ELSE 2 END, a.display_name, a.id;
END
$$;

-- The pending invites (neither accepted nor revoked; expired ones too,
-- marked, so that they can be resent), newest first.  Owner and Admin
-- (member.invite); a Viewer: LMP01.
DROP FUNCTION IF EXISTS api.team_invites(text);
CREATE FUNCTION api.team_invites(p_token text)
RETURNS TABLE (id uuid, email text, role text, invited_by_name text, created_at timestamptz,
               expires_at timestamptz, expired boolean)
LANGUAGE plpgsql SECURITY DEFINER SET search_path = lumen, ext, pg_temp SET lock_timeout = '1s'
AS $$
#variable_conflict use_column
DECLARE
  s sessions;
BEGIN
  s := session_check(p_token, 'practice');
  PERFORM require_permission(s, 'member.invite');
  RETURN QUERY
    SELECT i.id, i.email::text, i.role, a.display_name, i.created_at, i.expires_at,
           i.expires_at <= now()
    FROM invites i LEFT JOIN accounts a ON a.id = i.invited_by
    WHERE i.practice_id = s.practice_id AND i.accepted_at IS NULL AND i.revoked_at IS NULL
    ORDER BY i.created_at DESC, i.id;
END
$$;

-- The practice's settings, for the Owner (practice.settings; others LMP01);
-- lead_link: the link a lead alert carries (api.notify_lead_link_set, 90).
DROP FUNCTION IF EXISTS api.practice_settings(text);
CREATE FUNCTION api.practice_settings(p_token text)
RETURNS TABLE (name text, require_mfa boolean, idle_timeout_s integer, closed_at timestamptz,
               purge_after timestamptz, ingest_key_set boolean, lead_link text)
LANGUAGE plpgsql SECURITY DEFINER SET search_path = lumen, ext, pg_temp SET lock_timeout = '1s'
AS $$
#variable_conflict use_column
DECLARE
  s sessions;
BEGIN
  s := session_check(p_token, 'practice');
  PERFORM require_permission(s, 'practice.settings');
  RETURN QUERY
    SELECT p.name, p.require_mfa, extract(epoch FROM p.idle_timeout)::integer, p.closed_at,
           p.purge_after,
           EXISTS (SELECT 1 FROM ingest_keys k WHERE k.practice_id = p.id AND k.revoked_at IS NULL),
           p.lead_link
    FROM practices p WHERE p.id = s.practice_id;
END
$$;

-- ===========================================================================
-- Invites: an attempt id each.  The code is in the attempt's secret (shown
-- once, to the inviter, to hand over until the outbox delivers it) and
-- sealed in the outbox row; only its hash is kept.
-- ===========================================================================

-- The outbox row of an invite (sent or resent).
DROP FUNCTION IF EXISTS lumen.team_invite_outbox(sessions, invites, text);
CREATE FUNCTION lumen.team_invite_outbox(s sessions, i invites, p_code text) RETURNS void
LANGUAGE sql SET search_path = lumen, ext, pg_temp
AS $$
  SELECT outbox_put(s.practice_id, 'member.invite', i.email::text,
                    jsonb_build_object('invite_id', i.id,
                                       'practice_name', team_practice_name(s.practice_id),
                                       'role', i.role,
                                       'invited_by', (SELECT a.display_name FROM accounts a
                                                      WHERE a.id = s.account_id),
                                       'expires_at', i.expires_at,
                                       'code_sealed', encode(secret_seal(convert_to(p_code, 'UTF8')), 'hex')));
$$;

-- Invite p_email as p_role ('admin' or 'viewer': an Admin may invite
-- either, nobody an Owner).  status ok (secret: the code; info: invite_id,
-- expires_at) | denied (a Viewer) | exists (already a member; no row).  A
-- pending invite to the same email is revoked by this one.
DROP FUNCTION IF EXISTS api.member_invite(text, text, text);
CREATE FUNCTION api.member_invite(p_token text, p_email text, p_role text) RETURNS text
LANGUAGE plpgsql SECURITY DEFINER SET search_path = lumen, ext, pg_temp SET lock_timeout = '1s'
AS $$
DECLARE
  s sessions;
  v_email text;
  v_old uuid;
  v_code text;
  i invites;
BEGIN
  s := session_check(p_token, 'practice');
  IF role_if_permitted(s, 'member.invite') IS NULL THEN
    RETURN team_denied(s, 'member.invite', 'invite', NULL,
                       jsonb_build_object('reason', 'role', 'email', left(p_email, 254),
                                          'role', left(p_role, 20)));
  END IF;
  IF p_role IS NULL OR p_role NOT IN ('admin', 'viewer') THEN
    PERFORM fail('LMV01', 'role: must be admin or viewer');
  END IF;
  v_email := team_email(p_email);
  IF EXISTS (SELECT 1 FROM memberships m JOIN accounts a ON a.id = m.account_id
             WHERE m.practice_id = s.practice_id AND a.email = v_email::ext.citext) THEN
    RETURN attempt_record('member.invite', 'exists', s.account_id, s.id, p_affected => 0);
  END IF;
  UPDATE invites x SET revoked_at = now()
  WHERE x.practice_id = s.practice_id AND x.email = v_email::ext.citext
    AND x.accepted_at IS NULL AND x.revoked_at IS NULL
  RETURNING x.id INTO v_old;
  v_code := invite_code_new();
  INSERT INTO invites (practice_id, email, role, code_hash, invited_by)
  VALUES (s.practice_id, v_email, p_role, invite_code_hash(v_code), s.account_id)
  RETURNING * INTO i;
  PERFORM team_audit(s, 'member.invite', 'success', 'invite', i.id::text,
                     jsonb_build_object('email', v_email, 'role', p_role,
                                        'expires_at', i.expires_at, 'replaced', v_old));
  PERFORM team_invite_outbox(s, i, v_code);
  RETURN attempt_record('member.invite', 'ok', s.account_id, s.id, p_affected => 1,
                        p_secret => v_code,
                        p_info => jsonb_build_object('invite_id', i.id, 'expires_at', i.expires_at));
END
$$;

-- A new code for a pending invite (expired or not): the old code dies,
-- the 7 days start again.  status ok (+ secret, info) | denied | not_found.
DROP FUNCTION IF EXISTS api.invite_resend(text, uuid);
CREATE FUNCTION api.invite_resend(p_token text, p_invite_id uuid) RETURNS text
LANGUAGE plpgsql SECURITY DEFINER SET search_path = lumen, ext, pg_temp SET lock_timeout = '1s'
AS $$
DECLARE
  s sessions;
  v_code text;
  i invites;
BEGIN
  s := session_check(p_token, 'practice');
  IF role_if_permitted(s, 'member.invite') IS NULL THEN
    RETURN team_denied(s, 'member.invite', 'invite', p_invite_id::text,
                       '{"reason": "role", "resend": true}');
  END IF;
  IF p_invite_id IS NULL THEN
    PERFORM fail('LMV01', 'invite_id: missing');
  END IF;
  v_code := invite_code_new();
  UPDATE invites x SET code_hash = invite_code_hash(v_code), created_at = now(),
                       expires_at = now() + interval '7 days', invited_by = s.account_id
  WHERE x.id = p_invite_id AND x.practice_id = s.practice_id
    AND x.accepted_at IS NULL AND x.revoked_at IS NULL
  RETURNING * INTO i;
  IF NOT FOUND THEN
    RETURN attempt_record('member.invite', 'not_found', s.account_id, s.id, p_affected => 0);
  END IF;
  PERFORM team_audit(s, 'member.invite', 'success', 'invite', i.id::text,
                     jsonb_build_object('email', i.email::text, 'role', i.role,
                                        'expires_at', i.expires_at, 'resend', true));
  PERFORM team_invite_outbox(s, i, v_code);
  RETURN attempt_record('member.invite', 'ok', s.account_id, s.id, p_affected => 1,
                        p_secret => v_code,
                        p_info => jsonb_build_object('invite_id', i.id, 'expires_at', i.expires_at));
END
$$;

-- Revoke a pending invite: its code never works again.  Step-up.
-- status ok | denied | not_found.
DROP FUNCTION IF EXISTS api.invite_revoke(text, uuid);
CREATE FUNCTION api.invite_revoke(p_token text, p_invite_id uuid) RETURNS text
LANGUAGE plpgsql SECURITY DEFINER SET search_path = lumen, ext, pg_temp SET lock_timeout = '1s'
AS $$
DECLARE
  s sessions;
  i invites;
BEGIN
  s := session_check(p_token, 'practice');
  IF role_if_permitted(s, 'member.invite') IS NULL THEN
    RETURN team_denied(s, 'member.invite_revoke', 'invite', p_invite_id::text, '{"reason": "role"}');
  END IF;
  PERFORM require_step_up(s);
  IF p_invite_id IS NULL THEN
    PERFORM fail('LMV01', 'invite_id: missing');
  END IF;
  UPDATE invites x SET revoked_at = now()
  WHERE x.id = p_invite_id AND x.practice_id = s.practice_id
    AND x.accepted_at IS NULL AND x.revoked_at IS NULL
  RETURNING * INTO i;
  IF NOT FOUND THEN
    RETURN attempt_record('member.invite_revoke', 'not_found', s.account_id, s.id, p_affected => 0);
  END IF;
  PERFORM team_audit(s, 'member.invite_revoke', 'success', 'invite', i.id::text,
                     jsonb_build_object('email', i.email::text, 'role', i.role));
  RETURN attempt_record('member.invite_revoke', 'ok', s.account_id, s.id, p_affected => 1);
END
$$;

-- ===========================================================================
-- Accepting an invite: two guesses without a session, as api.login.
-- A wrong, used, revoked or expired code, another email, or a closed
-- practice get one answer, 'invalid', counted on the sign-in throttle of
-- the email and of the address the server sees (the keys and thresholds
-- of api.login: 5 and 20, the address's lock not applying to an account
-- known at it), audited (the reason in the detail only), and told by
-- api.attempt_result after the commit.  A right code never clears the
-- count (it proves no password); accept's right password does, as a
-- sign-in would.
-- ===========================================================================

-- The invite a code names, if any, with the reason it cannot be used
-- (NULL: it can).  Sets the hash the invites policy lets through, and the
-- invite's practice in the context (a caller without a session has none)
-- so that its name and state can be read.  p_lock: FOR UPDATE, so that
-- two accepts of one code take turns and the second finds it used.
DROP FUNCTION IF EXISTS lumen.invite_lookup(text, text, boolean);
CREATE FUNCTION lumen.invite_lookup(p_code text, p_email text, p_lock boolean,
                                    OUT invite invites, OUT reason text, OUT practice_name text,
                                    OUT practice_mfa boolean)
LANGUAGE plpgsql SET search_path = lumen, ext, pg_temp
AS $$
DECLARE
  v_hash bytea := invite_code_hash(p_code);
  v_closed timestamptz;
BEGIN
  PERFORM set_config('lumen.invite_code_hash', encode(v_hash, 'hex'), true);
  IF p_lock THEN
    SELECT * INTO invite FROM invites x WHERE x.code_hash = v_hash FOR UPDATE;
  ELSE
    SELECT * INTO invite FROM invites x WHERE x.code_hash = v_hash;
  END IF;
  PERFORM set_config('lumen.invite_code_hash', '', true);
  IF invite.id IS NULL THEN
    reason := 'wrong';
    RETURN;
  END IF;
  PERFORM context_set(NULL, invite.practice_id);
  SELECT p.name, p.require_mfa, p.closed_at INTO practice_name, practice_mfa, v_closed
  FROM practices p WHERE p.id = invite.practice_id;
  reason := CASE WHEN invite.accepted_at IS NOT NULL THEN 'used'
                 WHEN invite.revoked_at IS NOT NULL THEN 'revoked'
                 WHEN invite.expires_at <= now() THEN 'expired'
                 WHEN invite.email <> p_email::ext.citext THEN 'email'
                 WHEN v_closed IS NOT NULL THEN 'closed' END;
END
$$;

-- A failed invite guess: counted on both keys, audited in the invite's
-- practice (the chain of no practice for a code that names none), and
-- answered 'invalid', or 'locked' when this failure imposed the lock.
DROP FUNCTION IF EXISTS lumen.invite_failed(text, text, text, boolean, uuid, uuid, text, text, text, jsonb);
CREATE FUNCTION lumen.invite_failed(p_kind text, p_email text, p_addr_key text, p_known boolean,
                                    p_practice uuid, p_account uuid, p_invite text,
                                    p_reason text, p_origin text, p_detail jsonb)
RETURNS text
LANGUAGE plpgsql SET search_path = lumen, ext, pg_temp
AS $$
DECLARE
  v_email_key text := 'email:' || p_email;
  v_until timestamptz;
BEGIN
  PERFORM throttle_note(v_email_key, 'failure');
  PERFORM throttle_note(p_addr_key, 'failure');
  v_until := throttle_locked_until(v_email_key, 5);
  IF NOT p_known THEN
    v_until := greatest(v_until, throttle_locked_until(p_addr_key, 20));
  END IF;
  PERFORM audit_append(p_practice, 'member.join', 'failure', p_actor_id => p_account,
                       p_actor_email => p_email, p_target_type => 'invite', p_target_id => p_invite,
                       p_reported_origin => p_origin,
                       p_detail => jsonb_strip_nulls(p_detail || jsonb_build_object(
                         'reason', p_reason,
                         'retry_after_s', CASE WHEN v_until IS NOT NULL THEN seconds_until(v_until) END)));
  IF v_until IS NOT NULL THEN
    RETURN attempt_record(p_kind, 'locked', p_account, p_retry_after_s => seconds_until(v_until));
  END IF;
  RETURN attempt_record(p_kind, 'invalid', p_account);
END
$$;

-- The start both guesses share: arguments, the account the email names,
-- and the sign-in lock of the email or the address.  Answers the lock's
-- attempt id when locked (the refusal audited once a minute), else NULL.
DROP FUNCTION IF EXISTS lumen.invite_begin(text, text, jsonb);
CREATE FUNCTION lumen.invite_begin(p_kind text, p_email text, p_client jsonb,
                                   OUT norm_email text, OUT origin text, OUT version text,
                                   OUT addr_key text, OUT acct accounts, OUT known boolean,
                                   OUT locked_attempt text)
LANGUAGE plpgsql SET search_path = lumen, ext, pg_temp
AS $$
DECLARE
  v_ci record;
  v_until timestamptz;
  v_lock text;
BEGIN
  PERFORM attempt_guard();
  PERFORM context_clear();
  norm_email := email_norm(p_email);
  SELECT * INTO v_ci FROM client_info(p_client);
  origin := v_ci.origin;
  version := v_ci.version;
  addr_key := 'addr:' || coalesce(host(inet_client_addr()), 'local');
  SELECT * INTO acct FROM accounts a WHERE a.email = norm_email::ext.citext;
  PERFORM context_set(acct.id, NULL);
  known := account_known_here(acct.id);
  PERFORM context_clear();
  v_lock := 'email:' || norm_email;
  v_until := throttle_locked_until(v_lock, 5);
  IF v_until IS NULL AND NOT known THEN
    v_lock := addr_key;
    v_until := throttle_locked_until(v_lock, 20);
  END IF;
  IF v_until IS NOT NULL THEN
    PERFORM audit_refusal(v_lock, NULL, NULL, 'member.join', norm_email, NULL, origin,
      jsonb_build_object('reason', 'locked', 'lock', split_part(v_lock, ':', 1),
                         'retry_after_s', seconds_until(v_until),
                         'step', CASE p_kind WHEN 'invite.check' THEN 'check' ELSE 'accept' END,
                         'client_version', version));
    locked_attempt := attempt_record(p_kind, 'locked', p_retry_after_s => seconds_until(v_until));
  END IF;
END
$$;

-- Is this code good for this email?  status ok (info: practice_name, role,
-- account_exists) | invalid | locked (retry_after_s).  Changes nothing on
-- ok: the code stays good for api.invite_accept.
DROP FUNCTION IF EXISTS api.invite_check(text, text, jsonb);
CREATE FUNCTION api.invite_check(p_code text, p_email text, p_client jsonb DEFAULT '{}') RETURNS text
LANGUAGE plpgsql SECURITY DEFINER SET search_path = lumen, ext, pg_temp SET lock_timeout = '1s'
AS $$
DECLARE
  b record;
  l record;
BEGIN
  SELECT * INTO b FROM invite_begin('invite.check', p_email, p_client);
  IF b.locked_attempt IS NOT NULL THEN
    RETURN b.locked_attempt;
  END IF;
  SELECT * INTO l FROM invite_lookup(p_code, b.norm_email, false);
  IF l.reason IS NOT NULL THEN
    RETURN invite_failed('invite.check', b.norm_email, b.addr_key, b.known, (l.invite).practice_id,
                         NULL, (l.invite).id::text, l.reason, b.origin,
                         jsonb_build_object('step', 'check', 'client_version', b.version));
  END IF;
  RETURN attempt_record('invite.check', 'ok', (b.acct).id,
                        p_info => jsonb_build_object('practice_name', l.practice_name,
                                                     'role', (l.invite).role,
                                                     'account_exists', (b.acct).id IS NOT NULL));
END
$$;

-- Join with a code: a new account (display name, salt, Argon2id limits and
-- K, as the sign-in protocol sets a password) or an existing one, which
-- proves its password instead (K from api.login_begin's salt; the name,
-- salt and limits given are ignored).  status ok (info: practice_name,
-- role, mfa_required) | invalid (the code, or the existing account's
-- password) | locked.  No session is made: the member signs in after.
DROP FUNCTION IF EXISTS api.invite_accept(text, text, text, bytea, bigint, bigint, bytea, jsonb);
CREATE FUNCTION api.invite_accept(p_code text, p_email text, p_display_name text, p_salt bytea,
                                  p_opslimit bigint, p_memlimit bigint, p_key bytea,
                                  p_client jsonb DEFAULT '{}')
RETURNS text
LANGUAGE plpgsql SECURITY DEFINER SET search_path = lumen, ext, pg_temp SET lock_timeout = '1s'
AS $$
DECLARE
  b record;
  l record;
  a accounts;
  v_name text;
  v_new boolean := false;
  v_role text;
BEGIN
  -- The key first, for every email alike: its shape says nothing.
  IF p_key IS NULL OR octet_length(p_key) <> 32 THEN
    PERFORM attempt_guard();
    PERFORM fail('LMV01', 'the key must be 32 bytes');
  END IF;
  SELECT * INTO b FROM invite_begin('invite.accept', p_email, p_client);
  IF b.locked_attempt IS NOT NULL THEN
    RETURN b.locked_attempt;
  END IF;
  SELECT * INTO l FROM invite_lookup(p_code, b.norm_email, true);
  IF l.reason IS NOT NULL THEN
    RETURN invite_failed('invite.accept', b.norm_email, b.addr_key, b.known, (l.invite).practice_id,
                         NULL, (l.invite).id::text, l.reason, b.origin,
                         jsonb_build_object('step', 'accept', 'client_version', b.version));
  END IF;

  a := b.acct;
  IF a.id IS NOT NULL THEN
    IF NOT verifier_matches(a.pw_verifier, p_key) THEN
      RETURN invite_failed('invite.accept', b.norm_email, b.addr_key, b.known, (l.invite).practice_id,
                           a.id, (l.invite).id::text, 'password', b.origin,
                           jsonb_build_object('step', 'accept', 'client_version', b.version));
    END IF;
    PERFORM throttle_note('email:' || b.norm_email, 'success');
  ELSE
    -- A new account.  The code was right, so saying what is wrong with
    -- the rest tells the holder nothing they may not know.
    v_name := btrim(p_display_name);
    IF v_name IS NULL OR length(v_name) NOT BETWEEN 1 AND 200 OR v_name ~ '[[:cntrl:]]' THEN
      PERFORM fail('LMV01', 'display name: 1 to 200 characters, no control characters');
    END IF;
    IF p_salt IS NULL OR octet_length(p_salt) <> 16 THEN
      PERFORM fail('LMV01', 'the salt must be 16 bytes');
    END IF;
    IF p_opslimit IS NULL OR p_opslimit NOT BETWEEN 2 AND 32
       OR p_memlimit IS NULL OR p_memlimit NOT BETWEEN 67108864 AND 1073741824 THEN
      PERFORM fail('LMV01', 'Argon2id limits: opslimit 2 to 32, memlimit 64 MiB to 1 GiB');
    END IF;
    INSERT INTO accounts (email, display_name, pw_salt, pw_opslimit, pw_memlimit, pw_verifier)
    VALUES (b.norm_email, v_name, p_salt, p_opslimit, p_memlimit, digest(p_key, 'sha256'))
    RETURNING * INTO a;
    v_new := true;
  END IF;

  -- Into the invite's practice (set in the context by invite_lookup).
  PERFORM context_set(a.id, (l.invite).practice_id);
  v_role := team_member_role((l.invite).practice_id, a.id, false);
  IF v_role IS NULL THEN
    v_role := (l.invite).role;
    INSERT INTO memberships (practice_id, account_id, role)
    VALUES ((l.invite).practice_id, a.id, v_role);
  END IF;
  UPDATE invites x SET accepted_at = now(), accepted_by = a.id WHERE x.id = (l.invite).id;
  PERFORM audit_append((l.invite).practice_id, 'member.join', 'success', p_actor_id => a.id,
                       p_actor_email => a.email::text, p_target_type => 'account',
                       p_target_id => a.id::text, p_reported_origin => b.origin,
                       p_detail => jsonb_build_object('invite_id', (l.invite).id, 'role', v_role,
                                                      'invited_by', (l.invite).invited_by,
                                                      'new_account', v_new,
                                                      'client_version', b.version));
  PERFORM context_clear();
  RETURN attempt_record('invite.accept', 'ok', a.id,
                        p_info => jsonb_build_object('practice_name', l.practice_name, 'role', v_role,
                                                     'mfa_required', l.practice_mfa AND NOT a.mfa_enabled));
END
$$;

-- ===========================================================================
-- Members: remove, change a role, transfer ownership.  Each needs a
-- step-up.  An answer of denied is audited; not_found writes no row (as
-- the lead writes).
-- ===========================================================================

-- Why p_self may not remove a member whose role is p_target, or NULL when
-- they may: nobody removes the Owner, the Owner anyone else, an Admin
-- Viewers only (DESIGN.md, "Roles").
DROP FUNCTION IF EXISTS lumen.team_remove_refusal(text, text);
CREATE FUNCTION lumen.team_remove_refusal(p_self text, p_target text) RETURNS text
LANGUAGE sql IMMUTABLE SET search_path = lumen, ext, pg_temp
AS $$
  SELECT CASE WHEN p_target = 'owner' THEN 'owner'
              WHEN p_self = 'owner' THEN NULL
              WHEN p_self = 'admin' AND p_target = 'viewer' THEN NULL
              WHEN p_self = 'admin' THEN 'not_viewer'
              ELSE 'role' END
$$;

-- Remove a member: the Owner anyone but the Owner, an Admin Viewers only.
-- Their membership goes, their sessions in the practice end (why
-- 'removed': their next call is refused and their open client is woken),
-- the practice's leads assigned to them become nobody's.
DROP FUNCTION IF EXISTS api.member_remove(text, uuid);
CREATE FUNCTION api.member_remove(p_token text, p_account_id uuid) RETURNS text
LANGUAGE plpgsql SECURITY DEFINER SET search_path = lumen, ext, pg_temp SET lock_timeout = '1s'
AS $$
DECLARE
  s sessions;
  v_self text;
  v_target text;
  v_email text;
  v_leads integer;
  v_left integer;
  v_ended integer;
  v_why text;
BEGIN
  s := session_check(p_token, 'practice');
  IF role_if_permitted(s, 'member.remove') IS NULL THEN
    RETURN team_denied(s, 'member.remove', 'account', p_account_id::text, '{"reason": "role"}');
  END IF;
  PERFORM require_step_up(s);
  IF p_account_id IS NULL THEN
    PERFORM fail('LMV01', 'account_id: missing');
  END IF;
  v_target := team_member_role(s.practice_id, p_account_id, false);
  IF v_target IS NULL THEN
    RETURN attempt_record('member.remove', 'not_found', s.account_id, s.id, p_affected => 0);
  END IF;
  v_self := team_self_role(s);
  v_why := team_remove_refusal(v_self, v_target);
  IF v_why IS NOT NULL THEN
    RETURN team_denied(s, 'member.remove', 'account', p_account_id::text,
                       jsonb_build_object('reason', v_why, 'role', v_target));
  END IF;
  -- Allowed as things stood; now the row itself, as it stands.
  v_target := team_member_role(s.practice_id, p_account_id, true);
  IF v_target IS NULL THEN
    RETURN attempt_record('member.remove', 'not_found', s.account_id, s.id, p_affected => 0);
  END IF;
  v_why := team_remove_refusal(v_self, v_target);
  IF v_why IS NOT NULL THEN
    RETURN team_denied(s, 'member.remove', 'account', p_account_id::text,
                       jsonb_build_object('reason', v_why, 'role', v_target));
  END IF;

  DELETE FROM memberships m WHERE m.practice_id = s.practice_id AND m.account_id = p_account_id;
  -- Their leads become nobody's.  A lead another transaction holds is
  -- skipped rather than waited on (the removal must not fail on it); the
  -- audit row says how many were left assigned.
  WITH x AS (
    SELECT l.id FROM leads l
    WHERE l.practice_id = s.practice_id AND l.assigned_to = p_account_id
    FOR UPDATE SKIP LOCKED
  )
  UPDATE leads l SET assigned_to = NULL, updated_at = now() FROM x WHERE l.id = x.id;
  GET DIAGNOSTICS v_leads = ROW_COUNT;
  SELECT count(*) INTO v_left FROM leads l
  WHERE l.practice_id = s.practice_id AND l.assigned_to = p_account_id;
  v_ended := team_sessions_end(p_account_id, 'removed', s.practice_id);
  SELECT a.email::text INTO v_email FROM accounts a WHERE a.id = p_account_id;
  PERFORM team_audit(s, 'member.remove', 'success', 'account', p_account_id::text,
                     jsonb_build_object('email', v_email, 'before', jsonb_build_object('role', v_target),
                                        'leads_unassigned', v_leads,
                                        'leads_left_assigned', nullif(v_left, 0),
                                        'sessions_ended', v_ended));
  PERFORM outbox_put(s.practice_id, 'member.remove', v_email,
                     jsonb_build_object('practice_name', team_practice_name(s.practice_id),
                                        'role', v_target));
  RETURN attempt_record('member.remove', 'ok', s.account_id, s.id, p_affected => 1);
END
$$;

-- Promote or demote between Admin and Viewer: the Owner only.  The
-- Owner's own row: denied (ownership moves only by a transfer).  affected
-- 0 when the role was already that (no audit row).  The member's open
-- client is woken to read api.me again; their next call has the new role.
DROP FUNCTION IF EXISTS api.member_set_role(text, uuid, text);
CREATE FUNCTION api.member_set_role(p_token text, p_account_id uuid, p_role text) RETURNS text
LANGUAGE plpgsql SECURITY DEFINER SET search_path = lumen, ext, pg_temp SET lock_timeout = '1s'
AS $$
DECLARE
  s sessions;
  v_target text;
  v_email text;
BEGIN
  s := session_check(p_token, 'practice');
  IF role_if_permitted(s, 'member.role_change') IS NULL THEN
    RETURN team_denied(s, 'member.role_change', 'account', p_account_id::text,
                       jsonb_build_object('reason', 'role', 'after', jsonb_build_object('role', left(p_role, 20))));
  END IF;
  PERFORM require_step_up(s);
  IF p_account_id IS NULL THEN
    PERFORM fail('LMV01', 'account_id: missing');
  END IF;
  IF p_role IS NULL OR p_role NOT IN ('admin', 'viewer') THEN
    PERFORM fail('LMV01', 'role: must be admin or viewer');
  END IF;
  v_target := team_member_role(s.practice_id, p_account_id, false);
  IF v_target IS NULL THEN
    RETURN attempt_record('member.role_change', 'not_found', s.account_id, s.id, p_affected => 0);
  END IF;
  IF v_target = 'owner' THEN
    RETURN team_denied(s, 'member.role_change', 'account', p_account_id::text,
                       jsonb_build_object('reason', 'owner', 'after', jsonb_build_object('role', p_role)));
  END IF;
  IF team_self_role(s) IS DISTINCT FROM 'owner' THEN      -- a transfer came first
    RETURN team_denied(s, 'member.role_change', 'account', p_account_id::text,
                       jsonb_build_object('reason', 'not_owner', 'after', jsonb_build_object('role', p_role)));
  END IF;
  v_target := team_member_role(s.practice_id, p_account_id, true);
  IF v_target IS NULL THEN
    RETURN attempt_record('member.role_change', 'not_found', s.account_id, s.id, p_affected => 0);
  END IF;
  IF v_target = p_role THEN
    RETURN attempt_record('member.role_change', 'ok', s.account_id, s.id, p_affected => 0);
  END IF;
  UPDATE memberships m SET role = p_role
  WHERE m.practice_id = s.practice_id AND m.account_id = p_account_id;
  SELECT a.email::text INTO v_email FROM accounts a WHERE a.id = p_account_id;
  PERFORM team_audit(s, 'member.role_change', 'success', 'account', p_account_id::text,
                     jsonb_build_object('email', v_email,
                                        'before', jsonb_build_object('role', v_target),
                                        'after', jsonb_build_object('role', p_role)));
  PERFORM outbox_put(s.practice_id, 'member.role_change', v_email,
                     jsonb_build_object('practice_name', team_practice_name(s.practice_id),
                                        'before', v_target, 'after', p_role));
  PERFORM account_wake(p_account_id);
  RETURN attempt_record('member.role_change', 'ok', s.account_id, s.id, p_affected => 1);
END
$$;

-- Transfer ownership to an Admin of the practice: the Owner only; the old
-- Owner becomes an Admin.  Exactly one Owner at every moment is held by
-- the memberships' constraints (002: a unique index, at most one; a
-- deferred trigger, at least one); the Owner's row locked first makes two
-- racing transfers take turns, and the second is refused (its caller is no
-- Owner any more).  Both accounts are woken.
DROP FUNCTION IF EXISTS api.practice_transfer(text, uuid);
CREATE FUNCTION api.practice_transfer(p_token text, p_account_id uuid) RETURNS text
LANGUAGE plpgsql SECURITY DEFINER SET search_path = lumen, ext, pg_temp SET lock_timeout = '1s'
AS $$
DECLARE
  s sessions;
  v_target text;
  v_name text;
BEGIN
  s := session_check(p_token, 'practice');
  IF role_if_permitted(s, 'practice.transfer') IS NULL THEN
    RETURN team_denied(s, 'practice.transfer', 'account', p_account_id::text, '{"reason": "role"}');
  END IF;
  PERFORM require_step_up(s);
  IF p_account_id IS NULL THEN
    PERFORM fail('LMV01', 'account_id: missing');
  END IF;
  IF team_self_role(s) IS DISTINCT FROM 'owner' THEN
    RETURN team_denied(s, 'practice.transfer', 'account', p_account_id::text, '{"reason": "not_owner"}');
  END IF;
  v_target := team_member_role(s.practice_id, p_account_id, false);
  IF v_target = 'admin' THEN
    v_target := team_member_role(s.practice_id, p_account_id, true);
  END IF;
  IF v_target IS DISTINCT FROM 'admin' THEN
    RETURN team_denied(s, 'practice.transfer', 'account', p_account_id::text,
                       jsonb_build_object('reason', 'not_admin', 'role', v_target));
  END IF;
  -- The old Owner first: the unique index allows one Owner at a time.
  UPDATE memberships m SET role = 'admin'
  WHERE m.practice_id = s.practice_id AND m.account_id = s.account_id;
  UPDATE memberships m SET role = 'owner'
  WHERE m.practice_id = s.practice_id AND m.account_id = p_account_id;
  PERFORM team_audit(s, 'practice.transfer', 'success', 'account', p_account_id::text,
                     jsonb_build_object('before', jsonb_build_object('owner', s.account_id),
                                        'after', jsonb_build_object('owner', p_account_id)));
  v_name := team_practice_name(s.practice_id);
  PERFORM outbox_put(s.practice_id, 'practice.transfer', a.email::text,
                     jsonb_build_object('practice_name', v_name,
                                        'role', CASE WHEN a.id = s.account_id THEN 'admin' ELSE 'owner' END))
  FROM accounts a WHERE a.id IN (s.account_id, p_account_id);
  PERFORM account_wake(s.account_id);
  PERFORM account_wake(p_account_id);
  RETURN attempt_record('practice.transfer', 'ok', s.account_id, s.id, p_affected => 1);
END
$$;

-- ===========================================================================
-- Practice settings and the danger zone: the Owner only
-- (practice.settings), each with a step-up.
-- ===========================================================================

-- Require 2FA of every member (the Owner must have it already), and the
-- idle timeout (60 to 3600 seconds, not beyond the practice's absolute
-- timeout); NULL leaves a setting as it is.  Live sessions in the practice take the new idle timeout at once
-- (a session another transaction holds is skipped, not waited on: it
-- keeps its timeout until its next sign-in), and every member is woken
-- (their clients read api.me again: the idle lock, and enrollment where
-- 2FA is now required).  affected 0 when nothing changed (no audit row).
DROP FUNCTION IF EXISTS api.practice_settings_set(text, boolean, integer);
CREATE FUNCTION api.practice_settings_set(p_token text, p_require_mfa boolean, p_idle_timeout_s integer)
RETURNS text
LANGUAGE plpgsql SECURITY DEFINER SET search_path = lumen, ext, pg_temp SET lock_timeout = '1s'
AS $$
DECLARE
  s sessions;
  p practices;
  v_idle interval;
  v_mfa boolean;
  v_saved text;
  v_acc uuid;
  v_n integer;
  v_updated integer := 0;
BEGIN
  s := session_check(p_token, 'practice');
  IF role_if_permitted(s, 'practice.settings') IS NULL THEN
    RETURN team_denied(s, 'practice.settings', 'practice', s.practice_id::text,
                       jsonb_build_object('reason', 'role', 'after',
                         jsonb_strip_nulls(jsonb_build_object('require_mfa', p_require_mfa,
                                                              'idle_timeout_s', p_idle_timeout_s))));
  END IF;
  PERFORM require_step_up(s);
  IF p_idle_timeout_s IS NOT NULL AND p_idle_timeout_s NOT BETWEEN 60 AND 3600 THEN
    PERFORM fail('LMV01', 'idle_timeout_s: 60 to 3600 seconds (1 to 60 minutes)');
  END IF;
  -- Requiring 2FA of everyone while having none would shut the Owner out
  -- at once (013: LMS07 for a member without it), so they enroll first.
  IF p_require_mfa AND NOT (SELECT a.mfa_enabled FROM accounts a WHERE a.id = s.account_id) THEN
    PERFORM fail('LMV01', 'require_mfa: turn on two-factor for your own account first');
  END IF;
  IF team_self_role(s) IS DISTINCT FROM 'owner' THEN
    RETURN team_denied(s, 'practice.settings', 'practice', s.practice_id::text, '{"reason": "not_owner"}');
  END IF;
  SELECT * INTO STRICT p FROM practices x WHERE x.id = s.practice_id FOR UPDATE;
  v_idle := coalesce(make_interval(secs => p_idle_timeout_s), p.idle_timeout);
  v_mfa := coalesce(p_require_mfa, p.require_mfa);
  IF v_idle > p.absolute_timeout THEN
    PERFORM fail('LMV01', format('idle_timeout_s: at most the absolute timeout (%s seconds)',
                                 extract(epoch FROM p.absolute_timeout)::integer));
  END IF;
  IF v_idle = p.idle_timeout AND v_mfa = p.require_mfa THEN
    RETURN attempt_record('practice.settings', 'ok', s.account_id, s.id, p_affected => 0);
  END IF;
  UPDATE practices x SET idle_timeout = v_idle, require_mfa = v_mfa WHERE x.id = p.id;

  FOR v_acc IN SELECT m.account_id FROM memberships m WHERE m.practice_id = p.id ORDER BY m.account_id LOOP
    IF v_idle <> p.idle_timeout THEN
      -- Their sessions are theirs only (row-level security, 005): the
      -- account in the context is theirs for this update, then ours again.
      v_saved := current_setting('lumen.account_id', true);
      PERFORM set_config('lumen.account_id', v_acc::text, true);
      WITH x AS (
        SELECT y.id FROM sessions y
        WHERE y.account_id = v_acc AND y.practice_id = p.id AND y.revoked_at IS NULL
        FOR UPDATE SKIP LOCKED
      )
      UPDATE sessions y SET idle_timeout = v_idle FROM x WHERE y.id = x.id;
      GET DIAGNOSTICS v_n = ROW_COUNT;
      v_updated := v_updated + v_n;
      PERFORM set_config('lumen.account_id', coalesce(v_saved, ''), true);
    END IF;
    PERFORM account_wake(v_acc);
  END LOOP;

  PERFORM team_audit(s, 'practice.settings', 'success', 'practice', p.id::text,
                     jsonb_build_object(
                       'before', jsonb_build_object('require_mfa', p.require_mfa,
                                                    'idle_timeout_s', extract(epoch FROM p.idle_timeout)::integer),
                       'after', jsonb_build_object('require_mfa', v_mfa,
                                                   'idle_timeout_s', extract(epoch FROM v_idle)::integer),
                       'sessions_updated', v_updated));
  RETURN attempt_record('practice.settings', 'ok', s.account_id, s.id, p_affected => 1);
END
$$;

-- Close the practice ("delete your account and all data"): confirmed by
-- typing its name (else 'invalid', audited as a failure).  Every member's
-- sessions in it end (why 'practice_closed'), the Owner's this one
-- included; from now on only the Owner gets in (013: LMS08 for everyone
-- else), to export, verify and cancel, until purge_after (30 days), when
-- lumen.practices_purge_due deletes it.  info: purge_after and the chain's
-- head after the practice.close row (head_seq, head_hash: compare with
-- lumen audit verify).  Closing a closed practice changes nothing
-- (affected 0, the same info).
DROP FUNCTION IF EXISTS api.practice_close(text, text);
CREATE FUNCTION api.practice_close(p_token text, p_confirm_name text) RETURNS text
LANGUAGE plpgsql SECURITY DEFINER SET search_path = lumen, ext, pg_temp SET lock_timeout = '1s'
AS $$
DECLARE
  s sessions;
  p practices;
  v_acc uuid;
  v_n integer;
  v_ended integer := 0;
  v_held integer := 0;
  v_seq bigint;
  v_hash text;
  v_affected integer := 0;
BEGIN
  s := session_check(p_token, 'practice');
  IF role_if_permitted(s, 'practice.settings') IS NULL THEN
    RETURN team_denied(s, 'practice.close', 'practice', s.practice_id::text, '{"reason": "role"}');
  END IF;
  PERFORM require_step_up(s);
  IF team_self_role(s) IS DISTINCT FROM 'owner' THEN
    RETURN team_denied(s, 'practice.close', 'practice', s.practice_id::text, '{"reason": "not_owner"}');
  END IF;
  SELECT * INTO STRICT p FROM practices x WHERE x.id = s.practice_id FOR UPDATE;
  IF p_confirm_name IS NULL OR btrim(p_confirm_name) <> btrim(p.name) THEN
    PERFORM team_audit(s, 'practice.close', 'failure', 'practice', p.id::text, '{"reason": "name"}');
    RETURN attempt_record('practice.close', 'invalid', s.account_id, s.id, p_affected => 0);
  END IF;
  IF p.closed_at IS NULL THEN
    UPDATE practices x SET closed_at = now(), purge_after = now() + interval '30 days'
    WHERE x.id = p.id
    RETURNING * INTO p;
    -- Every session in the practice ends but the one closing it: its Owner
    -- is shown the chain's final head and can export the data or take the
    -- closing back now, without signing in again.
    FOR v_acc IN SELECT m.account_id FROM memberships m WHERE m.practice_id = p.id ORDER BY m.account_id LOOP
      v_n := team_sessions_end(v_acc, 'practice_closed', p.id,
                               CASE WHEN v_acc = s.account_id THEN s.id END);
      IF v_n IS NULL THEN
        v_held := v_held + 1;
      ELSE
        v_ended := v_ended + v_n;
      END IF;
    END LOOP;
    PERFORM team_audit(s, 'practice.close', 'success', 'practice', p.id::text,
                       jsonb_build_object('purge_after', p.purge_after, 'sessions_ended', v_ended,
                                          'members_not_signed_out', nullif(v_held, 0)));
    v_affected := 1;
  END IF;
  PERFORM audit.seal(p.id);
  SELECT h.last_seq, encode(h.last_hash, 'hex') INTO v_seq, v_hash
  FROM audit.audit_chain_heads h WHERE h.practice_id = p.id;
  RETURN attempt_record('practice.close', 'ok', s.account_id, s.id, p_affected => v_affected,
                        p_info => jsonb_build_object('purge_after', p.purge_after,
                                                     'head_seq', coalesce(v_seq, 0),
                                                     'head_hash', coalesce(v_hash, repeat('0', 64))));
END
$$;

-- Cancel the closing: the practice is open again, nothing was deleted.
-- Members sign in again (their sessions ended at the close).  affected 0
-- when it was not closed (no audit row).
DROP FUNCTION IF EXISTS api.practice_close_cancel(text);
CREATE FUNCTION api.practice_close_cancel(p_token text) RETURNS text
LANGUAGE plpgsql SECURITY DEFINER SET search_path = lumen, ext, pg_temp SET lock_timeout = '1s'
AS $$
DECLARE
  s sessions;
  p practices;
BEGIN
  s := session_check(p_token, 'practice');
  IF role_if_permitted(s, 'practice.settings') IS NULL THEN
    RETURN team_denied(s, 'practice.close_cancel', 'practice', s.practice_id::text, '{"reason": "role"}');
  END IF;
  PERFORM require_step_up(s);
  IF team_self_role(s) IS DISTINCT FROM 'owner' THEN
    RETURN team_denied(s, 'practice.close_cancel', 'practice', s.practice_id::text, '{"reason": "not_owner"}');
  END IF;
  SELECT * INTO STRICT p FROM practices x WHERE x.id = s.practice_id FOR UPDATE;
  IF p.closed_at IS NULL THEN
    RETURN attempt_record('practice.close_cancel', 'ok', s.account_id, s.id, p_affected => 0);
  END IF;
  UPDATE practices x SET closed_at = NULL, purge_after = NULL WHERE x.id = p.id;
  PERFORM team_audit(s, 'practice.close_cancel', 'success', 'practice', p.id::text,
                     jsonb_build_object('before', jsonb_build_object('closed_at', p.closed_at,
                                                                     'purge_after', p.purge_after)));
  RETURN attempt_record('practice.close_cancel', 'ok', s.account_id, s.id, p_affected => 1);
END
$$;
