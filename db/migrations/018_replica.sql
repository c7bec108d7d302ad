-- 018: reads from a hot standby (issue 12, "Read replica").
--
-- The client may send the grant readers -- api.leads_page, lead_get,
-- lead_items, leads_export_rows, audit_page, audit_row, audit_days,
-- audit_export_rows, i.e. step 2 of an audited read -- to a streaming
-- replica ([database] replica_host).  Everything else goes to the primary:
-- every other api function starts with session_check, whose row lock
-- (SELECT ... FOR UPDATE) and last_seen_at touch a hot standby refuses
-- (25006), so none of them runs there even when a hostile client sends it.
--
-- On a standby a grant reader checks with standby_check() instead of
-- session_check() + grant_open(): read-only, and it says either "yes" or
-- LMR01 "ask the primary", never a verdict of its own (a lagging copy must
-- not lock a screen, sign anyone out or deny anything: the primary, always
-- asked next, is the one that decides).  It says yes only when
--
--   1. the grant is there: the standby has replayed the commit of the
--      *_open that made it.  WAL is replayed in order, so everything that
--      committed before the open -- a revocation, a removal, a role change,
--      a password change -- is visible too: the grant row is the open's
--      LSN, checked by the standby itself rather than an LSN the client
--      would carry (which it could forge, and which would change what the
--      *_open functions answer).  A grant not there yet is waited for, up
--      to 0.5 s (a fresh snapshot each look), then LMR01;
--   2. the grant is younger than replica_settings.grant_window (30 s): a
--      revocation *after* the open reaches a lagging standby late, so the
--      standby honours a grant only for that long after its open; after
--      that the client reads with it from the primary, which checks the
--      session afresh (and touches last_seen_at);
--   3. the session, as the standby sees it, passes every check of
--      session_check(token, 'practice') and the role has the permission.
--
-- The guarantee: a standby never serves a read for a session that was
-- revoked (or ended, or removed, or demoted) before the open of the grant
-- it reads with; for a revocation after the open, it serves at most until
-- grant_window after that open, however far behind it is.  The client
-- itself learns of a revocation from the primary (wake-ups and the
-- session_state poll never go to a standby) within a second.
SET LOCAL ROLE lumen_owner;
SET LOCAL search_path = lumen, ext, pg_temp;

-- One row: how long after its open a standby honours a grant.  Changed by
-- the database owner (it replicates like any row), never by the client.
CREATE TABLE replica_settings (
  id           boolean PRIMARY KEY DEFAULT true CHECK (id),
  grant_window interval NOT NULL DEFAULT interval '30 seconds'
               CHECK (grant_window BETWEEN interval '1 second' AND interval '5 minutes')
);
INSERT INTO replica_settings DEFAULT VALUES;
REVOKE ALL ON replica_settings FROM PUBLIC;

-- A refusal that only means "read this from the primary".
CREATE FUNCTION standby_refuse(p_why text) RETURNS void
LANGUAGE plpgsql SET search_path = lumen, ext, pg_temp
AS $$ BEGIN RAISE EXCEPTION USING ERRCODE = 'LMR01', MESSAGE = 'ask the primary: ' || p_why; END $$;

-- The standby's check for a grant reader (see the head of this file).
-- Answers the session, with the security context set as session_check
-- sets it.  Reads only: no lock, no write.
CREATE FUNCTION standby_check(p_token text, p_grant text, p_kind text, p_permission text)
RETURNS sessions
LANGUAGE plpgsql SET search_path = lumen, ext, pg_temp
AS $$
DECLARE
  v_hash bytea;
  s sessions;
  g read_grants;
  v_role text;
  v_require_mfa boolean;
  v_closed_at timestamptz;
  v_mfa_enabled boolean;
  v_window interval;
BEGIN
  PERFORM context_clear();
  IF p_token IS NULL OR lower(p_token) !~ '^[0-9a-f]{64}$' THEN
    PERFORM fail('LMS01', 'unknown session');
  END IF;
  IF p_grant IS NULL OR lower(p_grant) !~ '^[0-9a-f]{64}$' THEN
    PERFORM fail('LMV01', 'unknown grant');
  END IF;
  v_hash := digest(decode(lower(p_token), 'hex'), 'sha256');
  PERFORM set_config('lumen.token_hash', encode(v_hash, 'hex'), true);
  -- The session first: read_grants is behind row-level security on the
  -- practice, which the session gives (sessions are found by token hash).
  SELECT * INTO s FROM sessions x WHERE x.token_hash = v_hash;
  IF NOT FOUND OR s.practice_id IS NULL THEN
    PERFORM standby_refuse('the session does not pass here');
  END IF;
  PERFORM context_set(s.account_id, s.practice_id);
  -- 1. The open's commit, replayed (waited for a little: each look is a
  -- statement of its own, so a fresh snapshot of what was replayed).
  FOR i IN 1 .. 25 LOOP
    SELECT * INTO g FROM read_grants x
    WHERE x.handle_hash = digest(decode(lower(p_grant), 'hex'), 'sha256');
    EXIT WHEN FOUND;
    IF i = 25 THEN
      PERFORM standby_refuse('the grant is not replayed here yet');
    END IF;
    PERFORM pg_sleep(0.02);
  END LOOP;
  -- The session again, as of the grant's replay: what committed before
  -- the open (a revocation) is now visible.
  SELECT * INTO s FROM sessions x WHERE x.token_hash = v_hash;
  IF NOT FOUND THEN
    PERFORM standby_refuse('the session does not pass here');
  END IF;
  -- 2. Young enough.
  SELECT r.grant_window INTO v_window FROM replica_settings r;
  IF g.created_at <= now() - coalesce(v_window, interval '30 seconds') THEN
    PERFORM standby_refuse('the grant is older than the standby may honour');
  END IF;
  -- 3. The session and its grant, as session_check and grant_open see them.
  IF g.session_id <> s.id OR g.kind <> p_kind
     OR g.practice_id IS DISTINCT FROM s.practice_id OR s.practice_id IS NULL
     OR s.revoked_at IS NOT NULL OR s.absolute_expires_at <= now()
     OR s.last_seen_at + s.idle_timeout < now()
     OR (s.mfa_required AND NOT s.mfa_satisfied) THEN
    PERFORM standby_refuse('the session or grant does not pass here');
  END IF;
  PERFORM context_set(s.account_id, s.practice_id);
  SELECT m.role, p.require_mfa, p.closed_at, a.mfa_enabled
    INTO v_role, v_require_mfa, v_closed_at, v_mfa_enabled
  FROM memberships m
  JOIN practices p ON p.id = m.practice_id
  JOIN accounts a ON a.id = m.account_id
  WHERE m.practice_id = s.practice_id AND m.account_id = s.account_id;
  IF NOT FOUND OR (v_closed_at IS NOT NULL AND v_role <> 'owner')
     OR (v_require_mfa AND NOT v_mfa_enabled)
     OR NOT (p_permission = ANY (role_permissions(v_role))) THEN
    PERFORM standby_refuse('the membership does not pass here');
  END IF;
  RETURN s;
END
$$;

-- What the grant readers call first: session_check on the primary (which
-- locks the session row and touches last_seen_at), standby_check on a
-- standby.  The reader then calls require_permission and grant_open as
-- before, which on a standby only repeat what standby_check saw.
CREATE FUNCTION read_check(p_token text, p_grant text, p_kind text, p_permission text)
RETURNS sessions
LANGUAGE plpgsql SET search_path = lumen, ext, pg_temp
AS $$
BEGIN
  IF pg_is_in_recovery() THEN
    RETURN standby_check(p_token, p_grant, p_kind, p_permission);
  END IF;
  RETURN session_check(p_token, 'practice');
END
$$;

-- grant_open (009) with one change: on a standby the pg_xact_status check
-- is left out (a standby shows only committed rows: a grant found there
-- has committed), and what is not found is LMR01, not a verdict.
CREATE OR REPLACE FUNCTION grant_open(s sessions, p_handle text, p_kind text) RETURNS read_grants
LANGUAGE plpgsql STABLE SET search_path = lumen, ext, pg_temp
AS $$
DECLARE
  g read_grants;
  v_standby boolean := pg_is_in_recovery();
BEGIN
  IF p_handle IS NULL OR lower(p_handle) !~ '^[0-9a-f]{64}$' THEN
    PERFORM fail('LMV01', 'unknown grant');
  END IF;
  SELECT * INTO g FROM read_grants x
  WHERE x.handle_hash = digest(decode(lower(p_handle), 'hex'), 'sha256');
  IF NOT FOUND OR g.session_id <> s.id OR g.practice_id IS DISTINCT FROM s.practice_id
     OR g.kind <> p_kind OR g.created_at <= now() - interval '12 hours' THEN
    IF v_standby THEN
      PERFORM standby_refuse('unknown grant here');
    END IF;
    PERFORM fail('LMV01', 'unknown grant');
  END IF;
  IF NOT v_standby AND pg_xact_status(g.created_xid) IS DISTINCT FROM 'committed' THEN
    PERFORM fail('LMG01', 'the grant has not been committed: commit, then read with it');
  END IF;
  RETURN g;
END
$$;
RESET ROLE;
