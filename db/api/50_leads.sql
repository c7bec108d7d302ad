-- The lead inbox: api.leads_* and api.lead_*, api.ingest_key_rotate, and
-- ingest.lead_capture, the one function the chatbot's backend may call.
-- Repeatable, as 10_session.sql (see its head).  Tables and the grant,
-- step-up and attempt helpers are in migration 009, whose head says why an
-- audited read is two steps and a write answers an attempt id.  The
-- contract agreed with the client and the screens: /work/spec-inbox.md;
-- reference: db/API.md, "The lead inbox".
--
-- The filter and the list's query builder are lumen.* helpers defined here
-- too (dropped and made again like the api functions), because they are
-- the api functions' query text: one place to change an order, a filter or
-- the index it relies on.  Every user value reaches the queries as a
-- parameter (EXECUTE ... USING), never as text; the text is put together
-- only from fixed fragments chosen by validated keys.
SET LOCAL ROLE lumen_owner;
SET LOCAL search_path = lumen, ext, pg_temp;

-- ===========================================================================
-- The filter (one shape for the list, the export and `lumen leads export`).
-- ===========================================================================

-- A LIKE pattern that matches p as a substring, case-insensitively (the
-- caller lowers the column): % _ and \ in p match themselves.
DROP FUNCTION IF EXISTS lumen.leads_like(text);
CREATE FUNCTION lumen.leads_like(p text) RETURNS text
LANGUAGE sql IMMUTABLE SET search_path = lumen, ext, pg_temp
AS $$ SELECT '%' || regexp_replace(lower(p), '([\\%_])', '\\\1', 'g') || '%' $$;

-- A point in time from a filter value: "30m", "24h", "7d", "2w" before
-- p_now, or "YYYY-MM-DD": that day's midnight in the practice's zone.
DROP FUNCTION IF EXISTS lumen.leads_when(jsonb, text, text, timestamptz, boolean);
CREATE FUNCTION lumen.leads_when(p_value jsonb, p_field text, p_tz text, p_now timestamptz,
                                 p_date_ok boolean DEFAULT true)
RETURNS timestamptz
LANGUAGE plpgsql STABLE SET search_path = lumen, ext, pg_temp
AS $$
DECLARE
  v text;
  m text[];
BEGIN
  IF jsonb_typeof(p_value) IS DISTINCT FROM 'string' THEN
    PERFORM fail('LMV01', format('filter.%s: must be a string', p_field));
  END IF;
  v := p_value #>> '{}';
  m := regexp_match(v, '^([0-9]{1,6})([mhdw])$');
  IF m IS NOT NULL THEN
    RETURN p_now - m[1]::integer * CASE m[2] WHEN 'm' THEN interval '1 minute'
                                             WHEN 'h' THEN interval '1 hour'
                                             WHEN 'd' THEN interval '1 day'
                                             ELSE interval '7 days' END;
  END IF;
  IF p_date_ok AND v ~ '^[0-9]{4}-[0-9]{2}-[0-9]{2}$' THEN
    BEGIN
      RETURN (v::date)::timestamp AT TIME ZONE p_tz;
    EXCEPTION WHEN datetime_field_overflow OR invalid_datetime_format THEN
      PERFORM fail('LMV01', format('filter.%s: no such date "%s"', p_field, v));
    END;
  END IF;
  PERFORM fail('LMV01', format('filter.%s: "%s" is not %s', p_field, left(v, 40),
                               CASE WHEN p_date_ok THEN 'a duration (30m, 24h, 7d, 2w) or a date (YYYY-MM-DD)'
                                    ELSE 'a duration (15m, 2h, 1d, 1w)' END));
  RETURN NULL;                           -- not reached: fail raises
END
$$;

-- "me" | "none" | "<account uuid>": the account, or NULL with none true.
DROP FUNCTION IF EXISTS lumen.leads_who(jsonb, text, uuid);
CREATE FUNCTION lumen.leads_who(p_value jsonb, p_field text, p_me uuid,
                                OUT account uuid, OUT is_none boolean)
LANGUAGE plpgsql IMMUTABLE SET search_path = lumen, ext, pg_temp
AS $$
DECLARE
  v text := CASE WHEN jsonb_typeof(p_value) = 'string' THEN p_value #>> '{}' END;
BEGIN
  is_none := false;
  IF v = 'me' THEN
    account := p_me;
  ELSIF v = 'none' THEN
    is_none := true;
  ELSIF v ~* '^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$' THEN
    account := v::uuid;
  ELSE
    PERFORM fail('LMV01', format('filter.%s: must be "me", "none" or an account id', p_field));
  END IF;
END
$$;

-- A status list: an array of known statuses (a lone string is taken as
-- one).  An empty array is no restriction.
DROP FUNCTION IF EXISTS lumen.leads_statuses(jsonb, text);
CREATE FUNCTION lumen.leads_statuses(p_value jsonb, p_field text) RETURNS text[]
LANGUAGE plpgsql IMMUTABLE SET search_path = lumen, ext, pg_temp
AS $$
DECLARE
  v jsonb := CASE WHEN jsonb_typeof(p_value) = 'string' THEN jsonb_build_array(p_value) ELSE p_value END;
  e jsonb;
  r text[] := '{}'::text[];
BEGIN
  IF jsonb_typeof(v) IS DISTINCT FROM 'array' OR jsonb_array_length(v) > 5 THEN
    PERFORM fail('LMV01', format('filter.%s: must be a list of up to 5 statuses', p_field));
  END IF;
  FOR e IN SELECT x FROM jsonb_array_elements(v) x LOOP
    IF jsonb_typeof(e) IS DISTINCT FROM 'string'
       OR (e #>> '{}') NOT IN ('new', 'contacted', 'booked', 'not_interested', 'spam') THEN
      PERFORM fail('LMV01', format('filter.%s: unknown status %s (new, contacted, booked, not_interested, spam)',
                                   p_field, left(e::text, 40)));
    END IF;
    IF NOT (e #>> '{}') = ANY (r) THEN
      r := r || (e #>> '{}');
    END IF;
  END LOOP;
  RETURN CASE WHEN cardinality(r) = 0 THEN NULL ELSE r END;
END
$$;

-- Checks a filter and compiles it: w is the conditions on lumen.leads l
-- (AND-joined, 'true' for none) over the parameters
--   $2 statuses text[]  $3 assigned uuid  $4 not_assigned uuid
--   $5 service LIKE     $6 not_service LIKE  $7 since  $8 before
--   $9 untouched before $10 q LIKE
-- except the status condition, which the caller writes ($2 is the set of
-- statuses allowed, NULL for any, {} for none): the list splits it into
-- one index scan per status, the export takes = ANY.  An unknown key or a
-- bad value: LMV01 naming it.
DROP FUNCTION IF EXISTS lumen.leads_filter(jsonb, uuid, text, timestamptz);
CREATE FUNCTION lumen.leads_filter(p_filter jsonb, p_me uuid, p_tz text, p_now timestamptz,
  OUT w text, OUT statuses text[], OUT assigned uuid, OUT not_assigned uuid,
  OUT service_like text, OUT not_service_like text, OUT since_at timestamptz,
  OUT before_at timestamptz, OUT untouched_before timestamptz, OUT q_like text)
LANGUAGE plpgsql STABLE SET search_path = lumen, ext, pg_temp
AS $$
DECLARE
  f jsonb := coalesce(p_filter, '{}');
  k text;
  c text[] := '{}'::text[];
  v_not text[];
  v_who record;
  v text;
BEGIN
  IF jsonb_typeof(f) <> 'object' THEN
    PERFORM fail('LMV01', 'filter: must be a JSON object');
  END IF;
  FOR k IN SELECT jsonb_object_keys(f) LOOP
    IF k NOT IN ('status', 'not_status', 'assigned', 'not_assigned', 'service', 'not_service',
                 'since', 'before', 'untouched_for', 'q') THEN
      PERFORM fail('LMV01', format('filter.%s: unknown key', left(k, 40)));
    END IF;
  END LOOP;

  IF f ? 'status' THEN
    statuses := leads_statuses(f -> 'status', 'status');
  END IF;
  IF f ? 'not_status' THEN
    v_not := leads_statuses(f -> 'not_status', 'not_status');
    statuses := ARRAY(SELECT x FROM unnest(coalesce(statuses,
                        ARRAY['new', 'contacted', 'booked', 'not_interested', 'spam'])) x
                      WHERE NOT x = ANY (coalesce(v_not, '{}')));
  END IF;
  IF f ? 'untouched_for' THEN
    -- new, never touched, captured before now() - the duration
    untouched_before := leads_when(f -> 'untouched_for', 'untouched_for', p_tz, p_now, false);
    statuses := ARRAY(SELECT x FROM unnest(coalesce(statuses, ARRAY['new'])) x WHERE x = 'new');
    c := c || 'NOT l.touched AND l.captured_at < $9'::text;
  END IF;

  IF f ? 'assigned' THEN
    v_who := leads_who(f -> 'assigned', 'assigned', p_me);
    IF v_who.is_none THEN
      c := c || 'l.assigned_to IS NULL'::text;
    ELSE
      assigned := v_who.account;
      c := c || 'l.assigned_to = $3'::text;
    END IF;
  END IF;
  IF f ? 'not_assigned' THEN
    v_who := leads_who(f -> 'not_assigned', 'not_assigned', p_me);
    IF v_who.is_none THEN
      c := c || 'l.assigned_to IS NOT NULL'::text;
    ELSE
      not_assigned := v_who.account;
      c := c || 'l.assigned_to IS DISTINCT FROM $4'::text;
    END IF;
  END IF;

  FOREACH k IN ARRAY ARRAY['service', 'not_service', 'q'] LOOP
    IF f ? k THEN
      IF jsonb_typeof(f -> k) IS DISTINCT FROM 'string' THEN
        PERFORM fail('LMV01', format('filter.%s: must be a string', k));
      END IF;
      v := btrim(f ->> k);
      IF length(v) > 200 THEN
        PERFORM fail('LMV01', format('filter.%s: at most 200 characters', k));
      END IF;
      CONTINUE WHEN v = '';
      IF k = 'service' THEN
        service_like := leads_like(v);
        c := c || 'lower(coalesce(l.service, '''')) LIKE $5'::text;
      ELSIF k = 'not_service' THEN
        not_service_like := leads_like(v);
        c := c || 'lower(coalesce(l.service, '''')) NOT LIKE $6'::text;
      ELSE
        q_like := leads_like(v);
        -- Candidates from lumen.lead_search (012: its trigram index is
        -- usable under leads' row-level security; this was not).
        c := c || 'l.id IN (SELECT s.lead_id FROM lumen.lead_search s WHERE s.practice_id = $1 AND s.text LIKE $10)'::text;
      END IF;
    END IF;
  END LOOP;

  IF f ? 'since' THEN
    since_at := leads_when(f -> 'since', 'since', p_tz, p_now);
    c := c || 'l.captured_at >= $7'::text;
  END IF;
  IF f ? 'before' THEN
    before_at := leads_when(f -> 'before', 'before', p_tz, p_now);
    c := c || 'l.captured_at < $8'::text;
  END IF;
  w := coalesce(nullif(array_to_string(c, ' AND '), ''), 'true');
END
$$;

-- The text of one page query of the list, over the parameters of
-- leads_filter and
--   $1 practice  $11 key touched  $12 key captured_at  $13 key id  $14 limit
-- p_order newest | untouched, p_from first | last | after | before | at,
-- p_nstatus: 0 (no status condition), or how many statuses $2 holds: each
-- gets a branch of its own (l.status = ($2)[i]), so that every branch walks
-- one index in order and stops at the limit.  The rows come out in
-- display order.  (Tests EXPLAIN this text: tests/db/091_leads_paging.pg.)
DROP FUNCTION IF EXISTS lumen.leads_page_sql(text, text, text, integer);
CREATE FUNCTION lumen.leads_page_sql(p_order text, p_from text, p_w text, p_nstatus integer)
RETURNS text
LANGUAGE plpgsql IMMUTABLE SET search_path = lumen, ext, pg_temp
AS $$
DECLARE
  v_rev boolean := p_from IN ('last', 'before');
  v_display text;
  v_query text;
  v_key text;
  v_branch text;
  v_sql text := '';
BEGIN
  IF p_order = 'newest' THEN
    v_display := 'captured_at DESC, id DESC';
    v_query := CASE WHEN v_rev THEN 'captured_at ASC, id ASC' ELSE v_display END;
    v_key := CASE p_from WHEN 'after' THEN '(l.captured_at, l.id) < ($12, $13)'
                         WHEN 'at' THEN '(l.captured_at, l.id) <= ($12, $13)'
                         WHEN 'before' THEN '(l.captured_at, l.id) > ($12, $13)' END;
  ELSE
    v_display := 'touched ASC, captured_at ASC, id ASC';
    v_query := CASE WHEN v_rev THEN 'touched DESC, captured_at DESC, id DESC' ELSE v_display END;
    v_key := CASE p_from WHEN 'after' THEN '(l.touched, l.captured_at, l.id) > ($11, $12, $13)'
                         WHEN 'at' THEN '(l.touched, l.captured_at, l.id) >= ($11, $12, $13)'
                         WHEN 'before' THEN '(l.touched, l.captured_at, l.id) < ($11, $12, $13)' END;
  END IF;
  FOR i IN 1 .. greatest(p_nstatus, 1) LOOP
    v_branch := format('(SELECT l.id, l.captured_at, l.status, l.name, l.service, l.phone, l.email, '
                       'l.assigned_to, l.touched FROM lumen.leads l '
                       'WHERE l.practice_id = $1 AND %s%s%s ORDER BY %s LIMIT $14)',
                       p_w,
                       CASE WHEN p_nstatus > 0 THEN format(' AND l.status = ($2)[%s]', i) ELSE '' END,
                       CASE WHEN v_key IS NOT NULL THEN ' AND ' || v_key ELSE '' END,
                       regexp_replace(v_query, '(^|, )', '\1l.', 'g'));
    v_sql := v_sql || CASE WHEN i > 1 THEN ' UNION ALL ' ELSE '' END || v_branch;
  END LOOP;
  RETURN format('SELECT CASE WHEN $15 = ''newest'' THEN '''' ELSE p.touched::integer || ''|'' END '
                '|| to_char(p.captured_at AT TIME ZONE ''UTC'', ''YYYY-MM-DD"T"HH24:MI:SS.US"Z"'') '
                '|| ''|'' || p.id, p.id, p.captured_at, '
                'greatest(0, floor(extract(epoch FROM now() - p.captured_at)))::bigint, '
                'p.status, p.name, p.service, p.phone, p.email, p.assigned_to, a.display_name, p.touched '
                'FROM (SELECT * FROM (%s) u ORDER BY %s LIMIT $14) p '
                'LEFT JOIN lumen.accounts a ON a.id = p.assigned_to ORDER BY %s',
                v_sql, v_query, regexp_replace(v_display, '(^|, )', '\1p.', 'g'));
END
$$;

-- ===========================================================================
-- Reads.
-- ===========================================================================

-- Step 1 of the list: checks the filter, audits lead.list with it, and
-- answers a grant for the pages.  Once per list opened or filter changed.
DROP FUNCTION IF EXISTS api.leads_open(text, jsonb);
CREATE FUNCTION api.leads_open(p_token text, p_filter jsonb) RETURNS text
LANGUAGE plpgsql SECURITY DEFINER SET search_path = lumen, ext, pg_temp SET lock_timeout = '1s'
AS $$
DECLARE
  s sessions;
  v_filter jsonb := coalesce(p_filter, '{}');
BEGIN
  s := session_check(p_token, 'practice');
  PERFORM require_permission(s, 'lead.read');
  PERFORM leads_filter(v_filter, s.account_id, 'UTC', now());
  PERFORM audit_append(s.practice_id, 'lead.list', 'success', p_actor_id => s.account_id,
                       p_actor_email => (SELECT a.email::text FROM accounts a WHERE a.id = s.account_id),
                       p_session_id => s.id, p_reported_origin => s.reported_origin,
                       p_detail => jsonb_build_object('filter', v_filter));
  RETURN grant_new(s, 'lead.list', jsonb_build_object('filter', v_filter));
END
$$;

-- Step 2: a page of the list, by key, in display order.  Never counts.
DROP FUNCTION IF EXISTS api.leads_page(text, text, text, text, text, integer);
CREATE FUNCTION api.leads_page(p_token text, p_grant text, p_order text, p_from text,
                               p_key text, p_limit integer)
RETURNS TABLE (key text, id bigint, captured_at timestamptz, age_s bigint, status text,
               name text, service text, phone text, email text, assigned_to uuid,
               assigned_name text, touched boolean)
LANGUAGE plpgsql SECURITY DEFINER SET search_path = lumen, ext, pg_temp SET lock_timeout = '1s'
AS $$
#variable_conflict use_column
DECLARE
  s sessions;
  g read_grants;
  f record;
  m text[];
  v_touched boolean;
  v_at timestamptz;
  v_id bigint;
BEGIN
  -- On a standby: read_check (018_replica.sql).
  s := read_check(p_token, p_grant, 'lead.list', 'lead.read');
  PERFORM require_permission(s, 'lead.read');
  g := grant_open(s, p_grant, 'lead.list');
  IF p_order IS NULL OR p_order NOT IN ('newest', 'untouched') THEN
    PERFORM fail('LMV01', 'order: must be newest or untouched');
  END IF;
  IF p_from IS NULL OR p_from NOT IN ('first', 'last', 'after', 'before', 'at') THEN
    PERFORM fail('LMV01', 'from: must be first, last, after, before or at');
  END IF;
  IF p_limit IS NULL OR p_limit NOT BETWEEN 1 AND 1000 THEN
    PERFORM fail('LMV01', 'limit: must be 1 to 1000');
  END IF;
  IF p_from IN ('after', 'before', 'at') THEN
    m := regexp_match(p_key, CASE WHEN p_order = 'newest' THEN '^()' ELSE '^([01])\|' END
                             || '([0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}\.[0-9]{6}Z)\|([0-9]{1,18})$');
    IF m IS NULL THEN
      PERFORM fail('LMV01', 'key: malformed');
    END IF;
    BEGIN
      v_touched := m[1] = '1';
      v_at := m[2]::timestamptz;
      v_id := m[3]::bigint;
    EXCEPTION WHEN datetime_field_overflow OR invalid_datetime_format THEN
      PERFORM fail('LMV01', 'key: malformed');
    END;
  END IF;
  SELECT * INTO f FROM leads_filter(g.subject -> 'filter', s.account_id,
                                    (SELECT p.timezone FROM practices p WHERE p.id = s.practice_id), now());
  IF f.statuses IS NOT NULL AND cardinality(f.statuses) = 0 THEN
    RETURN;                              -- status and not_status exclude each other
  END IF;
  RETURN QUERY EXECUTE leads_page_sql(p_order, p_from, f.w, coalesce(cardinality(f.statuses), 0))
    USING s.practice_id, f.statuses, f.assigned, f.not_assigned, f.service_like,
          f.not_service_like, f.since_at, f.before_at, f.untouched_before, f.q_like,
          v_touched, v_at, v_id, p_limit, p_order;
END
$$;

-- How many leads arrived after the one the client has seen (capped at
-- 1000) and the newest id: the fallback for a pooler where LISTEN does not
-- work.  Cheap (index), not audited, and a 'peek': it does not count as
-- activity, so a screen left open still locks when idle.
DROP FUNCTION IF EXISTS api.leads_arrivals(text, bigint);
CREATE FUNCTION api.leads_arrivals(p_token text, p_after_id bigint)
RETURNS TABLE (newest_id bigint, arrived integer)
LANGUAGE plpgsql SECURITY DEFINER SET search_path = lumen, ext, pg_temp SET lock_timeout = '1s'
AS $$
#variable_conflict use_column
DECLARE
  s sessions;
BEGIN
  s := session_check(p_token, 'peek');
  PERFORM require_permission(s, 'lead.read');
  RETURN QUERY
    SELECT (SELECT max(l.id) FROM leads l WHERE l.practice_id = s.practice_id),
           CASE WHEN p_after_id IS NULL THEN 0
                ELSE (SELECT count(*)::integer FROM (
                        SELECT 1 FROM leads l WHERE l.practice_id = s.practice_id AND l.id > p_after_id
                        LIMIT 1000) x) END;
END
$$;

-- Step 1 of opening a lead: audits lead.view and answers a grant for it.
-- Another practice's lead, a deleted one and one that never existed are
-- the same LMV01.
DROP FUNCTION IF EXISTS api.lead_open(text, bigint);
CREATE FUNCTION api.lead_open(p_token text, p_lead_id bigint) RETURNS text
LANGUAGE plpgsql SECURITY DEFINER SET search_path = lumen, ext, pg_temp SET lock_timeout = '1s'
AS $$
DECLARE
  s sessions;
BEGIN
  s := session_check(p_token, 'practice');
  PERFORM require_permission(s, 'lead.read');
  IF p_lead_id IS NULL OR NOT EXISTS (SELECT 1 FROM leads l
                                      WHERE l.practice_id = s.practice_id AND l.id = p_lead_id) THEN
    PERFORM fail('LMV01', 'no such lead');
  END IF;
  PERFORM audit_append(s.practice_id, 'lead.view', 'success', p_actor_id => s.account_id,
                       p_actor_email => (SELECT a.email::text FROM accounts a WHERE a.id = s.account_id),
                       p_session_id => s.id, p_target_type => 'lead', p_target_id => p_lead_id::text,
                       p_reported_origin => s.reported_origin);
  RETURN grant_new(s, 'lead.view', jsonb_build_object('lead_id', p_lead_id));
END
$$;

-- Step 2: the lead's fields; no row when it was deleted since.
DROP FUNCTION IF EXISTS api.lead_get(text, text);
CREATE FUNCTION api.lead_get(p_token text, p_grant text)
RETURNS TABLE (id bigint, visitor_id text, name text, phone text, email text, service text,
               page_url text, captured_at timestamptz, age_s bigint, status text,
               assigned_to uuid, assigned_name text, first_response_at timestamptz,
               updated_at timestamptz)
LANGUAGE plpgsql SECURITY DEFINER SET search_path = lumen, ext, pg_temp SET lock_timeout = '1s'
AS $$
#variable_conflict use_column
DECLARE
  s sessions;
  g read_grants;
BEGIN
  -- On a standby: read_check (018_replica.sql).
  s := read_check(p_token, p_grant, 'lead.view', 'lead.read');
  PERFORM require_permission(s, 'lead.read');
  g := grant_open(s, p_grant, 'lead.view');
  RETURN QUERY
    SELECT l.id, l.visitor_id, l.name, l.phone, l.email, l.service, l.page_url, l.captured_at,
           greatest(0, floor(extract(epoch FROM now() - l.captured_at)))::bigint, l.status,
           l.assigned_to, a.display_name, l.first_response_at, l.updated_at
    FROM leads l LEFT JOIN accounts a ON a.id = l.assigned_to
    WHERE l.practice_id = s.practice_id AND l.id = (g.subject ->> 'lead_id')::bigint;
END
$$;

-- Step 2: what happened to the lead, in three blocks: the transcript (by
-- seq), the notes (by time), the changes (lead.update audit rows, oldest
-- first, as "status: new -> contacted" / "assigned: nobody -> Adam Admin").
DROP FUNCTION IF EXISTS api.lead_items(text, text);
CREATE FUNCTION api.lead_items(p_token text, p_grant text)
RETURNS TABLE (kind text, at timestamptz, who text, body text)
LANGUAGE plpgsql SECURITY DEFINER SET search_path = lumen, ext, pg_temp SET lock_timeout = '1s'
AS $$
#variable_conflict use_column
DECLARE
  s sessions;
  g read_grants;
  v_lead bigint;
BEGIN
  -- On a standby: read_check (018_replica.sql).
  s := read_check(p_token, p_grant, 'lead.view', 'lead.read');
  PERFORM require_permission(s, 'lead.read');
  g := grant_open(s, p_grant, 'lead.view');
  v_lead := (g.subject ->> 'lead_id')::bigint;
  IF NOT EXISTS (SELECT 1 FROM leads l WHERE l.practice_id = s.practice_id AND l.id = v_lead) THEN
    RETURN;                              -- deleted since: its history goes with it
  END IF;
  RETURN QUERY
    SELECT m.sender, m.at, NULL::text, m.body FROM lead_messages m
    WHERE m.practice_id = s.practice_id AND m.lead_id = v_lead ORDER BY m.seq;
  RETURN QUERY
    SELECT 'note'::text, n.at, a.display_name, n.body
    FROM lead_notes n LEFT JOIN accounts a ON a.id = n.author_id
    WHERE n.practice_id = s.practice_id AND n.lead_id = v_lead ORDER BY n.at, n.id;
  RETURN QUERY
    SELECT 'change'::text, x.at, x.actor_email,
           (SELECT string_agg(CASE k
                     WHEN 'status' THEN format('status: %s -> %s', x.detail #>> '{before,status}',
                                               x.detail #>> '{after,status}')
                     WHEN 'assigned_to' THEN format('assigned: %s -> %s',
                       leads_member_name(x.detail #>> '{before,assigned_to}'),
                       leads_member_name(x.detail #>> '{after,assigned_to}'))
                   END, '; ' ORDER BY k)
            FROM jsonb_object_keys(x.detail -> 'after') k)
    FROM audit.audit_log x
    WHERE x.practice_id = s.practice_id AND x.target_type = 'lead' AND x.target_id = v_lead::text
      AND x.action = 'lead.update' AND x.outcome = 'success'
    ORDER BY x.id;
END
$$;

-- An account id as a history line names it: its display name, "nobody"
-- for none, "a former account" for one deleted since.
DROP FUNCTION IF EXISTS lumen.leads_member_name(text);
CREATE FUNCTION lumen.leads_member_name(p_account text) RETURNS text
LANGUAGE sql STABLE SET search_path = lumen, ext, pg_temp
AS $$
  SELECT CASE WHEN p_account IS NULL THEN 'nobody'
              ELSE coalesce((SELECT a.display_name FROM accounts a WHERE a.id::text = p_account),
                            'a former account') END
$$;

-- Whom a lead can be assigned to: the practice's members, by name.
DROP FUNCTION IF EXISTS api.lead_assignees(text);
CREATE FUNCTION api.lead_assignees(p_token text)
RETURNS TABLE (account_id uuid, display_name text, role text)
LANGUAGE plpgsql SECURITY DEFINER SET search_path = lumen, ext, pg_temp SET lock_timeout = '1s'
AS $$
#variable_conflict use_column
DECLARE
  s sessions;
BEGIN
  s := session_check(p_token, 'practice');
  PERFORM require_permission(s, 'lead.read');
  RETURN QUERY
    SELECT m.account_id, a.display_name, m.role
    FROM memberships m JOIN accounts a ON a.id = m.account_id
    WHERE m.practice_id = s.practice_id
    ORDER BY a.display_name, a.id;
END
$$;

-- ===========================================================================
-- Writes: an attempt id each (status ok | denied | not_found, affected);
-- a role without the permission gets 'denied', audited and committed
-- before the caller can learn it.  Order: session, permission, step-up,
-- arguments, the change.
-- ===========================================================================

-- The denial of a write: its audit row (no argument is trusted into it
-- beyond a count and a target when there is exactly one), then the answer.
DROP FUNCTION IF EXISTS lumen.leads_denied(sessions, text, bigint[]);
CREATE FUNCTION lumen.leads_denied(s sessions, p_kind text, p_ids bigint[]) RETURNS text
LANGUAGE plpgsql SET search_path = lumen, ext, pg_temp
AS $$
BEGIN
  PERFORM audit_append(s.practice_id, p_kind, 'denied', p_actor_id => s.account_id,
                       p_actor_email => (SELECT a.email::text FROM accounts a WHERE a.id = s.account_id),
                       p_session_id => s.id,
                       p_target_type => CASE WHEN cardinality(p_ids) = 1 THEN 'lead' END,
                       p_target_id => CASE WHEN cardinality(p_ids) = 1 THEN p_ids[1]::text END,
                       p_reported_origin => s.reported_origin,
                       p_detail => jsonb_build_object('leads', coalesce(cardinality(p_ids), 0)));
  RETURN attempt_record(p_kind, 'denied', s.account_id, s.id, p_affected => 0);
END
$$;

DROP FUNCTION IF EXISTS lumen.leads_ids_check(bigint[]);
CREATE FUNCTION lumen.leads_ids_check(p_ids bigint[]) RETURNS void
LANGUAGE plpgsql IMMUTABLE SET search_path = lumen, ext, pg_temp
AS $$
BEGIN
  IF p_ids IS NULL OR cardinality(p_ids) NOT BETWEEN 1 AND 1000 OR array_position(p_ids, NULL) IS NOT NULL THEN
    PERFORM fail('LMV01', 'ids: 1 to 1000 lead ids');
  END IF;
END
$$;

-- One lead.update audit row per lead changed, with before and after.
DROP FUNCTION IF EXISTS lumen.leads_audit_update(sessions, bigint, jsonb, jsonb);
CREATE FUNCTION lumen.leads_audit_update(s sessions, p_lead bigint, p_before jsonb, p_after jsonb)
RETURNS void
LANGUAGE sql SET search_path = lumen, ext, pg_temp
AS $$
  SELECT audit_append(s.practice_id, 'lead.update', 'success', p_actor_id => s.account_id,
                      p_actor_email => (SELECT a.email::text FROM accounts a WHERE a.id = s.account_id),
                      p_session_id => s.id, p_target_type => 'lead', p_target_id => p_lead::text,
                      p_reported_origin => s.reported_origin,
                      p_detail => jsonb_build_object('before', p_before, 'after', p_after));
$$;

DROP FUNCTION IF EXISTS api.leads_set_status(text, bigint[], text);
CREATE FUNCTION api.leads_set_status(p_token text, p_ids bigint[], p_status text) RETURNS text
LANGUAGE plpgsql SECURITY DEFINER SET search_path = lumen, ext, pg_temp SET lock_timeout = '1s'
AS $$
DECLARE
  s sessions;
  r record;
  v_found integer := 0;
  v_changed integer := 0;
BEGIN
  s := session_check(p_token, 'practice');
  IF role_if_permitted(s, 'lead.update') IS NULL THEN
    RETURN leads_denied(s, 'lead.update', p_ids);
  END IF;
  PERFORM leads_ids_check(p_ids);
  IF p_status IS NULL OR p_status NOT IN ('new', 'contacted', 'booked', 'not_interested', 'spam') THEN
    PERFORM fail('LMV01', format('status: unknown status "%s" (new, contacted, booked, not_interested, spam)',
                                 left(coalesce(p_status, ''), 40)));
  END IF;
  -- In id order, so two batches over the same leads lock them in one order.
  FOR r IN SELECT l.id, l.status FROM leads l
           WHERE l.practice_id = s.practice_id AND l.id = ANY (p_ids)
           ORDER BY l.id FOR UPDATE LOOP
    v_found := v_found + 1;
    CONTINUE WHEN r.status = p_status;
    UPDATE leads l SET status = p_status, updated_at = now(),
           first_response_at = CASE WHEN l.first_response_at IS NULL AND p_status <> 'new'
                                    THEN now() ELSE l.first_response_at END
    WHERE l.id = r.id;
    PERFORM leads_audit_update(s, r.id, jsonb_build_object('status', r.status),
                               jsonb_build_object('status', p_status));
    v_changed := v_changed + 1;
  END LOOP;
  RETURN attempt_record('lead.update', CASE WHEN v_found = 0 THEN 'not_found' ELSE 'ok' END,
                        s.account_id, s.id, p_affected => v_changed);
END
$$;

DROP FUNCTION IF EXISTS api.leads_assign(text, bigint[], uuid);
CREATE FUNCTION api.leads_assign(p_token text, p_ids bigint[], p_account uuid) RETURNS text
LANGUAGE plpgsql SECURITY DEFINER SET search_path = lumen, ext, pg_temp SET lock_timeout = '1s'
AS $$
DECLARE
  s sessions;
  r record;
  v_found integer := 0;
  v_changed integer := 0;
BEGIN
  s := session_check(p_token, 'practice');
  IF role_if_permitted(s, 'lead.update') IS NULL THEN
    RETURN leads_denied(s, 'lead.update', p_ids);
  END IF;
  PERFORM leads_ids_check(p_ids);
  IF p_account IS NOT NULL AND NOT EXISTS (SELECT 1 FROM memberships m
                                           WHERE m.practice_id = s.practice_id AND m.account_id = p_account) THEN
    PERFORM fail('LMV01', 'account: not a member of this practice');
  END IF;
  FOR r IN SELECT l.id, l.assigned_to FROM leads l
           WHERE l.practice_id = s.practice_id AND l.id = ANY (p_ids)
           ORDER BY l.id FOR UPDATE LOOP
    v_found := v_found + 1;
    CONTINUE WHEN r.assigned_to IS NOT DISTINCT FROM p_account;
    UPDATE leads l SET assigned_to = p_account, updated_at = now() WHERE l.id = r.id;
    PERFORM leads_audit_update(s, r.id, jsonb_build_object('assigned_to', r.assigned_to),
                               jsonb_build_object('assigned_to', p_account));
    v_changed := v_changed + 1;
  END LOOP;
  RETURN attempt_record('lead.update', CASE WHEN v_found = 0 THEN 'not_found' ELSE 'ok' END,
                        s.account_id, s.id, p_affected => v_changed);
END
$$;

-- A note: 1 to 4000 characters after trimming; audited with its length,
-- never its text.  The first note counts as the first response.
DROP FUNCTION IF EXISTS api.lead_note(text, bigint, text);
CREATE FUNCTION api.lead_note(p_token text, p_lead_id bigint, p_body text) RETURNS text
LANGUAGE plpgsql SECURITY DEFINER SET search_path = lumen, ext, pg_temp SET lock_timeout = '1s'
AS $$
DECLARE
  s sessions;
  v_body text := btrim(p_body, E' \t\r\n');
BEGIN
  s := session_check(p_token, 'practice');
  IF role_if_permitted(s, 'lead.update') IS NULL THEN
    RETURN leads_denied(s, 'lead.note', ARRAY[p_lead_id]);
  END IF;
  IF v_body IS NULL OR length(v_body) NOT BETWEEN 1 AND 4000 THEN
    PERFORM fail('LMV01', 'body: 1 to 4000 characters');
  END IF;
  IF p_lead_id IS NULL THEN
    PERFORM fail('LMV01', 'lead_id: missing');
  END IF;
  UPDATE leads l SET updated_at = now(), first_response_at = coalesce(l.first_response_at, now())
  WHERE l.practice_id = s.practice_id AND l.id = p_lead_id;
  IF NOT FOUND THEN
    RETURN attempt_record('lead.note', 'not_found', s.account_id, s.id, p_affected => 0);
  END IF;
  INSERT INTO lead_notes (practice_id, lead_id, author_id, body)
  VALUES (s.practice_id, p_lead_id, s.account_id, v_body);
  PERFORM audit_append(s.practice_id, 'lead.note', 'success', p_actor_id => s.account_id,
                       p_actor_email => (SELECT a.email::text FROM accounts a WHERE a.id = s.account_id),
                       p_session_id => s.id, p_target_type => 'lead', p_target_id => p_lead_id::text,
                       p_reported_origin => s.reported_origin,
                       p_detail => jsonb_build_object('length', length(v_body)));
  RETURN attempt_record('lead.note', 'ok', s.account_id, s.id, p_affected => 1);
END
$$;

-- A visitor's deletion request: the lead, its transcript and notes go;
-- the audit row keeps its id, who asked and why, nothing personal.
DROP FUNCTION IF EXISTS api.lead_delete(text, bigint, text);
CREATE FUNCTION api.lead_delete(p_token text, p_lead_id bigint, p_reason text) RETURNS text
LANGUAGE plpgsql SECURITY DEFINER SET search_path = lumen, ext, pg_temp SET lock_timeout = '1s'
AS $$
DECLARE
  s sessions;
  v_reason text := coalesce(btrim(p_reason), '');
BEGIN
  s := session_check(p_token, 'practice');
  IF role_if_permitted(s, 'lead.delete') IS NULL THEN
    RETURN leads_denied(s, 'lead.delete', ARRAY[p_lead_id]);
  END IF;
  PERFORM require_step_up(s);
  IF length(v_reason) > 200 THEN
    PERFORM fail('LMV01', 'reason: at most 200 characters');
  END IF;
  IF p_lead_id IS NULL THEN
    PERFORM fail('LMV01', 'lead_id: missing');
  END IF;
  DELETE FROM leads l WHERE l.practice_id = s.practice_id AND l.id = p_lead_id;
  IF NOT FOUND THEN
    RETURN attempt_record('lead.delete', 'not_found', s.account_id, s.id, p_affected => 0);
  END IF;
  PERFORM audit_append(s.practice_id, 'lead.delete', 'success', p_actor_id => s.account_id,
                       p_actor_email => (SELECT a.email::text FROM accounts a WHERE a.id = s.account_id),
                       p_session_id => s.id, p_target_type => 'lead', p_target_id => p_lead_id::text,
                       p_reported_origin => s.reported_origin,
                       p_detail => jsonb_build_object('reason', v_reason));
  RETURN attempt_record('lead.delete', 'ok', s.account_id, s.id, p_affected => 1);
END
$$;

-- ===========================================================================
-- Export: an audited read like the list (open, then rows with the grant),
-- with the row count in its audit row.  Needs lead.export (LMP01) and a
-- step-up (LMU01).  The rows are the leads of the filter that existed when
-- it was opened (ids up to the newest then), durations taken from then.
-- ===========================================================================
DROP FUNCTION IF EXISTS lumen.leads_export_sql(text, integer);
CREATE FUNCTION lumen.leads_export_sql(p_w text, p_nstatus integer) RETURNS text
LANGUAGE sql IMMUTABLE SET search_path = lumen, ext, pg_temp
AS $$
  -- $1..$10 as lumen.leads_filter; $11 with transcript, $12 the practice's
  -- zone, $13 after id, $14 limit (NULL: all), $15 the newest id at open
  SELECT format('SELECT l.id, l.captured_at, l.status, l.name, l.phone, l.email, l.service, '
                'l.page_url, a.display_name, l.first_response_at, '
                'CASE WHEN $11 THEN (SELECT string_agg(to_char(m.at AT TIME ZONE $12, ''YYYY-MM-DD HH24:MI'') '
                '|| '' '' || m.sender || '': '' || m.body, E''\n'' ORDER BY m.seq) FROM lumen.lead_messages m '
                'WHERE m.practice_id = $1 AND m.lead_id = l.id) END '
                'FROM lumen.leads l LEFT JOIN lumen.accounts a ON a.id = l.assigned_to '
                'WHERE l.practice_id = $1 AND l.id > $13 AND l.id <= $15 AND %s%s '
                'ORDER BY l.id LIMIT $14',
                p_w, CASE WHEN p_nstatus > 0 THEN ' AND l.status = ANY ($2)' ELSE '' END)
$$;

DROP FUNCTION IF EXISTS api.leads_export_open(text, jsonb, boolean);
CREATE FUNCTION api.leads_export_open(p_token text, p_filter jsonb, p_with_transcript boolean)
RETURNS TABLE ("grant" text, row_count bigint)
LANGUAGE plpgsql SECURITY DEFINER SET search_path = lumen, ext, pg_temp SET lock_timeout = '1s'
AS $$
#variable_conflict use_column
DECLARE
  s sessions;
  f record;
  v_filter jsonb := coalesce(p_filter, '{}');
  v_max bigint;
  v_n bigint := 0;
BEGIN
  s := session_check(p_token, 'practice');
  PERFORM require_permission(s, 'lead.export');
  PERFORM require_step_up(s);
  SELECT * INTO f FROM leads_filter(v_filter, s.account_id,
                                    (SELECT p.timezone FROM practices p WHERE p.id = s.practice_id), now());
  SELECT max(l.id) INTO v_max FROM leads l WHERE l.practice_id = s.practice_id;
  IF v_max IS NOT NULL AND (f.statuses IS NULL OR cardinality(f.statuses) > 0) THEN
    EXECUTE format('SELECT count(*) FROM lumen.leads l WHERE l.practice_id = $1 AND l.id <= $15 AND %s%s',
                   f.w, CASE WHEN f.statuses IS NOT NULL THEN ' AND l.status = ANY ($2)' ELSE '' END)
      INTO v_n
      USING s.practice_id, f.statuses, f.assigned, f.not_assigned, f.service_like,
            f.not_service_like, f.since_at, f.before_at, f.untouched_before, f.q_like,
            NULL::boolean, NULL::text, NULL::bigint, NULL::integer, v_max;
  END IF;
  PERFORM audit_append(s.practice_id, 'lead.export', 'success', p_actor_id => s.account_id,
                       p_actor_email => (SELECT a.email::text FROM accounts a WHERE a.id = s.account_id),
                       p_session_id => s.id, p_reported_origin => s.reported_origin,
                       p_detail => jsonb_build_object('filter', v_filter, 'rows', v_n,
                                                      'with_transcript', coalesce(p_with_transcript, false)));
  RETURN QUERY SELECT grant_new(s, 'lead.export',
                                jsonb_build_object('filter', v_filter, 'max_id', coalesce(v_max, 0),
                                                   'with_transcript', coalesce(p_with_transcript, false),
                                                   'at', now())),
                      v_n;
END
$$;

DROP FUNCTION IF EXISTS api.leads_export_rows(text, text, bigint, integer);
CREATE FUNCTION api.leads_export_rows(p_token text, p_grant text, p_after_id bigint, p_limit integer)
RETURNS TABLE (id bigint, captured_at timestamptz, status text, name text, phone text,
               email text, service text, page_url text, assigned_name text,
               first_response_at timestamptz, transcript text)
LANGUAGE plpgsql SECURITY DEFINER SET search_path = lumen, ext, pg_temp SET lock_timeout = '1s'
AS $$
#variable_conflict use_column
DECLARE
  s sessions;
  g read_grants;
  f record;
  v_tz text;
BEGIN
  -- On a standby: read_check (018_replica.sql).
  s := read_check(p_token, p_grant, 'lead.export', 'lead.export');
  PERFORM require_permission(s, 'lead.export');
  g := grant_open(s, p_grant, 'lead.export');
  IF p_limit IS NOT NULL AND p_limit NOT BETWEEN 1 AND 100000 THEN
    PERFORM fail('LMV01', 'limit: must be 1 to 100000, or NULL for all');
  END IF;
  SELECT p.timezone INTO v_tz FROM practices p WHERE p.id = s.practice_id;
  SELECT * INTO f FROM leads_filter(g.subject -> 'filter', s.account_id, v_tz,
                                    (g.subject ->> 'at')::timestamptz);
  IF f.statuses IS NOT NULL AND cardinality(f.statuses) = 0 THEN
    RETURN;
  END IF;
  RETURN QUERY EXECUTE leads_export_sql(f.w, coalesce(cardinality(f.statuses), 0))
    USING s.practice_id, f.statuses, f.assigned, f.not_assigned, f.service_like,
          f.not_service_like, f.since_at, f.before_at, f.untouched_before, f.q_like,
          (g.subject ->> 'with_transcript')::boolean, v_tz, coalesce(p_after_id, 0), p_limit,
          (g.subject ->> 'max_id')::bigint;
END
$$;

-- ===========================================================================
-- Ingest keys.  The Owner rotates (practice.settings, step-up): every key
-- of the practice is revoked and the new one is answered, once.
-- ===========================================================================
DROP FUNCTION IF EXISTS api.ingest_key_rotate(text);
CREATE FUNCTION api.ingest_key_rotate(p_token text) RETURNS text
LANGUAGE plpgsql SECURITY DEFINER SET search_path = lumen, ext, pg_temp SET lock_timeout = '1s'
AS $$
DECLARE
  s sessions;
  v_key text;
BEGIN
  s := session_check(p_token, 'practice');
  PERFORM require_permission(s, 'practice.settings');
  PERFORM require_step_up(s);
  UPDATE ingest_keys k SET revoked_at = now()
  WHERE k.practice_id = s.practice_id AND k.revoked_at IS NULL;
  v_key := ingest_key_new(s.practice_id);
  PERFORM audit_append(s.practice_id, 'practice.settings', 'success', p_actor_id => s.account_id,
                       p_actor_email => (SELECT a.email::text FROM accounts a WHERE a.id = s.account_id),
                       p_session_id => s.id, p_target_type => 'practice',
                       p_target_id => s.practice_id::text, p_reported_origin => s.reported_origin,
                       p_detail => '{"ingest_key": "rotated"}');
  RETURN v_key;
END
$$;

-- ===========================================================================
-- ingest.lead_capture(key, lead) -> lead id: the chatbot's one way in.
-- The key decides the practice; the lead, its transcript and the wake-up of
-- open inboxes (NOTIFY at commit) are one transaction.  Every field is
-- checked for type and length, and an error names it.  Runs as
-- lumen_owner; only lumen_ingest may call it.
-- ===========================================================================

-- A string field of an object, or NULL when absent or JSON null.
DROP FUNCTION IF EXISTS lumen.ingest_text(jsonb, text, integer, text);
CREATE FUNCTION lumen.ingest_text(p_obj jsonb, p_field text, p_max integer, p_path text)
RETURNS text
LANGUAGE plpgsql IMMUTABLE SET search_path = lumen, ext, pg_temp
AS $$
DECLARE
  v jsonb := p_obj -> p_field;
BEGIN
  IF v IS NULL OR jsonb_typeof(v) = 'null' THEN
    RETURN NULL;
  END IF;
  IF jsonb_typeof(v) <> 'string' THEN
    PERFORM fail('LMV01', format('%s: must be a string', p_path));
  END IF;
  IF length(v #>> '{}') > p_max THEN
    PERFORM fail('LMV01', format('%s: at most %s characters', p_path, p_max));
  END IF;
  RETURN v #>> '{}';
END
$$;

-- An ISO 8601 time ("2026-11-30T12:00:00Z", "...+01:00"; without an offset
-- it is UTC), never one of PostgreSQL's words (now, epoch, infinity).
DROP FUNCTION IF EXISTS lumen.ingest_time(jsonb, text, text);
CREATE FUNCTION lumen.ingest_time(p_obj jsonb, p_field text, p_path text) RETURNS timestamptz
LANGUAGE plpgsql STABLE SET search_path = lumen, ext, pg_temp
AS $$
DECLARE
  v text := ingest_text(p_obj, p_field, 40, p_path);
BEGIN
  IF v IS NULL THEN
    RETURN NULL;
  END IF;
  IF v !~ '^[0-9]{4}-[0-9]{2}-[0-9]{2}([T ][0-9]{2}:[0-9]{2}(:[0-9]{2}(\.[0-9]{1,6})?)?)?(Z|z|[+-][0-9]{2}(:?[0-9]{2})?)?$' THEN
    PERFORM fail('LMV01', format('%s: not an ISO 8601 time', p_path));
  END IF;
  BEGIN
    RETURN CASE WHEN v ~ '(Z|z|[+-][0-9]{2}(:?[0-9]{2})?)$' AND v ~ 'T|:' THEN v::timestamptz
                ELSE v::timestamp AT TIME ZONE 'UTC' END;
  EXCEPTION WHEN datetime_field_overflow OR invalid_datetime_format THEN
    PERFORM fail('LMV01', format('%s: not an ISO 8601 time', p_path));
  END;
  RETURN NULL;                           -- not reached: fail raises
END
$$;

DROP FUNCTION IF EXISTS ingest.lead_capture(text, jsonb);
CREATE FUNCTION ingest.lead_capture(p_key text, p_lead jsonb) RETURNS bigint
LANGUAGE plpgsql SECURITY DEFINER SET search_path = lumen, ext, pg_temp SET lock_timeout = '1s'
AS $$
DECLARE
  v_practice uuid;
  k text;
  v_at timestamptz;
  v_id bigint;
  e jsonb;
  i integer := 0;
  v_from text;
  v_msg_at timestamptz;
  v_service text;
  v_name text;
BEGIN
  PERFORM context_clear();
  IF p_key IS NULL OR p_key !~ '^lik_[0-9a-f]{64}$' THEN
    PERFORM fail('LMP01', 'unknown ingest key');
  END IF;
  PERFORM set_config('lumen.ingest_key_hash',
                     encode(digest(decode(substr(p_key, 5), 'hex'), 'sha256'), 'hex'), true);
  SELECT k2.practice_id INTO v_practice FROM ingest_keys k2
  WHERE k2.key_hash = digest(decode(substr(p_key, 5), 'hex'), 'sha256') AND k2.revoked_at IS NULL;
  PERFORM set_config('lumen.ingest_key_hash', '', true);
  IF v_practice IS NULL THEN
    PERFORM fail('LMP01', 'unknown ingest key');
  END IF;
  PERFORM context_set(NULL, v_practice);
  -- A closed practice (013) takes no more leads: it is on its way out.
  IF EXISTS (SELECT 1 FROM practices p WHERE p.id = v_practice AND p.closed_at IS NOT NULL) THEN
    PERFORM fail('LMS08', 'practice closed');
  END IF;

  IF p_lead IS NULL OR jsonb_typeof(p_lead) <> 'object' THEN
    PERFORM fail('LMV01', 'lead: must be a JSON object');
  END IF;
  FOR k IN SELECT jsonb_object_keys(p_lead) LOOP
    IF k NOT IN ('visitor_id', 'name', 'phone', 'email', 'service', 'page_url', 'captured_at',
                 'transcript') THEN
      PERFORM fail('LMV01', format('lead.%s: unknown field', left(k, 40)));
    END IF;
  END LOOP;
  v_at := coalesce(ingest_time(p_lead, 'captured_at', 'lead.captured_at'), now());
  IF v_at > now() + interval '5 minutes' THEN
    PERFORM fail('LMV01', 'lead.captured_at: in the future');
  END IF;
  IF p_lead ? 'transcript' AND jsonb_typeof(p_lead -> 'transcript') <> 'null' THEN
    IF jsonb_typeof(p_lead -> 'transcript') <> 'array' THEN
      PERFORM fail('LMV01', 'lead.transcript: must be an array');
    END IF;
    IF jsonb_array_length(p_lead -> 'transcript') > 500 THEN
      PERFORM fail('LMV01', 'lead.transcript: at most 500 messages');
    END IF;
  END IF;

  INSERT INTO leads (practice_id, visitor_id, name, phone, email, service, page_url, captured_at)
  VALUES (v_practice,
          ingest_text(p_lead, 'visitor_id', 100, 'lead.visitor_id'),
          ingest_text(p_lead, 'name', 200, 'lead.name'),
          ingest_text(p_lead, 'phone', 50, 'lead.phone'),
          ingest_text(p_lead, 'email', 254, 'lead.email'),
          ingest_text(p_lead, 'service', 200, 'lead.service'),
          ingest_text(p_lead, 'page_url', 2048, 'lead.page_url'),
          v_at)
  RETURNING id, name, service INTO v_id, v_name, v_service;

  IF jsonb_typeof(p_lead -> 'transcript') = 'array' THEN
    FOR e IN SELECT x FROM jsonb_array_elements(p_lead -> 'transcript') x LOOP
      k := format('lead.transcript[%s]', i);
      IF jsonb_typeof(e) <> 'object' THEN
        PERFORM fail('LMV01', k || ': must be an object');
      END IF;
      IF EXISTS (SELECT 1 FROM jsonb_object_keys(e) x WHERE x NOT IN ('from', 'at', 'text')) THEN
        PERFORM fail('LMV01', format('%s.%s: unknown field', k,
          left((SELECT x FROM jsonb_object_keys(e) x WHERE x NOT IN ('from', 'at', 'text') LIMIT 1), 40)));
      END IF;
      v_from := ingest_text(e, 'from', 10, k || '.from');
      IF v_from IS NULL OR v_from NOT IN ('visitor', 'bot') THEN
        PERFORM fail('LMV01', k || '.from: must be "visitor" or "bot"');
      END IF;
      IF ingest_text(e, 'text', 20000, k || '.text') IS NULL THEN
        PERFORM fail('LMV01', k || '.text: missing');
      END IF;
      v_msg_at := coalesce(ingest_time(e, 'at', k || '.at'), v_at);
      i := i + 1;
      INSERT INTO lead_messages (practice_id, lead_id, seq, sender, at, body)
      VALUES (v_practice, v_id, i, v_from, v_msg_at, e ->> 'text');
    END LOOP;
  END IF;

  -- The lead alert (issue 11, db/api/90_notify.sql): to the practice's
  -- email recipients and webhooks, in this transaction; for a healthcare
  -- practice a count, the service and a link only.
  PERFORM notify_lead_new(v_practice, v_id, v_service, v_name);
  PERFORM pg_notify(leads_channel(v_practice), '');
  RETURN v_id;
END
$$;
-- Only the chatbot's role (default privileges of 009 say so too; said
-- again here because this file drops and re-creates the function).
REVOKE ALL ON FUNCTION ingest.lead_capture(text, jsonb) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION ingest.lead_capture(text, jsonb) TO lumen_ingest;
