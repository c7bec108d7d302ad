-- The audit chain for verification by the client: api.audit_head and
-- api.audit_chain.  Repeatable, as 10_session.sql (see its head).  The
-- client re-computes every link itself (lumen audit verify, client/chain.c)
-- and keeps the heads it verified outside the database, which is what
-- shows a superuser's rewrite (db/API.md, "Threat model").
SET LOCAL ROLE lumen_owner;
SET LOCAL search_path = lumen, ext, pg_temp;

-- The end of the session's practice's chain, after sealing what can be
-- sealed now: last_seq, last_hash (hex), and how many rows still wait to
-- be sealed (held by transactions sealing elsewhere, or not committed).
-- Audited as audit.view (purpose verify): a verification reads every row.
DROP FUNCTION IF EXISTS api.audit_head(text);
CREATE FUNCTION api.audit_head(p_token text)
RETURNS TABLE (practice_id uuid, last_seq bigint, last_hash text, pending bigint)
LANGUAGE plpgsql SECURITY DEFINER SET search_path = lumen, ext, pg_temp SET lock_timeout = '1s'
AS $$
#variable_conflict use_column
DECLARE
  s sessions;
  v_email text;
BEGIN
  s := session_check(p_token, 'practice');
  PERFORM require_permission(s, 'audit.read');
  PERFORM audit.seal(s.practice_id);
  SELECT a.email::text INTO v_email FROM accounts a WHERE a.id = s.account_id;
  PERFORM audit_append(s.practice_id, 'audit.view', 'success', p_actor_id => s.account_id,
                       p_actor_email => v_email, p_session_id => s.id,
                       p_reported_origin => s.reported_origin,
                       p_detail => '{"purpose": "verify"}');
  RETURN QUERY
    SELECT h.practice_id, h.last_seq, encode(h.last_hash, 'hex'), audit.pending_count(s.practice_id)
    FROM audit.audit_chain_heads h WHERE h.practice_id = s.practice_id;
END
$$;

-- Up to p_limit links after p_after_seq, in seq order, each with the
-- row's 13 canonical fields as text exactly as the canonical form takes
-- them (db/API.md): at in UTC with six fraction digits, server_addr in
-- inet's output form, detail as jsonb's text.  A link whose row is gone
-- comes with NULL fields and row_present false.  Keyset paging on seq.
DROP FUNCTION IF EXISTS api.audit_chain(text, bigint, integer);
CREATE FUNCTION api.audit_chain(p_token text, p_after_seq bigint, p_limit integer DEFAULT 5000)
RETURNS TABLE (seq bigint, prev_hash text, hash text, row_present boolean,
               id text, at text, practice_id text, actor_id text, actor_email text,
               session_id text, action text, target_type text, target_id text, outcome text,
               server_addr text, reported_origin text, detail text)
LANGUAGE plpgsql SECURITY DEFINER SET search_path = lumen, ext, pg_temp SET lock_timeout = '1s'
AS $$
#variable_conflict use_column
DECLARE
  s sessions;
BEGIN
  s := session_check(p_token, 'practice');
  PERFORM require_permission(s, 'audit.read');
  IF p_after_seq IS NULL OR p_after_seq < 0 OR p_limit IS NULL OR p_limit NOT BETWEEN 1 AND 10000 THEN
    PERFORM fail('LMV01', 'after_seq must be 0 or more, limit 1 to 10000');
  END IF;
  RETURN QUERY
    SELECT l.seq, encode(l.prev_hash, 'hex'), encode(l.hash, 'hex'), a.id IS NOT NULL,
           l.audit_id::text,
           to_char(a.at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'),
           a.practice_id::text, a.actor_id::text, a.actor_email, a.session_id::text, a.action,
           a.target_type, a.target_id, a.outcome,
           CASE WHEN a.server_addr IS NOT NULL THEN format('%s', a.server_addr) END,
           a.reported_origin, a.detail::text
    FROM audit.audit_chain l LEFT JOIN audit.audit_log a ON a.id = l.audit_id
    WHERE l.practice_id = s.practice_id AND l.seq > p_after_seq
    ORDER BY l.seq
    LIMIT p_limit;
END
$$;

-- Where `lumen audit verify --from D` starts: the lowest seq of the
-- session's practice's chain whose row is at or after p_from (the client
-- takes p_from from api.audit_range, the day's midnight in the practice's
-- zone), or NULL when no linked row is.  The lowest seq, not the link of
-- the earliest row: chain order is the order rows were sealed in, so a row
-- of the day can be linked before an earlier one (a long transaction, rows
-- loaded backdated); every linked row at or after p_from is then at this
-- seq or after it.  The client reads link seq - 1 through api.audit_chain
-- and takes its stored hash as given.  Not audited: it reads no row's
-- content, and the verification that calls it was (audit_head).
DROP FUNCTION IF EXISTS api.audit_chain_seq_at(text, timestamptz);
CREATE FUNCTION api.audit_chain_seq_at(p_token text, p_from timestamptz)
RETURNS bigint
LANGUAGE plpgsql SECURITY DEFINER SET search_path = lumen, ext, pg_temp SET lock_timeout = '1s'
AS $$
DECLARE
  s sessions;
BEGIN
  s := session_check(p_token, 'practice');
  PERFORM require_permission(s, 'audit.read');
  IF p_from IS NULL THEN
    PERFORM fail('LMV01', 'from: missing');
  END IF;
  IF NOT isfinite(p_from) THEN
    PERFORM fail('LMV01', 'from: not a finite time');
  END IF;
  RETURN (SELECT min(l.seq)
          FROM audit.audit_log a JOIN audit.audit_chain l ON l.audit_id = a.id
          WHERE a.practice_id = s.practice_id AND a.at >= p_from
            AND l.practice_id = s.practice_id);
END
$$;
