-- 013: what account security (issue 10) and team management (issue 9)
-- share, so that both can be built on it at once (/work/spec-team-sec.md).
--
--  * An account's wake-up channel.  Revocations, role changes and the
--    practice's settings must reach every open client of the account
--    within a second: NOTIFY lumen_account_<id> at commit, or, behind a
--    transaction pooler where LISTEN does not work, the client's poll of
--    api.session_state.  A wake-up carries nothing: any role may NOTIFY
--    any channel, so the client only ever asks the api again.
--  * lumen.sessions_end: the one way to end an account's sessions (one
--    practice's, all but one, all), with the reason the client shows.
--  * The outbox (issue 11 delivers it; here only the table and the writer):
--    security events and invites are written in the same transaction as
--    the action, so a message exists exactly when the action committed.
--  * Attempts (007, 009) carry two more things: a secret shown once
--    (recovery codes, an invite code), stored sealed and wiped when told,
--    and non-secret facts of the outcome (info).
--  * Require 2FA (practices.require_mfa, stored since 002) is enforced:
--    LMS07 for a member without 2FA in such a practice, everywhere but
--    the account's own functions (enrollment among them).
--  * A closed practice (issue 9's danger zone): closed_at, purge_after;
--    LMS08 for everyone but its Owner, who keeps export and verify until
--    the purge; the chatbot's key is refused.
--  * team.read (the Team tab) for every role.
-- Reference for the client: db/API.md.
SET LOCAL ROLE lumen_owner;
SET LOCAL search_path = lumen, ext, pg_temp;

-- ===========================================================================
-- The account's wake-up channel: lumen_account_ + 32 hex (as the leads'
-- channel of 009).  pg_notify is delivered at commit and not at all on a
-- rollback, so a client is never woken by something that did not happen.
-- ===========================================================================
CREATE FUNCTION account_channel(p_account uuid) RETURNS text
LANGUAGE sql IMMUTABLE SET search_path = lumen, ext, pg_temp
AS $$ SELECT 'lumen_account_' || replace(p_account::text, '-', '') $$;

CREATE FUNCTION account_wake(p_account uuid) RETURNS void
LANGUAGE sql SET search_path = lumen, ext, pg_temp
AS $$ SELECT pg_notify(account_channel(p_account), '') $$;

-- ===========================================================================
-- Ending an account's sessions.  Revokes its live sessions (not yet
-- revoked, not past their absolute expiry; an idle-locked one is live: it
-- could be unlocked), only those in p_practice when given, never p_except
-- (the caller's own, "all others"); records why (api.session_state tells
-- it to the clients, which say it); wakes the account when any ended.
-- Returns the ids ended, for the caller's audit row.
-- Sessions are locked in id order, so two callers ending overlapping sets
-- take them in one order and cannot deadlock; a session another call holds
-- (session_check locks its row) is waited on up to the api's lock_timeout.
-- p_why: logout, revoked (one session, by its owner), signed_out_everywhere,
--        password_changed, removed (from the practice), practice_closed.
-- ===========================================================================
CREATE FUNCTION sessions_end(p_account uuid, p_why text, p_practice uuid DEFAULT NULL,
                             p_except uuid DEFAULT NULL) RETURNS uuid[]
LANGUAGE plpgsql SET search_path = lumen, ext, pg_temp
AS $$
DECLARE
  v_saved text := current_setting('lumen.account_id', true);
  v_ids uuid[];
BEGIN
  IF p_why IS NULL OR p_why NOT IN ('logout', 'revoked', 'signed_out_everywhere', 'password_changed',
                                    'removed', 'practice_closed') THEN
    RAISE EXCEPTION 'sessions_end: unknown reason %', p_why;
  END IF;
  IF p_account IS NULL THEN
    RETURN '{}';
  END IF;
  -- sessions' policy shows the account in the context: this account's,
  -- whoever the caller is (a removal ends another account's sessions).
  PERFORM set_config('lumen.account_id', p_account::text, true);
  WITH doomed AS (
    SELECT x.id FROM sessions x
    WHERE x.account_id = p_account AND x.revoked_at IS NULL AND x.absolute_expires_at > now()
      AND (p_practice IS NULL OR x.practice_id = p_practice)
      AND x.id IS DISTINCT FROM p_except
    ORDER BY x.id
    FOR UPDATE
  ), ended AS (
    UPDATE sessions x SET revoked_at = now(), revoked_why = p_why
    FROM doomed d WHERE x.id = d.id
    RETURNING x.id
  )
  SELECT coalesce(array_agg(e.id ORDER BY e.id), '{}') INTO v_ids FROM ended e;
  PERFORM set_config('lumen.account_id', coalesce(v_saved, ''), true);
  IF cardinality(v_ids) > 0 THEN
    PERFORM account_wake(p_account);
  END IF;
  RETURN v_ids;
END
$$;

-- ===========================================================================
-- The outbox.  One row per message to send (issue 11: `lumen notify`
-- delivers them as webhooks or email, retrying with backoff; message_id is
-- the idempotency key a receiver deduplicates on).  Written by the action's
-- own transaction, so a rolled-back action sends nothing and a committed
-- one is never lost.  Payloads never hold patient details; a secret (an
-- invite code) is stored sealed: {"code_sealed": hex of secret_seal(code)}.
-- practice_id NULL: an account's own event (its 2FA, its password, its
-- sessions), which belongs to no practice.
-- Forced row-level security on the practice in the context, as the audit
-- log's (NULL rows when no practice is in it); the client has no grant.
-- ===========================================================================
CREATE TABLE outbox (
  id              bigserial PRIMARY KEY,
  message_id      uuid NOT NULL DEFAULT gen_random_uuid() UNIQUE,
  practice_id     uuid REFERENCES practices (id) ON DELETE CASCADE,
  kind            text NOT NULL CHECK (kind IN ('member.invite', 'member.remove', 'member.role_change',
                                                'practice.transfer', 'mfa.enroll', 'mfa.disable',
                                                'password.change', 'session.revoke_all')),
  recipient       text NOT NULL CHECK (length(btrim(recipient)) BETWEEN 1 AND 254),
  payload         jsonb NOT NULL DEFAULT '{}' CHECK (jsonb_typeof(payload) = 'object'),
  created_at      timestamptz NOT NULL DEFAULT now(),
  attempts        integer NOT NULL DEFAULT 0 CHECK (attempts >= 0),
  next_attempt_at timestamptz NOT NULL DEFAULT now(),
  last_error      text,
  delivered_at    timestamptz,
  failed_at       timestamptz
);
-- What the deliverer asks: the undelivered messages due, oldest first.
CREATE INDEX outbox_due ON outbox (next_attempt_at, id)
  WHERE delivered_at IS NULL AND failed_at IS NULL;
CREATE INDEX outbox_practice ON outbox (practice_id, id);

ALTER TABLE outbox ENABLE ROW LEVEL SECURITY;
ALTER TABLE outbox FORCE ROW LEVEL SECURITY;
CREATE POLICY outbox_scope ON outbox
  USING (practice_id = current_practice()
         OR (practice_id IS NULL AND current_practice() IS NULL));
REVOKE ALL ON outbox FROM PUBLIC;

-- Writes one message and answers its id.  The row goes to p_practice's
-- scope (NULL: the account's own), whatever the caller's practice is.
CREATE FUNCTION outbox_put(p_practice uuid, p_kind text, p_recipient text, p_payload jsonb)
RETURNS bigint
LANGUAGE plpgsql SET search_path = lumen, ext, pg_temp
AS $$
DECLARE
  v_saved text;
  v_id bigint;
BEGIN
  v_saved := practice_scope_enter(p_practice);
  INSERT INTO outbox (practice_id, kind, recipient, payload)
  VALUES (p_practice, p_kind, btrim(p_recipient), coalesce(p_payload, '{}'))
  RETURNING id INTO v_id;
  PERFORM practice_scope_leave(v_saved);
  RETURN v_id;
END
$$;

-- ===========================================================================
-- Attempts (007, 009) grow a secret and an info.
--   secret  a value the caller is shown once (recovery codes joined by
--           '\n', an invite code).  Stored sealed (secret_seal: a dump of
--           attempts yields nothing), wiped when the outcome is told, and
--           wiped by the purge once it can no longer be told (5 minutes).
--   info    non-secret facts of the outcome (jsonb), NULL when none.
-- The kinds become a shape rather than a list: every write of issues 9 and
-- 10 is a kind of its own, and a list would make 014 and 015 (written at
-- the same time) rewrite each other's constraint.  Kinds are written by
-- the api's own functions only.
-- attempt_record and attempt_open change signature, so they are dropped
-- and made again, otherwise unchanged (see 007 for why, 009 for affected).
-- api.attempt_result (db/api/30_guesses.sql, re-applied after the
-- migrations) answers the two new columns after the old ones.
-- ===========================================================================
ALTER TABLE attempts DROP CONSTRAINT attempts_kind_check;
ALTER TABLE attempts ADD CONSTRAINT attempts_kind_check
  CHECK (kind ~ '^[a-z][a-z_]*(\.[a-z][a-z_]*)?$');
ALTER TABLE attempts ADD COLUMN secret_sealed bytea;
ALTER TABLE attempts ADD COLUMN info jsonb;

DROP FUNCTION attempt_record(text, text, uuid, uuid, integer, boolean, text, integer, text, text, integer);
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
  p_client_version      text    DEFAULT NULL,
  p_affected            integer DEFAULT NULL,
  p_secret              text    DEFAULT NULL,
  p_info                jsonb   DEFAULT NULL
) RETURNS text
LANGUAGE plpgsql SET search_path = lumen, ext, pg_temp
AS $$
DECLARE
  v_handle bytea := gen_random_bytes(32);
BEGIN
  INSERT INTO attempts (handle_hash, kind, account_id, session_id, status, retry_after_s,
                        mfa_required, method, recovery_codes_left, server_addr,
                        reported_origin, client_version, affected, secret_sealed, info)
  VALUES (digest(v_handle, 'sha256'), p_kind, p_account_id, p_session_id, p_status,
          p_retry_after_s, p_mfa_required, p_method, p_recovery_codes_left, inet_client_addr(),
          p_reported_origin, p_client_version, p_affected,
          secret_seal(convert_to(p_secret, 'UTF8')), p_info);
  PERFORM throttle_purge();
  RETURN encode(v_handle, 'hex');
END
$$;

-- As 009's, with secret and info after affected, the secret wiped as it
-- is told, and a sign-in straight into a practice that requires 2FA (the
-- account's only one) audited as login.enroll_required.
DROP FUNCTION attempt_open(text, boolean);
CREATE FUNCTION attempt_open(p_attempt text, p_committed_only boolean)
RETURNS TABLE (status text, retry_after_s integer, token text, session_id uuid,
               mfa_required boolean, method text, recovery_codes_left integer,
               affected integer, secret text, info jsonb)
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
  s sessions;
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
  UPDATE attempts x SET revealed_at = now(), secret_sealed = NULL WHERE x.handle_hash = a.handle_hash;

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
            a.client_version)
    RETURNING * INTO s;
    PERFORM practice_entered(s);
    PERFORM context_clear();
  END IF;
  RETURN QUERY SELECT a.status, a.retry_after_s, encode(v_token, 'hex'),
                      CASE WHEN a.kind = 'login' AND a.status <> 'ok' THEN NULL ELSE a.session_id END,
                      a.mfa_required, a.method, a.recovery_codes_left, a.affected,
                      convert_from(secret_open(a.secret_sealed), 'UTF8'), a.info;
END
$$;

-- 007's purge, which also wipes the secrets of attempts too old to be told
-- (older than five minutes: attempt_open refuses them), a few at a time.
CREATE OR REPLACE FUNCTION throttle_purge() RETURNS void
LANGUAGE plpgsql SET search_path = lumen, ext, pg_temp
AS $$
BEGIN
  DELETE FROM throttle_events e WHERE e.ctid IN (
    SELECT x.ctid FROM throttle_events x WHERE x.at < now() - interval '2 days'
    LIMIT 100 FOR UPDATE SKIP LOCKED);
  DELETE FROM attempts a WHERE a.ctid IN (
    SELECT x.ctid FROM attempts x WHERE x.created_at < now() - interval '1 hour'
    LIMIT 100 FOR UPDATE SKIP LOCKED);
  UPDATE attempts a SET secret_sealed = NULL WHERE a.ctid IN (
    SELECT x.ctid FROM attempts x
    WHERE x.secret_sealed IS NOT NULL AND x.created_at < now() - interval '5 minutes'
    LIMIT 100 FOR UPDATE SKIP LOCKED);
END
$$;

-- ===========================================================================
-- A closed practice (issue 9): closed_at when its Owner closed it,
-- purge_after when it is deleted with every row (30 days later; cancelling
-- clears both).
-- ===========================================================================
ALTER TABLE practices ADD COLUMN closed_at timestamptz;
ALTER TABLE practices ADD COLUMN purge_after timestamptz;
ALTER TABLE practices ADD CONSTRAINT practices_closed_purge
  CHECK ((closed_at IS NULL) = (purge_after IS NULL));

-- ===========================================================================
-- Entering a practice that requires 2FA without it: the session can do
-- nothing there but enroll (LMS07 from session_check), and the sign-in is
-- audited as login.enroll_required (outcome denied) in the practice's
-- chain, once per session and practice.  Called where a session's
-- practice is set (attempt_open for a one-practice sign-in,
-- api.select_practice), by functions that answer normally, so the row
-- commits.  Answers whether enrollment is required.
-- ===========================================================================
CREATE FUNCTION practice_entered(s sessions) RETURNS boolean
LANGUAGE plpgsql SET search_path = lumen, ext, pg_temp
AS $$
DECLARE
  v_saved text;
  v_required boolean;
  v_email text;
  v_seen boolean;
BEGIN
  IF s.practice_id IS NULL THEN
    RETURN false;
  END IF;
  v_saved := practice_scope_enter(s.practice_id);
  SELECT p.require_mfa AND NOT a.mfa_enabled, a.email::text INTO v_required, v_email
  FROM practices p, accounts a
  WHERE p.id = s.practice_id AND a.id = s.account_id;
  IF coalesce(v_required, false) THEN
    -- Rows of this session since it began (audit_log_action's range).
    v_seen := EXISTS (SELECT 1 FROM audit.audit_log l
                      WHERE l.practice_id = s.practice_id AND l.action = 'login.enroll_required'
                        AND l.at >= s.created_at AND l.session_id = s.id);
    IF NOT v_seen THEN
      PERFORM audit_account_event(s.account_id, s.practice_id, 'login.enroll_required', 'denied',
                                  v_email, s.id, s.reported_origin,
                                  jsonb_build_object('reason', 'practice requires two-factor'));
    END IF;
  END IF;
  PERFORM practice_scope_leave(v_saved);
  RETURN coalesce(v_required, false);
END
$$;

-- ===========================================================================
-- Session validation (009) with two more refusals, for the needs that
-- reach a practice's data ('practice', 'peek'), after LMS06:
--   LMS08 the practice is closed, unless the account is its Owner (who
--         keeps export, verify and cancel until the purge);
--   LMS07 the practice requires 2FA and the account has none: only the
--         account's own functions ('account': api.me, practices,
--         select_practice, enrollment, sessions) work, so the client turns
--         it into the enrollment screen.
-- The membership check of 009 becomes one lookup that also reads these.
-- Otherwise unchanged; see 005 for the contract, 009 for 'peek'.
-- ===========================================================================
CREATE OR REPLACE FUNCTION session_check(p_token text, p_need text DEFAULT 'practice') RETURNS sessions
LANGUAGE plpgsql SET search_path = lumen, ext, pg_temp
AS $$
DECLARE
  v_hash bytea;
  s sessions;
  v_practice uuid;
  v_member boolean := false;
  v_role text;
  v_require_mfa boolean;
  v_closed_at timestamptz;
  v_mfa_enabled boolean;
BEGIN
  IF p_need NOT IN ('any', 'account', 'practice', 'peek', 'unlock', 'end') THEN
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
  v_practice := s.practice_id;
  PERFORM context_set(s.account_id, s.practice_id);
  IF s.practice_id IS NOT NULL THEN
    SELECT true, m.role, p.require_mfa, p.closed_at, a.mfa_enabled
      INTO v_member, v_role, v_require_mfa, v_closed_at, v_mfa_enabled
    FROM memberships m
    JOIN practices p ON p.id = m.practice_id
    JOIN accounts a ON a.id = m.account_id
    WHERE m.practice_id = s.practice_id AND m.account_id = s.account_id;
    IF NOT FOUND THEN
      s.practice_id := NULL;
      PERFORM context_set(s.account_id, NULL);
    END IF;
  END IF;
  IF p_need IN ('practice', 'peek') THEN
    IF s.practice_id IS NULL THEN
      PERFORM fail('LMS06', 'no practice selected');
    END IF;
    IF v_closed_at IS NOT NULL AND v_role <> 'owner' THEN
      PERFORM fail('LMS08', 'practice closed');
    END IF;
    IF v_require_mfa AND NOT v_mfa_enabled THEN
      PERFORM fail('LMS07', 'two-factor enrollment required');
    END IF;
  END IF;
  IF p_need = 'peek' THEN
    IF s.practice_id IS DISTINCT FROM v_practice THEN
      UPDATE sessions x SET practice_id = s.practice_id WHERE x.id = s.id;
    END IF;
    RETURN s;
  END IF;
  IF p_need <> 'unlock' THEN
    s.last_seen_at := now();
  END IF;
  UPDATE sessions x SET last_seen_at = s.last_seen_at, practice_id = s.practice_id WHERE x.id = s.id;
  RETURN s;
END
$$;

-- ===========================================================================
-- What each role may do (002), with team.read: the Team tab, for every
-- role (a Viewer sees the team; changing it is member.* and practice.*).
-- ===========================================================================
CREATE OR REPLACE FUNCTION role_permissions(p_role text) RETURNS text[]
LANGUAGE sql IMMUTABLE SET search_path = lumen, ext, pg_temp
AS $$
  SELECT CASE p_role
    WHEN 'owner' THEN ARRAY['lead.read', 'lead.update', 'lead.export', 'lead.delete',
                            'audit.read', 'audit.export', 'team.read',
                            'member.invite', 'member.remove', 'member.role_change',
                            'practice.transfer', 'practice.settings',
                            'mfa.self', 'session.self']
    WHEN 'admin' THEN ARRAY['lead.read', 'lead.update', 'lead.export', 'lead.delete',
                            'audit.read', 'audit.export', 'team.read',
                            'member.invite', 'member.remove',
                            'mfa.self', 'session.self']
    WHEN 'viewer' THEN ARRAY['lead.read', 'audit.read', 'team.read', 'mfa.self', 'session.self']
    ELSE ARRAY['mfa.self', 'session.self']   -- signed in, no practice chosen
  END
$$;
RESET ROLE;
