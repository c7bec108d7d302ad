-- Demo audit history (issue 8): six weeks of what a small practice's log
-- holds, so the audit viewer has something to show: sign-ins from a few
-- addresses (and some failures, one lockout), leads opened, changed and
-- exported, a Viewer's denied attempts, the log read.  Loaded after
-- demo.sql and leads.sql, as a superuser, by `make demo-db` and by
-- tests/run.sh; once (nothing is added when Bright Smile Dental's log has
-- a row older than a week already).
--
-- The rows are made up, so they are backdated: the trigger that stamps
-- every row with the time of its insert (audit.stamp) is off for this one
-- transaction, which only a superuser can do; the chain then seals them in
-- id order like any other row (audit.seal_all), so `lumen audit verify`
-- passes on the demo.  setseed makes the history the same at every load;
-- times are relative to the load.
DO $audit$
DECLARE
  v_bsd constant uuid := 'a1000000-0000-4000-8000-000000000001';
  v_hft constant uuid := 'a2000000-0000-4000-8000-000000000002';
BEGIN
  IF EXISTS (SELECT 1 FROM audit.audit_log
             WHERE practice_id = v_bsd AND at < now() - interval '7 days') THEN
    RAISE NOTICE 'demo audit history already loaded; nothing to do';
    RETURN;
  END IF;
  PERFORM setseed(0.42);
  ALTER TABLE audit.audit_log DISABLE TRIGGER audit_log_stamp;
  PERFORM set_config('lumen.practice_id', v_bsd::text, true);

  -- Who works where, from which address (a jump host per practice, and
  -- the reported SSH origin of each person's desk).
  CREATE TEMP TABLE demo_staff (practice_id uuid, account_id uuid, email text, role text,
                                origin text, server inet) ON COMMIT DROP;
  INSERT INTO demo_staff VALUES
    (v_bsd, 'c1000000-0000-4000-8000-000000000001', 'owner@brightsmile.test', 'owner',
     '198.51.100.23', '192.0.2.10'),
    (v_bsd, 'c1000000-0000-4000-8000-000000000002', 'admin@brightsmile.test', 'admin',
     '198.51.100.41', '192.0.2.10'),
    (v_bsd, 'c1000000-0000-4000-8000-000000000003', 'viewer@brightsmile.test', 'viewer',
     '198.51.100.57', '192.0.2.10'),
    (v_hft, 'c2000000-0000-4000-8000-000000000004', 'owner@harbortherapy.test', 'owner',
     '203.0.113.77', '192.0.2.20');

  -- One working session a day per person (weekdays, 08:00-17:00 local),
  -- and what each did in it.
  CREATE TEMP TABLE demo_events ON COMMIT DROP AS
  WITH days AS (
    SELECT d::date AS day FROM generate_series(current_date - 42, current_date - 1, '1 day') d
    WHERE extract(isodow FROM d) < 6
  ), sessions AS (
    SELECT s.*, d.day, gen_random_uuid() AS session_id,
           (d.day + time '08:00' + (random() * interval '2 hours'))
             AT TIME ZONE p.timezone AS start_at
    FROM demo_staff s CROSS JOIN days d JOIN lumen.practices p ON p.id = s.practice_id
    WHERE random() < 0.85
  ), steps AS (
    SELECT x.*, n, x.start_at + n * interval '7 minutes' + random() * interval '5 minutes' AS at,
           random() AS r
    FROM sessions x CROSS JOIN generate_series(0, 9) n
  )
  SELECT * FROM steps;

  INSERT INTO audit.audit_log (at, practice_id, actor_id, actor_email, session_id, action,
                               target_type, target_id, outcome, server_addr, reported_origin,
                               detail)
  SELECT e.at, e.practice_id, e.account_id, e.email, e.session_id, a.action, a.target_type,
         a.target_id, a.outcome, e.server, e.origin, a.detail
  FROM demo_events e
  CROSS JOIN LATERAL (
    SELECT l.id FROM lumen.leads l
    WHERE l.practice_id = e.practice_id
    OFFSET floor(e.r * 250)::int LIMIT 1
  ) lead
  CROSS JOIN LATERAL (
    SELECT * FROM (VALUES
      -- step 0: the sign-in (now and then a wrong password first)
      (0, 'login.success', 'account', e.account_id::text, 'success',
       jsonb_build_object('method', CASE WHEN e.role = 'owner' THEN 'totp' ELSE 'password' END)),
      -- steps 1-2: the inbox read
      (1, 'lead.list', NULL, NULL, 'success', '{"filter": {"status": ["new"]}}'::jsonb),
      (2, 'lead.view', 'lead', lead.id::text, 'success', '{}'::jsonb),
      (3, 'lead.view', 'lead', lead.id::text, 'success', '{}'::jsonb),
      -- steps 4-5: a change; a Viewer's is refused
      (4, 'lead.update', 'lead', lead.id::text,
       CASE WHEN e.role = 'viewer' THEN 'denied' ELSE 'success' END,
       CASE WHEN e.role = 'viewer' THEN '{"reason": "role"}'::jsonb
            ELSE '{"before": {"status": "new"}, "after": {"status": "contacted"}}'::jsonb END),
      (5, 'lead.note', 'lead', lead.id::text,
       CASE WHEN e.role = 'viewer' THEN 'denied' ELSE 'success' END, '{"length": 42}'::jsonb),
      (6, 'lead.view', 'lead', lead.id::text, 'success', '{}'::jsonb),
      (7, 'lead.list', NULL, NULL, 'success', '{"filter": {"q": "implant"}}'::jsonb),
      (8, 'lead.view', 'lead', lead.id::text, 'success', '{}'::jsonb),
      (9, 'logout', 'account', e.account_id::text, 'success', '{}'::jsonb)
    ) v(step, action, target_type, target_id, outcome, detail)
    WHERE v.step = e.n
  ) a
  UNION ALL
  -- A failed password before some sign-ins.
  SELECT e.at - interval '1 minute', e.practice_id, e.account_id, e.email, NULL,
         'login.failure', 'account', e.account_id::text, 'failure', e.server, e.origin,
         '{"reason": "password"}'::jsonb
  FROM demo_events e WHERE e.n = 0 AND e.r < 0.12
  UNION ALL
  -- The weekly export and the monthly access review.
  SELECT e.at + interval '2 minutes', e.practice_id, e.account_id, e.email, e.session_id,
         CASE WHEN e.role = 'owner' THEN 'audit.view' ELSE 'lead.export' END, NULL, NULL,
         'success', e.server, e.origin,
         CASE WHEN e.role = 'owner'
              THEN jsonb_build_object('from', e.day - 30, 'to', e.day, 'filter', '{}'::jsonb)
              ELSE jsonb_build_object('filter', '{"status": ["new"]}'::jsonb, 'rows', 40) END
  FROM demo_events e
  WHERE e.n = 7 AND extract(isodow FROM e.day) = 1 AND e.role IN ('owner', 'admin')
  ORDER BY 1;

  -- Someone guessing at the Admin's password from an unknown address: five
  -- failures, then the lockout.
  INSERT INTO audit.audit_log (at, practice_id, actor_id, actor_email, action, target_type,
                               target_id, outcome, server_addr, reported_origin, detail)
  SELECT now() - interval '9 days' + g * interval '40 seconds', v_bsd,
         'c1000000-0000-4000-8000-000000000002', 'admin@brightsmile.test',
         CASE WHEN g < 5 THEN 'login.failure' ELSE 'login.locked' END, 'account',
         'c1000000-0000-4000-8000-000000000002', 'failure', '192.0.2.99', '185.220.101.4',
         CASE WHEN g < 5 THEN '{"reason": "password"}'::jsonb
              ELSE '{"locked_for_s": 60}'::jsonb END
  FROM generate_series(0, 5) g;

  ALTER TABLE audit.audit_log ENABLE TRIGGER audit_log_stamp;
  PERFORM audit.seal_all();
END
$audit$;
