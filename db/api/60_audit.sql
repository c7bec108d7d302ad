-- The audit log viewer: api.audit_range, audit_open / audit_page /
-- audit_row / audit_days, audit_export_open / audit_export_rows.
-- Repeatable, as 10_session.sql (see its head).  The read grant kinds and
-- the indexes are in migration 010; the grant, step-up and session helpers
-- in 009.  The contract agreed with the client and the screens:
-- /work/spec-audit.md; reference: db/API.md, "The audit log viewer".
--
-- As in 50_leads.sql, the filter and the query builders are lumen.*
-- helpers defined here, and every user value reaches a query as a
-- parameter (EXECUTE ... USING); the query text is put together only from
-- fixed fragments chosen by validated keys.
SET LOCAL ROLE lumen_owner;
SET LOCAL search_path = lumen, ext, pg_temp;

-- ===========================================================================
-- Time.
-- ===========================================================================

-- A time as the keys and the audit rows' detail write it: UTC, six
-- fraction digits ("2026-11-30T12:00:00.123456Z"), whatever the session's
-- TimeZone.
DROP FUNCTION IF EXISTS lumen.audit_ts(timestamptz);
CREATE FUNCTION lumen.audit_ts(p timestamptz) RETURNS text
LANGUAGE sql STABLE SET search_path = lumen, ext, pg_temp
AS $$ SELECT to_char(p AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') $$;

-- A preset's range at the instant p_now in the zone p_tz: [from_at, to_at)
-- and its first and last calendar day there.  A day is [its midnight, the
-- next midnight) in the zone, so it lasts 23 or 25 hours on the days the
-- clocks change.  "today" is the day p_now falls on in the zone; last7 and
-- last30 end with today, this_month runs from the 1st to today.  custom is
-- p_from .. p_to, both days included, at most 400 days.  api.audit_range
-- calls it with now(); tests call it with a fixed instant.
DROP FUNCTION IF EXISTS lumen.audit_range_at(timestamptz, text, text, date, date);
CREATE FUNCTION lumen.audit_range_at(p_now timestamptz, p_tz text, p_preset text,
                                     p_from date DEFAULT NULL, p_to date DEFAULT NULL)
RETURNS TABLE (from_at timestamptz, to_at timestamptz, first_day date, last_day date,
               timezone text)
LANGUAGE plpgsql STABLE SET search_path = lumen, ext, pg_temp
AS $$
#variable_conflict use_column
DECLARE
  v_today date;
  v_month date;
  v_first date;
  v_last date;
BEGIN
  IF p_now IS NULL OR NOT isfinite(p_now) OR p_tz IS NULL THEN
    RAISE EXCEPTION 'audit_range_at: no instant or zone';
  END IF;
  v_today := (p_now AT TIME ZONE p_tz)::date;
  v_month := make_date(date_part('year', v_today)::integer, date_part('month', v_today)::integer, 1);
  CASE coalesce(p_preset, '')
    WHEN 'today' THEN
      v_first := v_today; v_last := v_today;
    WHEN 'yesterday' THEN
      v_first := v_today - 1; v_last := v_today - 1;
    WHEN 'last7' THEN
      v_first := v_today - 6; v_last := v_today;
    WHEN 'last30' THEN
      v_first := v_today - 29; v_last := v_today;
    WHEN 'this_month' THEN
      v_first := v_month; v_last := v_today;
    WHEN 'last_month' THEN
      v_last := v_month - 1;
      v_first := make_date(date_part('year', v_last)::integer, date_part('month', v_last)::integer, 1);
    WHEN 'custom' THEN
      IF p_from IS NULL THEN
        PERFORM fail('LMV01', 'from: missing (a custom range needs its first and last day)');
      END IF;
      IF p_to IS NULL THEN
        PERFORM fail('LMV01', 'to: missing (a custom range needs its first and last day)');
      END IF;
      IF NOT isfinite(p_from) THEN
        PERFORM fail('LMV01', 'from: not a calendar day');
      END IF;
      IF NOT isfinite(p_to) THEN
        PERFORM fail('LMV01', 'to: not a calendar day');
      END IF;
      IF p_to < p_from THEN
        PERFORM fail('LMV01', format('to: %s is before from (%s)', p_to, p_from));
      END IF;
      IF p_to - p_from + 1 > 400 THEN
        PERFORM fail('LMV01', format('range: %s days; at most 400', p_to - p_from + 1));
      END IF;
      v_first := p_from; v_last := p_to;
    ELSE
      PERFORM fail('LMV01', 'preset: must be today, yesterday, last7, last30, this_month, '
                            'last_month or custom');
  END CASE;
  RETURN QUERY SELECT v_first::timestamp AT TIME ZONE p_tz, (v_last + 1)::timestamp AT TIME ZONE p_tz,
                      v_first, v_last, p_tz;
END
$$;

-- A range given as instants (audit_open, audit_export_open): both present
-- and finite, from before to, at most 400 days (401 x 24 hours, which a
-- range of 400 calendar days is in any zone).
DROP FUNCTION IF EXISTS lumen.audit_check_range(timestamptz, timestamptz);
CREATE FUNCTION lumen.audit_check_range(p_from timestamptz, p_to timestamptz) RETURNS void
LANGUAGE plpgsql STABLE SET search_path = lumen, ext, pg_temp
AS $$
BEGIN
  IF p_from IS NULL THEN
    PERFORM fail('LMV01', 'from: missing');
  END IF;
  IF p_to IS NULL THEN
    PERFORM fail('LMV01', 'to: missing');
  END IF;
  IF NOT isfinite(p_from) THEN
    PERFORM fail('LMV01', 'from: not a finite time');
  END IF;
  IF NOT isfinite(p_to) THEN
    PERFORM fail('LMV01', 'to: not a finite time');
  END IF;
  IF p_to <= p_from THEN
    PERFORM fail('LMV01', 'to: must be after from');
  END IF;
  IF extract(epoch FROM p_to - p_from) > 401 * 86400 THEN
    PERFORM fail('LMV01', 'range: at most 400 days');
  END IF;
END
$$;

-- ===========================================================================
-- The filter (one shape for the viewer, its export and `lumen audit
-- export`).
-- ===========================================================================

-- An ILIKE pattern that matches p as a substring: % _ and \ in p match
-- themselves.
DROP FUNCTION IF EXISTS lumen.audit_like(text);
CREATE FUNCTION lumen.audit_like(p text) RETURNS text
LANGUAGE sql IMMUTABLE SET search_path = lumen, ext, pg_temp
AS $$ SELECT '%' || regexp_replace(p, '([\\%_])', '\\\1', 'g') || '%' $$;

-- The distinct actor emails of a practice's log that an ILIKE pattern
-- matches, sorted.  One probe of audit_log_actor_email per distinct email
-- (a skip scan), whatever the number of rows.
DROP FUNCTION IF EXISTS lumen.audit_actor_emails(uuid, text);
CREATE FUNCTION lumen.audit_actor_emails(p_practice uuid, p_like text) RETURNS text[]
LANGUAGE sql STABLE SET search_path = lumen, ext, pg_temp
AS $$
  WITH RECURSIVE e(email) AS (
    (SELECT a.actor_email FROM audit.audit_log a
      WHERE a.practice_id = p_practice AND a.actor_email IS NOT NULL
      ORDER BY a.actor_email LIMIT 1)
    UNION ALL
    SELECT (SELECT a.actor_email FROM audit.audit_log a
             WHERE a.practice_id = p_practice AND a.actor_email > e.email
             ORDER BY a.actor_email LIMIT 1)
    FROM e WHERE e.email IS NOT NULL
  )
  SELECT coalesce(array_agg(e.email ORDER BY e.email), '{}') FROM e
  WHERE e.email IS NOT NULL AND e.email ILIKE p_like
$$;

-- The distinct actions of a practice's log that start with p_prefix
-- ("login."), sorted: a skip scan of audit_log_action (text_pattern_ops,
-- hence its operators).
DROP FUNCTION IF EXISTS lumen.audit_prefix_actions(uuid, text);
CREATE FUNCTION lumen.audit_prefix_actions(p_practice uuid, p_prefix text) RETURNS text[]
LANGUAGE sql STABLE SET search_path = lumen, ext, pg_temp
AS $$
  WITH RECURSIVE e(action) AS (
    (SELECT a.action FROM audit.audit_log a
      WHERE a.practice_id = p_practice AND a.action ~>=~ p_prefix
      ORDER BY a.action USING ~<~ LIMIT 1)
    UNION ALL
    SELECT (SELECT a.action FROM audit.audit_log a
             WHERE a.practice_id = p_practice AND a.action ~>~ e.action
             ORDER BY a.action USING ~<~ LIMIT 1)
    FROM e WHERE starts_with(e.action, p_prefix)
  )
  SELECT coalesce(array_agg(e.action ORDER BY e.action), '{}') FROM e
  WHERE starts_with(e.action, p_prefix)
$$;

-- An outcome list: an array of known outcomes (a lone string is one); an
-- empty array is no restriction (NULL).
DROP FUNCTION IF EXISTS lumen.audit_outcomes(jsonb, text);
CREATE FUNCTION lumen.audit_outcomes(p_value jsonb, p_field text) RETURNS text[]
LANGUAGE plpgsql IMMUTABLE SET search_path = lumen, ext, pg_temp
AS $$
DECLARE
  v jsonb := CASE WHEN jsonb_typeof(p_value) = 'string' THEN jsonb_build_array(p_value) ELSE p_value END;
  e jsonb;
  r text[] := '{}'::text[];
BEGIN
  IF jsonb_typeof(v) IS DISTINCT FROM 'array' OR jsonb_array_length(v) > 3 THEN
    PERFORM fail('LMV01', format('filter.%s: must be a list of up to 3 outcomes '
                                 '(success, denied, failure)', p_field));
  END IF;
  FOR e IN SELECT x FROM jsonb_array_elements(v) x LOOP
    IF jsonb_typeof(e) IS DISTINCT FROM 'string'
       OR (e #>> '{}') NOT IN ('success', 'denied', 'failure') THEN
      PERFORM fail('LMV01', format('filter.%s: unknown outcome %s (success, denied, failure)',
                                   p_field, left(e::text, 40)));
    END IF;
    IF NOT (e #>> '{}') = ANY (r) THEN
      r := r || (e #>> '{}');
    END IF;
  END LOOP;
  RETURN CASE WHEN cardinality(r) = 0 THEN NULL ELSE r END;
END
$$;

-- A string value of the filter, trimmed; NULL when empty.
DROP FUNCTION IF EXISTS lumen.audit_filter_text(jsonb, text, integer);
CREATE FUNCTION lumen.audit_filter_text(p_value jsonb, p_field text, p_max integer) RETURNS text
LANGUAGE plpgsql IMMUTABLE SET search_path = lumen, ext, pg_temp
AS $$
DECLARE
  v text;
BEGIN
  IF jsonb_typeof(p_value) IS DISTINCT FROM 'string' THEN
    PERFORM fail('LMV01', format('filter.%s: must be a string', p_field));
  END IF;
  v := btrim(p_value #>> '{}');
  IF length(v) > p_max THEN
    PERFORM fail('LMV01', format('filter.%s: at most %s characters', p_field, p_max));
  END IF;
  RETURN nullif(v, '');
END
$$;

-- Checks a filter and compiles it for the practice's log.  The conditions
-- are on audit.audit_log a, over the parameters
--   $4 actor_ids uuid[]   $5 actor_emails text[]  $6 actions text[]
--   $7 outcomes text[]    $8 not_actor_id uuid    $9 not_actor_like text
--   $10 not_action text   $11 not_action_prefix   $12 target_type
--   $13 target_id         $14 not_target_type     $15 not_target_id
--   $16 q_like
-- (the callers add $1 practice, $2 from, $3 to and their own from $17).
-- w is every condition AND-joined ('true' for none).  A filter of a set
-- -- actor (an account id, or the emails an email substring matches),
-- action (exact, or the actions of a prefix), outcome -- may be split:
-- split names the set whose values get one index walk each
-- (audit_page_sql), nsplit how many, and w_split is w without that set's
-- condition.  no_rows: a set came out empty, so no row can match.
-- An unknown key or a bad value: LMV01 naming it.
DROP FUNCTION IF EXISTS lumen.audit_filter(jsonb, uuid);
CREATE FUNCTION lumen.audit_filter(p_filter jsonb, p_practice uuid,
  OUT w text, OUT w_split text, OUT split text, OUT nsplit integer, OUT no_rows boolean,
  OUT actor_ids uuid[], OUT actor_emails text[], OUT actions text[], OUT outcomes text[],
  OUT not_actor_id uuid, OUT not_actor_like text, OUT not_action text,
  OUT not_action_prefix text, OUT target_type text, OUT target_id text,
  OUT not_target_type text, OUT not_target_id text, OUT q_like text)
LANGUAGE plpgsql STABLE SET search_path = lumen, ext, pg_temp
AS $$
DECLARE
  f jsonb := coalesce(p_filter, '{}');
  k text;
  v text;
  m text[];
  c text[] := '{}'::text[];       -- conditions that are never split
  v_not text[];
  v_uuid text := '^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$';
  v_sets text[] := '{}'::text[];  -- the set conditions present, in split preference order
  v_dims text[] := '{}'::text[];
  v_sizes integer[] := '{}'::integer[];
BEGIN
  no_rows := false;
  nsplit := 0;
  IF jsonb_typeof(f) <> 'object' THEN
    PERFORM fail('LMV01', 'filter: must be a JSON object');
  END IF;
  FOR k IN SELECT jsonb_object_keys(f) LOOP
    IF k NOT IN ('actor', 'not_actor', 'action', 'not_action', 'outcome', 'not_outcome',
                 'target', 'not_target', 'q') THEN
      PERFORM fail('LMV01', format('filter.%s: unknown key', left(k, 40)));
    END IF;
  END LOOP;

  -- actor: an account id, or a case-insensitive substring of the email
  IF f ? 'actor' THEN
    v := audit_filter_text(f -> 'actor', 'actor', 254);
    IF v ~ v_uuid THEN
      actor_ids := ARRAY[v::uuid];
    ELSIF v IS NOT NULL THEN
      actor_emails := audit_actor_emails(p_practice, audit_like(v));
    END IF;
  END IF;
  IF f ? 'not_actor' THEN
    v := audit_filter_text(f -> 'not_actor', 'not_actor', 254);
    IF v ~ v_uuid THEN
      not_actor_id := v::uuid;
      c := c || 'a.actor_id IS DISTINCT FROM $8'::text;
    ELSIF v IS NOT NULL THEN
      not_actor_like := audit_like(v);
      c := c || 'coalesce(a.actor_email, '''') NOT ILIKE $9'::text;
    END IF;
  END IF;

  -- action: exact ("login.success"), or a prefix ending in "." ("login.")
  FOREACH k IN ARRAY ARRAY['action', 'not_action'] LOOP
    CONTINUE WHEN NOT f ? k;
    v := lower(audit_filter_text(f -> k, k, 100));
    CONTINUE WHEN v IS NULL;
    IF v !~ '^[a-z_]+(\.[a-z_]*)?$' THEN
      PERFORM fail('LMV01', format('filter.%s: "%s" is not an action (login.success) '
                                   'or a prefix ending in "." (login.)', k, left(v, 40)));
    END IF;
    IF k = 'action' THEN
      actions := CASE WHEN right(v, 1) = '.' THEN audit_prefix_actions(p_practice, v) ELSE ARRAY[v] END;
    ELSIF right(v, 1) = '.' THEN
      not_action_prefix := v;
      c := c || 'NOT starts_with(a.action, $11)'::text;
    ELSE
      not_action := v;
      c := c || 'a.action <> $10'::text;
    END IF;
  END LOOP;

  IF f ? 'outcome' THEN
    outcomes := audit_outcomes(f -> 'outcome', 'outcome');
  END IF;
  IF f ? 'not_outcome' THEN
    v_not := audit_outcomes(f -> 'not_outcome', 'not_outcome');
    outcomes := ARRAY(SELECT x FROM unnest(coalesce(outcomes, ARRAY['success', 'denied', 'failure'])) x
                      WHERE NOT x = ANY (coalesce(v_not, '{}')));
  END IF;

  -- target: a type ("lead") or type:id ("lead:123")
  FOREACH k IN ARRAY ARRAY['target', 'not_target'] LOOP
    CONTINUE WHEN NOT f ? k;
    v := audit_filter_text(f -> k, k, 200);
    CONTINUE WHEN v IS NULL;
    m := regexp_match(v, '^([a-z_]+)(:(.+))?$');
    IF m IS NULL THEN
      PERFORM fail('LMV01', format('filter.%s: "%s" is not a target type or type:id '
                                   '(lead, lead:123)', k, left(v, 40)));
    END IF;
    IF k = 'target' THEN
      target_type := m[1];
      target_id := m[3];
      c := c || CASE WHEN m[3] IS NULL THEN 'a.target_type = $12'
                     ELSE 'a.target_type = $12 AND a.target_id = $13' END;
    ELSE
      not_target_type := m[1];
      not_target_id := m[3];
      c := c || CASE WHEN m[3] IS NULL THEN 'a.target_type IS DISTINCT FROM $14'
                     ELSE '(a.target_type IS DISTINCT FROM $14 OR a.target_id IS DISTINCT FROM $15)' END;
    END IF;
  END LOOP;

  IF f ? 'q' THEN
    v := audit_filter_text(f -> 'q', 'q', 200);
    IF v IS NOT NULL THEN
      q_like := audit_like(v);
      c := c || 'a.detail::text ILIKE $16'::text;
    END IF;
  END IF;

  -- The sets, in the order a split prefers them.
  IF actor_ids IS NOT NULL THEN
    v_sets := v_sets || 'a.actor_id = ANY ($4)'::text; v_dims := v_dims || 'actor_id'::text;
    v_sizes := v_sizes || cardinality(actor_ids);
  END IF;
  IF actor_emails IS NOT NULL THEN
    v_sets := v_sets || 'a.actor_email = ANY ($5)'::text; v_dims := v_dims || 'actor_email'::text;
    v_sizes := v_sizes || cardinality(actor_emails);
  END IF;
  IF actions IS NOT NULL THEN
    v_sets := v_sets || 'a.action = ANY ($6)'::text; v_dims := v_dims || 'action'::text;
    v_sizes := v_sizes || cardinality(actions);
  END IF;
  IF outcomes IS NOT NULL THEN
    v_sets := v_sets || 'a.outcome = ANY ($7)'::text; v_dims := v_dims || 'outcome'::text;
    v_sizes := v_sizes || cardinality(outcomes);
  END IF;
  no_rows := 0 = ANY (v_sizes);
  -- A target is selective and has an index of its own: no split then.
  -- Otherwise the first set of at most 50 values.
  IF target_type IS NULL THEN
    FOR i IN 1 .. coalesce(cardinality(v_dims), 0) LOOP
      IF v_sizes[i] BETWEEN 1 AND 50 THEN
        split := v_dims[i];
        nsplit := v_sizes[i];
        w_split := coalesce(nullif(array_to_string(c || v_sets[:i - 1] || v_sets[i + 1:], ' AND '), ''), 'true');
        EXIT;
      END IF;
    END LOOP;
  END IF;
  w := coalesce(nullif(array_to_string(c || v_sets, ' AND '), ''), 'true');
  IF split IS NULL THEN
    w_split := w;
  END IF;
END
$$;

-- ===========================================================================
-- The query texts.  Tests EXPLAIN them (tests/db/101_audit_paging.pg).
-- ===========================================================================

-- One page of the viewer: over audit_filter's parameters and
--   $1 practice  $2 from  $3 to  $17 key at  $18 key id  $19 limit
-- p_from first | last | after | before | at.  With a split, one branch per
-- value of the split set, each walking its index in order and stopping at
-- the limit, merged.  Rows come out in display order: at DESC, id DESC.
DROP FUNCTION IF EXISTS lumen.audit_page_sql(text, text, text, integer);
CREATE FUNCTION lumen.audit_page_sql(p_from text, p_w text, p_split text, p_nsplit integer)
RETURNS text
LANGUAGE plpgsql IMMUTABLE SET search_path = lumen, ext, pg_temp
AS $$
DECLARE
  v_rev boolean := p_from IN ('last', 'before');
  v_order text := CASE WHEN v_rev THEN '%1$s.at, %1$s.id' ELSE '%1$s.at DESC, %1$s.id DESC' END;
  v_key text := CASE p_from WHEN 'after' THEN ' AND (a.at, a.id) < ($17, $18)'
                            WHEN 'at' THEN ' AND (a.at, a.id) <= ($17, $18)'
                            WHEN 'before' THEN ' AND (a.at, a.id) > ($17, $18)'
                            ELSE '' END;
  v_col text := CASE p_split WHEN 'actor_id' THEN 'a.actor_id = ($4)'
                             WHEN 'actor_email' THEN 'a.actor_email = ($5)'
                             WHEN 'action' THEN 'a.action = ($6)'
                             WHEN 'outcome' THEN 'a.outcome = ($7)' END;
  v_sql text := '';
BEGIN
  IF p_nsplit > 0 AND v_col IS NULL THEN
    RAISE EXCEPTION 'audit_page_sql: unknown split %', p_split;
  END IF;
  FOR i IN 1 .. greatest(p_nsplit, 1) LOOP
    v_sql := v_sql || CASE WHEN i > 1 THEN ' UNION ALL ' ELSE '' END
      || format('(SELECT a.id, a.at, a.actor_email, a.action, a.target_type, a.target_id, '
                'a.outcome, a.reported_origin, a.server_addr FROM audit.audit_log a '
                'WHERE a.practice_id = $1 AND a.at >= $2 AND a.at < $3 AND %s%s%s ORDER BY %s LIMIT $19)',
                p_w, CASE WHEN p_nsplit > 0 THEN format(' AND %s[%s]', v_col, i) ELSE '' END,
                v_key, format(v_order, 'a'));
  END LOOP;
  -- The key is lumen.audit_ts(p.at) || '|' || p.id, with audit_ts's
  -- to_char written out: a call of audit_ts (SET search_path, so never
  -- inlined) is a function call of its own for each of the page's rows.
  RETURN format('SELECT to_char(p.at AT TIME ZONE ''UTC'', ''YYYY-MM-DD"T"HH24:MI:SS.US"Z"'') '
                '|| ''|'' || p.id, p.id, p.at, p.actor_email, p.action, '
                'p.target_type, p.target_id, p.outcome, p.reported_origin, '
                'CASE WHEN p.server_addr IS NOT NULL THEN format(''%%s'', p.server_addr) END '
                'FROM (SELECT * FROM (%s) u ORDER BY %s LIMIT $19) p ORDER BY p.at DESC, p.id DESC',
                v_sql, format(v_order, 'u'));
END
$$;

-- Events per calendar day of the zone $17, days $18 .. $19 (dates), each
-- counted over [its midnight, the next) within [$2, $3): a range count on
-- the index of the filter (index-only where the filter is on indexed
-- columns), one per day, with no time zone arithmetic per row.
DROP FUNCTION IF EXISTS lumen.audit_days_sql(text);
CREATE FUNCTION lumen.audit_days_sql(p_w text) RETURNS text
LANGUAGE sql IMMUTABLE SET search_path = lumen, ext, pg_temp
AS $$
  SELECT format('SELECT d.day, (SELECT count(*) FROM audit.audit_log a '
                'WHERE a.practice_id = $1 AND a.at >= greatest($2, d.lo) AND a.at < least($3, d.hi) '
                'AND %s) FROM (SELECT ($18 + g.i) AS day, ($18 + g.i)::timestamp AT TIME ZONE $17 AS lo, '
                '($18 + g.i + 1)::timestamp AT TIME ZONE $17 AS hi '
                'FROM generate_series(0, $19 - $18) g(i)) d ORDER BY d.day', p_w)
$$;

-- ===========================================================================
-- Reads (audit.read: Owner, Admin, Viewer).
-- ===========================================================================

-- The range of a preset in the practice's zone.  Not audited (no data).
DROP FUNCTION IF EXISTS api.audit_range(text, text, date, date);
CREATE FUNCTION api.audit_range(p_token text, p_preset text, p_from date DEFAULT NULL,
                                p_to date DEFAULT NULL)
RETURNS TABLE (from_at timestamptz, to_at timestamptz, first_day date, last_day date,
               timezone text)
LANGUAGE plpgsql SECURITY DEFINER SET search_path = lumen, ext, pg_temp SET lock_timeout = '1s'
AS $$
#variable_conflict use_column
DECLARE
  s sessions;
BEGIN
  s := session_check(p_token, 'practice');
  PERFORM require_permission(s, 'audit.read');
  RETURN QUERY SELECT * FROM audit_range_at(now(),
    (SELECT p.timezone FROM practices p WHERE p.id = s.practice_id), p_preset, p_from, p_to);
END
$$;

-- Step 1 of the viewer: checks the range and the filter, audits
-- audit.view with them, and answers a grant for the pages, the rows and
-- the days.  Once per range or filter, not per page.
DROP FUNCTION IF EXISTS api.audit_open(text, timestamptz, timestamptz, jsonb);
CREATE FUNCTION api.audit_open(p_token text, p_from timestamptz, p_to timestamptz, p_filter jsonb)
RETURNS text
LANGUAGE plpgsql SECURITY DEFINER SET search_path = lumen, ext, pg_temp SET lock_timeout = '1s'
AS $$
DECLARE
  s sessions;
  v_filter jsonb := coalesce(p_filter, '{}');
  v_subject jsonb;
BEGIN
  s := session_check(p_token, 'practice');
  PERFORM require_permission(s, 'audit.read');
  PERFORM audit_check_range(p_from, p_to);
  PERFORM audit_filter(v_filter, s.practice_id);
  v_subject := jsonb_build_object('from', audit_ts(p_from), 'to', audit_ts(p_to), 'filter', v_filter);
  PERFORM audit_append(s.practice_id, 'audit.view', 'success', p_actor_id => s.account_id,
                       p_actor_email => (SELECT a.email::text FROM accounts a WHERE a.id = s.account_id),
                       p_session_id => s.id, p_reported_origin => s.reported_origin,
                       p_detail => v_subject);
  RETURN grant_new(s, 'audit.view', v_subject);
END
$$;

-- Step 2: a page, by key, in display order (newest first).  Never counts.
DROP FUNCTION IF EXISTS api.audit_page(text, text, text, text, integer);
CREATE FUNCTION api.audit_page(p_token text, p_grant text, p_from_mode text, p_key text,
                               p_limit integer)
RETURNS TABLE (key text, id bigint, at timestamptz, actor_email text, action text,
               target_type text, target_id text, outcome text, reported_origin text,
               server_addr text)
LANGUAGE plpgsql SECURITY DEFINER SET search_path = lumen, ext, pg_temp SET lock_timeout = '1s'
AS $$
#variable_conflict use_column
DECLARE
  s sessions;
  g read_grants;
  f record;
  m text[];
  v_at timestamptz;
  v_id bigint;
BEGIN
  -- On a standby: read_check (018_replica.sql).
  s := read_check(p_token, p_grant, 'audit.view', 'audit.read');
  PERFORM require_permission(s, 'audit.read');
  g := grant_open(s, p_grant, 'audit.view');
  IF p_from_mode IS NULL OR p_from_mode NOT IN ('first', 'last', 'after', 'before', 'at') THEN
    PERFORM fail('LMV01', 'from: must be first, last, after, before or at');
  END IF;
  IF p_limit IS NULL OR p_limit NOT BETWEEN 1 AND 1000 THEN
    PERFORM fail('LMV01', 'limit: must be 1 to 1000');
  END IF;
  IF p_from_mode IN ('after', 'before', 'at') THEN
    m := regexp_match(p_key, '^([0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}\.[0-9]{6}Z)\|([0-9]{1,18})$');
    IF m IS NULL THEN
      PERFORM fail('LMV01', 'key: malformed');
    END IF;
    BEGIN
      v_at := m[1]::timestamptz;
      v_id := m[2]::bigint;
    EXCEPTION WHEN datetime_field_overflow OR invalid_datetime_format THEN
      PERFORM fail('LMV01', 'key: malformed');
    END;
  END IF;
  SELECT * INTO f FROM audit_filter(g.subject -> 'filter', s.practice_id);
  IF f.no_rows THEN
    RETURN;
  END IF;
  RETURN QUERY EXECUTE audit_page_sql(p_from_mode, f.w_split, f.split, f.nsplit)
    USING s.practice_id, (g.subject ->> 'from')::timestamptz, (g.subject ->> 'to')::timestamptz,
          f.actor_ids, f.actor_emails, f.actions, f.outcomes, f.not_actor_id, f.not_actor_like,
          f.not_action, f.not_action_prefix, f.target_type, f.target_id, f.not_target_type,
          f.not_target_id, f.q_like, v_at, v_id, p_limit;
END
$$;

-- Step 2: one row whole, when it lies inside the grant's range and filter
-- (otherwise, another practice's included: no row).  Not audited again.
DROP FUNCTION IF EXISTS api.audit_row(text, text, bigint);
CREATE FUNCTION api.audit_row(p_token text, p_grant text, p_id bigint)
RETURNS TABLE (id bigint, at timestamptz, actor_id uuid, actor_email text, session_id uuid,
               action text, target_type text, target_id text, outcome text, server_addr text,
               reported_origin text, detail text)
LANGUAGE plpgsql SECURITY DEFINER SET search_path = lumen, ext, pg_temp SET lock_timeout = '1s'
AS $$
#variable_conflict use_column
DECLARE
  s sessions;
  g read_grants;
  f record;
BEGIN
  -- On a standby: read_check (018_replica.sql).
  s := read_check(p_token, p_grant, 'audit.view', 'audit.read');
  PERFORM require_permission(s, 'audit.read');
  g := grant_open(s, p_grant, 'audit.view');
  SELECT * INTO f FROM audit_filter(g.subject -> 'filter', s.practice_id);
  IF f.no_rows OR p_id IS NULL THEN
    RETURN;
  END IF;
  RETURN QUERY EXECUTE format(
    'SELECT a.id, a.at, a.actor_id, a.actor_email, a.session_id, a.action, a.target_type, '
    'a.target_id, a.outcome, CASE WHEN a.server_addr IS NOT NULL THEN format(''%%s'', a.server_addr) END, '
    'a.reported_origin, jsonb_pretty(a.detail) FROM audit.audit_log a '
    'WHERE a.practice_id = $1 AND a.id = $17 AND a.at >= $2 AND a.at < $3 AND %s', f.w)
    USING s.practice_id, (g.subject ->> 'from')::timestamptz, (g.subject ->> 'to')::timestamptz,
          f.actor_ids, f.actor_emails, f.actions, f.outcomes, f.not_actor_id, f.not_actor_like,
          f.not_action, f.not_action_prefix, f.target_type, f.target_id, f.not_target_type,
          f.not_target_id, f.q_like, p_id, NULL::bigint, NULL::integer;
END
$$;

-- Step 2: events per calendar day (the practice's zone) over the grant's
-- range and filter, every day of the range (0 too), oldest first.
DROP FUNCTION IF EXISTS api.audit_days(text, text);
CREATE FUNCTION api.audit_days(p_token text, p_grant text)
RETURNS TABLE (day date, events bigint)
LANGUAGE plpgsql SECURITY DEFINER SET search_path = lumen, ext, pg_temp SET lock_timeout = '1s'
AS $$
#variable_conflict use_column
DECLARE
  s sessions;
  g read_grants;
  f record;
  v_tz text;
  v_from timestamptz;
  v_to timestamptz;
  v_first date;
  v_last date;
BEGIN
  -- On a standby: read_check (018_replica.sql).
  s := read_check(p_token, p_grant, 'audit.view', 'audit.read');
  PERFORM require_permission(s, 'audit.read');
  g := grant_open(s, p_grant, 'audit.view');
  SELECT p.timezone INTO v_tz FROM practices p WHERE p.id = s.practice_id;
  v_from := (g.subject ->> 'from')::timestamptz;
  v_to := (g.subject ->> 'to')::timestamptz;
  v_first := (v_from AT TIME ZONE v_tz)::date;
  v_last := ((v_to - interval '1 microsecond') AT TIME ZONE v_tz)::date;
  SELECT * INTO f FROM audit_filter(g.subject -> 'filter', s.practice_id);
  IF f.no_rows THEN
    RETURN QUERY SELECT v_first + i, 0::bigint FROM generate_series(0, v_last - v_first) i;
    RETURN;
  END IF;
  RETURN QUERY EXECUTE audit_days_sql(f.w)
    USING s.practice_id, v_from, v_to,
          f.actor_ids, f.actor_emails, f.actions, f.outcomes, f.not_actor_id, f.not_actor_like,
          f.not_action, f.not_action_prefix, f.target_type, f.target_id, f.not_target_type,
          f.not_target_id, f.q_like, v_tz, v_first, v_last;
END
$$;

-- ===========================================================================
-- Export (audit.export: Owner, Admin; and a step-up).  An audited read like
-- the viewer, with the row count and the chain's head in its answer.  The
-- rows are those of the range and filter that existed at the open: their
-- ids lie between the lowest and the highest id counted then.
-- ===========================================================================
DROP FUNCTION IF EXISTS api.audit_export_open(text, timestamptz, timestamptz, jsonb);
CREATE FUNCTION api.audit_export_open(p_token text, p_from timestamptz, p_to timestamptz,
                                      p_filter jsonb)
RETURNS TABLE ("grant" text, row_count bigint, head_seq bigint, head_hash text)
LANGUAGE plpgsql SECURITY DEFINER SET search_path = lumen, ext, pg_temp SET lock_timeout = '1s'
AS $$
#variable_conflict use_column
DECLARE
  s sessions;
  f record;
  v_filter jsonb := coalesce(p_filter, '{}');
  v_n bigint := 0;
  v_lo bigint;
  v_hi bigint;
  v_seq bigint;
  v_hash text;
BEGIN
  s := session_check(p_token, 'practice');
  PERFORM require_permission(s, 'audit.export');
  PERFORM require_step_up(s);
  PERFORM audit_check_range(p_from, p_to);
  SELECT * INTO f FROM audit_filter(v_filter, s.practice_id);
  IF NOT f.no_rows THEN
    EXECUTE format('SELECT count(*), min(a.id), max(a.id) FROM audit.audit_log a '
                   'WHERE a.practice_id = $1 AND a.at >= $2 AND a.at < $3 AND %s', f.w)
      INTO v_n, v_lo, v_hi
      USING s.practice_id, p_from, p_to,
            f.actor_ids, f.actor_emails, f.actions, f.outcomes, f.not_actor_id, f.not_actor_like,
            f.not_action, f.not_action_prefix, f.target_type, f.target_id, f.not_target_type,
            f.not_target_id, f.q_like;
  END IF;
  PERFORM audit_append(s.practice_id, 'audit.export', 'success', p_actor_id => s.account_id,
                       p_actor_email => (SELECT a.email::text FROM accounts a WHERE a.id = s.account_id),
                       p_session_id => s.id, p_reported_origin => s.reported_origin,
                       p_detail => jsonb_build_object('from', audit_ts(p_from), 'to', audit_ts(p_to),
                                                      'filter', v_filter, 'rows', v_n));
  -- The head after this export's own row (sealed by audit_append unless
  -- another transaction was sealing the chain just then).
  SELECT h.last_seq, encode(h.last_hash, 'hex') INTO v_seq, v_hash
  FROM audit.audit_chain_heads h WHERE h.practice_id = s.practice_id;
  RETURN QUERY SELECT grant_new(s, 'audit.export',
                                jsonb_build_object('from', audit_ts(p_from), 'to', audit_ts(p_to),
                                                   'filter', v_filter, 'lo_id', v_lo, 'hi_id', v_hi)),
                      v_n, coalesce(v_seq, 0), coalesce(v_hash, repeat('0', 64));
END
$$;

DROP FUNCTION IF EXISTS api.audit_export_rows(text, text, bigint, integer);
CREATE FUNCTION api.audit_export_rows(p_token text, p_grant text, p_after_id bigint, p_limit integer)
RETURNS TABLE (id bigint, at timestamptz, actor_email text, action text, target_type text,
               target_id text, outcome text, server_addr text, reported_origin text,
               session_id uuid, detail text)
LANGUAGE plpgsql SECURITY DEFINER SET search_path = lumen, ext, pg_temp SET lock_timeout = '1s'
AS $$
#variable_conflict use_column
DECLARE
  s sessions;
  g read_grants;
  f record;
BEGIN
  -- On a standby: read_check (018_replica.sql).
  s := read_check(p_token, p_grant, 'audit.export', 'audit.export');
  PERFORM require_permission(s, 'audit.export');
  g := grant_open(s, p_grant, 'audit.export');
  IF p_limit IS NOT NULL AND p_limit NOT BETWEEN 1 AND 100000 THEN
    PERFORM fail('LMV01', 'limit: must be 1 to 100000, or NULL for all');
  END IF;
  IF g.subject ->> 'hi_id' IS NULL THEN
    RETURN;                              -- nothing matched at the open
  END IF;
  SELECT * INTO f FROM audit_filter(g.subject -> 'filter', s.practice_id);
  IF f.no_rows THEN
    RETURN;
  END IF;
  RETURN QUERY EXECUTE format(
    'SELECT a.id, a.at, a.actor_email, a.action, a.target_type, a.target_id, a.outcome, '
    'CASE WHEN a.server_addr IS NOT NULL THEN format(''%%s'', a.server_addr) END, '
    'a.reported_origin, a.session_id, a.detail::text FROM audit.audit_log a '
    'WHERE a.practice_id = $1 AND a.id > $17 AND a.id <= $18 AND a.at >= $2 AND a.at < $3 AND %s '
    'ORDER BY a.id LIMIT $19', f.w)
    USING s.practice_id, (g.subject ->> 'from')::timestamptz, (g.subject ->> 'to')::timestamptz,
          f.actor_ids, f.actor_emails, f.actions, f.outcomes, f.not_actor_id, f.not_actor_like,
          f.not_action, f.not_action_prefix, f.target_type, f.target_id, f.not_target_type,
          f.not_target_id, f.q_like,
          greatest(coalesce(p_after_id, 0), (g.subject ->> 'lo_id')::bigint - 1),
          (g.subject ->> 'hi_id')::bigint, p_limit;
END
$$;
