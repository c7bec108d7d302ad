-- 015: team management (issue 9): invites, and what the team's writes
-- stand on.  The contract agreed between backend, client and screens is
-- /work/spec-team-sec.md ("015_team.sql + db/api/80_team.sql"); the
-- reference is db/API.md, "Team management".  The api functions are in
-- db/api/80_team.sql (repeatable); this file holds the invites table, the
-- attempt kinds of the team's writes, the invite code helpers and the
-- purge of closed practices (a maintenance job, not an api function).
--
-- It stands on 013 (lumen.sessions_end, lumen.account_wake,
-- lumen.outbox_put, the attempts' secret and info, practices.closed_at and
-- purge_after).
SET LOCAL ROLE lumen_owner;
SET LOCAL search_path = lumen, ext, pg_temp;

-- ===========================================================================
-- Invites.  A code is shown once, to the inviter (and sealed into the
-- outbox row for delivery); only its SHA-256 is stored, so a copy of this
-- table lets nobody in.  Single use (accepted_at), revocable (revoked_at),
-- good for 7 days (expires_at), bound to the email it was sent to (citext:
-- compared case-insensitively).  An invite never names an Owner: ownership
-- only moves by a transfer.
-- ===========================================================================
CREATE TABLE invites (
  id          uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  practice_id uuid NOT NULL REFERENCES practices (id) ON DELETE CASCADE,
  email       ext.citext NOT NULL
              CHECK (length(email) <= 254 AND email ~ '^[^@[:space:]]+@[^@[:space:]]+$'),
  role        text NOT NULL CHECK (role IN ('admin', 'viewer')),
  code_hash   bytea NOT NULL UNIQUE CHECK (octet_length(code_hash) = 32),
  -- who sent it (or resent it last); kept when the account goes
  invited_by  uuid REFERENCES accounts (id) ON DELETE SET NULL,
  created_at  timestamptz NOT NULL DEFAULT now(),
  expires_at  timestamptz NOT NULL DEFAULT now() + interval '7 days',
  accepted_at timestamptz,
  accepted_by uuid REFERENCES accounts (id) ON DELETE SET NULL,
  revoked_at  timestamptz,
  CHECK (accepted_at IS NULL OR revoked_at IS NULL)
);
-- One pending invite per email and practice: a new one revokes the old
-- (api.member_invite), and this index makes sure of it.
CREATE UNIQUE INDEX invites_pending ON invites (practice_id, email)
  WHERE accepted_at IS NULL AND revoked_at IS NULL;
CREATE INDEX invites_practice ON invites (practice_id, created_at DESC, id);

-- Row-level security, forced, on the practice in the security context (as
-- every practice table).  api.invite_check and api.invite_accept have no
-- session and find an invite by the hash of the code they were given, as
-- session validation finds its session by the token's hash and ingest its
-- key by the key's: the setting lumen.invite_code_hash.
CREATE FUNCTION current_invite_code_hash() RETURNS bytea
LANGUAGE sql STABLE
AS $$ SELECT decode(nullif(current_setting('lumen.invite_code_hash', true), ''), 'hex') $$;

ALTER TABLE invites ENABLE ROW LEVEL SECURITY;
ALTER TABLE invites FORCE ROW LEVEL SECURITY;
CREATE POLICY invites_scope ON invites
  USING (practice_id = current_practice() OR code_hash = current_invite_code_hash())
  WITH CHECK (practice_id = current_practice());

-- ---------------------------------------------------------------------------
-- Invite codes: 20 random bytes (160 bits: guessing is hopeless, the
-- throttle only keeps the log quiet) in base32, 32 characters shown in
-- eight groups of four (ABCD-EFGH-...), which a person can read out and
-- type.  What is typed is normalized before hashing: case, spaces and
-- hyphens do not matter, and 0, 1 and 8 (not in the base32 alphabet) are
-- read as the O, I and B they were mistaken for.
-- ---------------------------------------------------------------------------
CREATE FUNCTION invite_code_new() RETURNS text
LANGUAGE sql VOLATILE SET search_path = lumen, ext, pg_temp
AS $$
  SELECT string_agg(substr(c, i, 4), '-' ORDER BY i)
  FROM (SELECT base32_encode(gen_random_bytes(20)) AS c) x, generate_series(1, 29, 4) i
$$;

CREATE FUNCTION invite_code_hash(p_code text) RETURNS bytea
LANGUAGE sql IMMUTABLE SET search_path = lumen, ext, pg_temp
AS $$
  SELECT digest(convert_to('lumen-invite:' || translate(code_normalize(p_code), '018', 'OIB'), 'UTF8'),
                'sha256')
$$;

-- ===========================================================================
-- Attempts: the team's writes and the two invite guesses are kinds of
-- their own (member.invite, member.invite_revoke, member.remove,
-- member.role_change, practice.transfer, practice.settings,
-- practice.close, practice.close_cancel, invite.check, invite.accept),
-- which 013's constraint (a shape, not a list) already allows.
-- ===========================================================================

-- ===========================================================================
-- The purge of closed practices (issue 9's danger zone): a practice whose
-- Owner closed it (api.practice_close) and did not cancel within the 30
-- days (purge_after) goes, with every row of it: its memberships, leads,
-- transcripts, notes, ingest keys, invites, outbox rows (by their foreign
-- keys), its read grants, and its audit log and chain.  Accounts stay
-- (people may belong to other practices); their sessions lose the
-- practice (ON DELETE SET NULL; they were ended at the close).
-- The purge is recorded outside the practice, in the chain of no
-- practice: practice.purge, target the practice's id, detail the final
-- head of its chain (seq and hash, which the Owner was offered with the
-- export before) and when it was closed; not its name.
-- For a maintenance job run as a superuser: the audit log refuses UPDATE
-- and DELETE to every other role, lumen_owner included (007), and only a
-- superuser can set session_replication_role to get past its triggers.
-- One practice at a time, each locked SKIP LOCKED, so two jobs never purge
-- one practice twice.  Returns how many practices it purged.
-- ===========================================================================
CREATE FUNCTION practices_purge_due() RETURNS integer
LANGUAGE plpgsql SET search_path = lumen, ext, pg_temp
AS $$
DECLARE
  v_id uuid;
  v_closed timestamptz;
  v_seq bigint;
  v_hash bytea;
  v_srr text;
  v_saved text;
  n integer := 0;
BEGIN
  IF NOT (SELECT r.rolsuper FROM pg_roles r WHERE r.rolname = current_user) THEN
    RAISE EXCEPTION USING ERRCODE = 'insufficient_privilege',
      MESSAGE = 'practices_purge_due must run as a superuser: the audit log refuses deletes to every other role';
  END IF;
  LOOP
    -- A superuser is not bound by row-level security: every practice is seen.
    SELECT p.id, p.closed_at INTO v_id, v_closed FROM practices p
    WHERE p.closed_at IS NOT NULL AND p.purge_after <= now()
    ORDER BY p.purge_after, p.id
    LIMIT 1 FOR UPDATE SKIP LOCKED;
    EXIT WHEN v_id IS NULL;

    -- The final head: every row of the practice linked first.
    PERFORM audit.seal(v_id);
    SELECT h.last_seq, h.last_hash INTO v_seq, v_hash
    FROM audit.audit_chain_heads h WHERE h.practice_id = v_id;

    -- The log's triggers refuse deletes; replica mode skips ordinary
    -- triggers (and foreign-key actions: the audit tables have none), for
    -- these statements only.
    v_srr := current_setting('session_replication_role');
    PERFORM set_config('session_replication_role', 'replica', true);
    DELETE FROM audit.audit_chain c WHERE c.practice_id = v_id;
    DELETE FROM audit.audit_pending q WHERE q.practice_id = v_id;
    DELETE FROM audit.audit_log a WHERE a.practice_id = v_id;
    DELETE FROM audit.audit_chain_heads h WHERE h.practice_id = v_id;
    PERFORM set_config('session_replication_role', v_srr, true);

    DELETE FROM read_grants g WHERE g.practice_id = v_id;   -- no foreign key
    v_saved := practice_scope_enter(v_id);
    DELETE FROM practices p WHERE p.id = v_id;              -- the rest by cascade
    PERFORM practice_scope_leave(v_saved);

    PERFORM audit_append(NULL, 'practice.purge', 'success',
                         p_target_type => 'practice', p_target_id => v_id::text,
                         p_detail => jsonb_build_object(
                           'head_seq', coalesce(v_seq, 0),
                           'head_hash', encode(coalesce(v_hash, decode(repeat('00', 32), 'hex')), 'hex'),
                           'closed_at', v_closed));
    n := n + 1;
    v_id := NULL;
  END LOOP;
  RETURN n;
END
$$;
