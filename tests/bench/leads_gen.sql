-- make bench (tests/bench/leads.sh): :n leads with transcripts for Bright
-- Smile Dental, inserted directly as the superuser in a few statements
-- (ingest.lead_capture is one lead per call).  Deterministic (setseed).
--
-- captured_at: uniform over the last 90 days, rising with id as the
-- chatbot's arrivals do.  Status by age: of the last two days' leads most
-- are still new; older ones were mostly worked (new 8%, contacted 35%,
-- booked 25%, not interested 22%, spam 10%).  Every worked lead has a first
-- response (minutes to two days after capture), and 3% of the new ones (a
-- note); 40% are assigned to one of the practice's three staff.  2 to 6
-- messages each, bot and visitor in turn, the last one at capture.
-- The leads' secondary indexes are dropped during the load and built again
-- from their own definitions afterwards (faster than keeping them up);
-- session_replication_role = replica skips the foreign-key triggers (the
-- generated rows satisfy them by construction).
\set ON_ERROR_STOP 1
SET session_replication_role = replica;
SET maintenance_work_mem = '512MB';
SET work_mem = '256MB';
SET search_path = '';
SELECT setseed(0.4242) \gset
CREATE TEMP TABLE bench_idx AS
  SELECT indexrelid::regclass::text AS name, pg_get_indexdef(indexrelid) AS def
  FROM pg_index WHERE indrelid = 'lumen.leads'::regclass AND NOT indisprimary AND NOT indisunique;
SELECT 'DROP INDEX ' || name FROM pg_temp.bench_idx \gexec
\set t0 `date +%s%N`

INSERT INTO lumen.leads (practice_id, visitor_id, name, phone, email, service, page_url,
                         captured_at, status, assigned_to, first_response_at, updated_at)
SELECT :'bsd', 'v-' || to_hex(g * 2654435761 % 4294967296),
       fn || ' ' || ln,
       '+1 ' || (201 + (g * 7) % 780) || ' 555 ' || lpad(((g::bigint * 7919) % 10000)::text, 4, '0'),
       CASE WHEN r1 < 0.1 THEN NULL
            ELSE lower(translate(fn, ' ''', '')) || '.' || lower(translate(ln, ' ''', ''))
                 || (g % 997) || '@' || (ARRAY['gmail.test', 'yahoo.test', 'outlook.test', 'icloud.test',
                                               'example.test'])[1 + (g % 5)] END,
       svc, 'https://brightsmile.test/' || (ARRAY['', 'services/', 'book', 'pricing', 'blog/whitening-myths',
                                                  'services/implants', 'contact', 'insurance'])[1 + (g % 8)],
       at, st,
       CASE WHEN r2 < 0.4 THEN (ARRAY['c1000000-0000-4000-8000-000000000001',
                                      'c1000000-0000-4000-8000-000000000002',
                                      'c1000000-0000-4000-8000-000000000003'])[1 + (g % 3)]::uuid END,
       fr, coalesce(fr, at)
FROM (
  SELECT g, fn, ln, svc, at, r1, r2, st,
         CASE WHEN st <> 'new' OR r3 < 0.03
              THEN least(at + interval '1 minute' + r3 * interval '2 days', now()) END AS fr
  FROM (
    SELECT g, r1, r2, r3, at,
           (ARRAY['Ana', 'José', 'María', 'Luis', 'Emma', 'Olivia', 'Liam', 'Noah', 'Ava', 'Sophia',
                  'Mia', 'James', 'Lucas', 'Amelia', 'Zhang', 'Wei', 'Priya', 'Arjun', 'Fatima', 'Omar',
                  'Yusuf', 'Aisha', 'Hiroshi', 'Yuki', 'Olga', 'Dmitri', 'Chloé', 'Søren', 'Ngozi',
                  'Kwame', 'Grace', 'Patrick', 'Siobhan', 'Mateo', 'Valentina', 'Thiago', 'Leilani',
                  'Nguyễn', 'Björk', 'Zofia'])[1 + floor(random() * 40)::int] AS fn,
           (ARRAY['Garcia', 'Smith', 'Johnson', 'Martinez', 'Brown', 'Lee', 'Nguyen', 'Patel', 'Kim',
                  'Pérez', 'Rodriguez', 'Wilson', 'Anderson', 'Thomas', 'Taylor', 'Moore', 'Jackson',
                  'Okafor', 'Tanaka', 'Müller', 'Kowalski', 'Ivanova', 'O''Malley', 'Haddad', 'Sharma',
                  'Quintero', 'Andersson', 'Rossi', 'Dubois', 'Cohen', 'Mensah', 'Yamamoto', 'Silva',
                  'Santos', 'Novak', 'Horvat', 'Larsen', 'Fischer', 'Walker', 'Hughes'])[1 + floor(random() * 40)::int] AS ln,
           (ARRAY['Cleaning', 'Teeth whitening', 'Invisalign consult', 'Dental implants', 'Emergency toothache',
                  'Braces consultation', 'Root canal', 'Crown', 'Veneers', 'Wisdom teeth', 'Check-up',
                  'Pediatric visit'])[1 + floor(random() * 12)::int] AS svc,
           CASE WHEN at > now() - interval '2 days'
                THEN CASE WHEN r4 < 0.6 THEN 'new' WHEN r4 < 0.8 THEN 'contacted' WHEN r4 < 0.9 THEN 'booked'
                          WHEN r4 < 0.95 THEN 'not_interested' ELSE 'spam' END
                ELSE CASE WHEN r4 < 0.08 THEN 'new' WHEN r4 < 0.43 THEN 'contacted' WHEN r4 < 0.68 THEN 'booked'
                          WHEN r4 < 0.90 THEN 'not_interested' ELSE 'spam' END END AS st
    FROM (
      SELECT g, random() AS r1, random() AS r2, random() AS r3, random() AS r4,
             now() - interval '90 days' * (1 - (g - random()) / :n) AS at
      FROM generate_series(1, :n) g
    ) a
  ) b
) c
ORDER BY g;
\set t1 `date +%s%N`

INSERT INTO lumen.lead_messages (practice_id, lead_id, seq, sender, at, body)
SELECT l.practice_id, l.id, s, CASE WHEN s % 2 = 1 THEN 'bot' ELSE 'visitor' END,
       l.captured_at - (k.n - s) * interval '47 seconds',
       CASE WHEN s % 2 = 1
            THEN (ARRAY['Hi! Welcome to Bright Smile Dental. How can we help you today?',
                        'Thanks! Could I have your name and the best number to reach you?',
                        'Great, and what would you like to come in for?',
                        'We have openings this week. Would mornings or afternoons suit you better?',
                        '¡Hola! ¿En qué podemos ayudarle hoy?',
                        'Got it. Someone from the front desk will call you back shortly.'])[1 + ((l.id + s) % 6)::int]
            ELSE (ARRAY['Hi, I would like to book a cleaning.',
                        'Do you take Delta Dental for aligners?',
                        'I have a toothache since last night, can someone see me today?',
                        'How much is teeth whitening?',
                        'Me gustaría una cita para mi hijo, por favor.',
                        'Afternoons are better for me, after 3 pm.',
                        'My number is on the form, thanks!'])[1 + ((l.id * 3 + s) % 7)::int] END
FROM lumen.leads l
CROSS JOIN LATERAL (SELECT 2 + ((l.id * 7919) % 5)::int AS n) k
CROSS JOIN LATERAL generate_series(1, k.n) s
WHERE l.practice_id = :'bsd';
\set t2 `date +%s%N`

SELECT def FROM pg_temp.bench_idx \gexec
-- The search text table (012) is kept by a trigger, which replica mode
-- skipped: filled here, as the migration fills it.
INSERT INTO lumen.lead_search (lead_id, practice_id, text)
SELECT l.id, l.practice_id, lumen.lead_search_text(l.name, l.phone, l.email, l.service)
FROM lumen.leads l
ON CONFLICT (lead_id) DO NOTHING;
\set t3 `date +%s%N`
RESET session_replication_role;
VACUUM (ANALYZE) lumen.leads;
VACUUM (ANALYZE) lumen.lead_messages;
VACUUM (ANALYZE) lumen.lead_search;
\set t4 `date +%s%N`
SELECT (:t1 - :t0) / 1000000 AS gen_leads_ms, (:t2 - :t1) / 1000000 AS gen_msgs_ms,
       (:t3 - :t2) / 1000000 AS gen_idx_ms, (:t4 - :t3) / 1000000 AS gen_vac_ms,
       (SELECT count(*) FROM lumen.lead_messages WHERE practice_id = :'bsd') AS gen_nmsg,
       pg_total_relation_size('lumen.leads') / 1048576 AS gen_leads_mb,
       pg_total_relation_size('lumen.lead_messages') / 1048576 AS gen_msgs_mb \gset
