-- Shared by the audit viewer's pgTAP files (\ir lib/audit.sql after
-- lib/attempts.sql and lib/leads.sql).
--
-- Rows of the log at times of the test's choosing: audit.stamp sets `at`
-- to the clock on every insert, so pg_temp.log_rows inserts with the
-- triggers off for the statement (session_replication_role = replica, as
-- postgres).  Those rows are not queued for sealing; the viewer reads the
-- log, not the chain.  p_select yields the columns
--   at, practice_id, actor_id, actor_email, session_id, action, target_type,
--   target_id, outcome, server_addr, reported_origin, detail
CREATE FUNCTION pg_temp.log_rows(p_select text) RETURNS bigint
LANGUAGE plpgsql AS $$
DECLARE n bigint;
BEGIN
  SET LOCAL session_replication_role = replica;
  EXECUTE 'INSERT INTO audit.audit_log (at, practice_id, actor_id, actor_email, session_id, action, '
          'target_type, target_id, outcome, server_addr, reported_origin, detail) ' || p_select;
  GET DIAGNOSTICS n = ROW_COUNT;
  SET LOCAL session_replication_role = origin;
  RETURN n;
END
$$;

-- The range most tests read: 1-14 March 2026 in Chicago (the clocks go
-- forward on the 8th), as api.audit_range's custom preset gives it.
CREATE FUNCTION pg_temp.r_from() RETURNS timestamptz LANGUAGE sql AS $$ SELECT timestamptz '2026-03-01 06:00+00' $$;
CREATE FUNCTION pg_temp.r_to() RETURNS timestamptz LANGUAGE sql AS $$ SELECT timestamptz '2026-03-15 05:00+00' $$;

-- Walks the viewer's list for a filter: from first with `after`, or from
-- last with `before`, p_limit rows a page; the ids in display order.
CREATE FUNCTION pg_temp.walk(p_token text, p_filter jsonb, p_backward boolean DEFAULT false,
                             p_limit integer DEFAULT 37)
RETURNS bigint[]
LANGUAGE plpgsql AS $$
DECLARE
  g text := pg_temp.committed(api.audit_open(p_token, pg_temp.r_from(), pg_temp.r_to(), p_filter));
  ids bigint[] := '{}';
  page bigint[];
  k_first text;
  k_last text;
  v_from text := CASE WHEN p_backward THEN 'last' ELSE 'first' END;
  k text;
BEGIN
  LOOP
    SELECT array_agg(p.id ORDER BY n), (array_agg(p.key ORDER BY n))[1], (array_agg(p.key ORDER BY n DESC))[1]
      INTO page, k_first, k_last
    FROM api.audit_page(p_token, g, v_from, k, p_limit)
         WITH ORDINALITY AS p(key, id, c3, c4, c5, c6, c7, c8, c9, c10, n);
    EXIT WHEN page IS NULL;
    IF p_backward THEN
      ids := page || ids; k := k_first; v_from := 'before';
    ELSE
      ids := ids || page; k := k_last; v_from := 'after';
    END IF;
  END LOOP;
  RETURN ids;
END
$$;

-- What the list should give, straight from the table: the practice's rows
-- of the range that p_where holds for, newest first.
CREATE FUNCTION pg_temp.expect(p_practice uuid, p_where text) RETURNS bigint[]
LANGUAGE plpgsql AS $$
DECLARE r bigint[];
BEGIN
  EXECUTE format('SELECT coalesce(array_agg(a.id ORDER BY a.at DESC, a.id DESC), ''{}'') FROM audit.audit_log a
                  WHERE a.practice_id = %L AND a.at >= %L AND a.at < %L AND (%s)',
                 p_practice, pg_temp.r_from(), pg_temp.r_to(), p_where) INTO r;
  RETURN r;
END
$$;

-- A preset's range as one line: "from to first last hours", the instants
-- in UTC to the minute.
CREATE FUNCTION pg_temp.range(p_now timestamptz, p_tz text, p_preset text,
                              p_from date DEFAULT NULL, p_to date DEFAULT NULL) RETURNS text
LANGUAGE sql AS $$
  SELECT to_char(r.from_at AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI') || ' '
         || to_char(r.to_at AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI') || ' '
         || r.first_day || ' ' || r.last_day || ' '
         || (extract(epoch FROM r.to_at - r.from_at) / 3600)::integer || 'h'
  FROM lumen.audit_range_at(p_now, p_tz, p_preset, p_from, p_to) r
$$;
