-- Demo leads (issue 7): loaded after demo.sql, as a superuser, by `make
-- demo-db` (scripts/demo-db.sh) and by tests/run.sh into lumen_demo.  Once:
-- when Bright Smile Dental has a lead already, nothing is added.
--
-- Every lead arrives through ingest.lead_capture with a key made by
-- lumen.ingest_key_new, the path the chatbot takes; statuses, assignments,
-- first responses and a few notes are then set directly, as if staff had
-- worked the inbox (no audit rows for those).  setseed makes the data the
-- same at every load; times are relative to the load (now()).
--
-- About 3000 leads for Bright Smile Dental and 300 for Harbor Family Therapy
-- over the last 90 days, every status, some assigned; transcripts of 3 to 7
-- turns in English and Spanish; names in many scripts.
--
-- FIXED LEADS that tests may rely on (names unique in the demo data; times
-- relative to the load; "BSD" Bright Smile Dental, "HFT" Harbor Family
-- Therapy):
--
--   name                      practice  status     captured      assigned    notes
--   Ana María Pérez           BSD       new        2 min ago     nobody      Spanish transcript, 4 turns,
--                                                                            service "Teeth whitening",
--                                                                            phone +1 312 555 0142,
--                                                                            email ana.perez@example.test
--   Priya Sharma प्रिया शर्मा   BSD       new        20 min ago    nobody      untouched for over 15 minutes,
--                                                                            service "Emergency toothache"
--   Zhang Wei 张伟             BSD       contacted  3 h ago       Adam Admin  a note "Left a voicemail." by Adam
--                                                                            Admin; service "Dental implants"
--   Grace O'Malley            HFT       new        10 min ago    nobody      service "Couples counseling"
--   hostile, all BSD, status new, captured 60-64 min ago:
--     E'\033]0;pwned\007Mallory'   (an OSC escape sequence that sets the
--                                   terminal title, as the name), service
--                                   "Cleaning", phone "+1 555 0100"
--     Bidi Trickster           service E'Whitening \u202Egnineetw\u202C' (a
--                              right-to-left override), phone "+1 555 0101"
--     Long Talker              a 10,240-character visitor message,
--                              service "Braces consultation"
--     =HYPERLINK("http://evil.test","Click") Eve
--                              a name that starts with "=" (a CSV formula),
--                              email "=1+1@example.test"
--
-- The random leads' names never start with "Ana María", "Priya", "Zhang",
-- "Grace", "Mallory", "Bidi", "Long" or "=".

DO $leads$
DECLARE
  bsd constant uuid := 'a1000000-0000-4000-8000-000000000001';
  hft constant uuid := 'a2000000-0000-4000-8000-000000000002';
  owner_bsd constant uuid := 'c1000000-0000-4000-8000-000000000001';
  admin_bsd constant uuid := 'c1000000-0000-4000-8000-000000000002';
  owner_hft constant uuid := 'c2000000-0000-4000-8000-000000000004';
  k_bsd text;
  k_hft text;
  firsts text[] := ARRAY[
    'James', 'Mary', 'Robert', 'Patricia', 'Michael', 'Jennifer', 'David', 'Linda', 'William',
    'Elizabeth', 'Olivia', 'Noah', 'Emma', 'Liam', 'Sophia', 'Mason', 'Isabella', 'Ethan',
    'José', 'María', 'Lucía', 'Alejandro', 'Sofía', 'Mateo', 'Valentina', 'Camila', 'Diego',
    'Zoë', 'François', 'Björn', 'Łukasz', 'Søren', 'Chloé', 'Renée', 'Jürgen', 'Siobhán',
    '佐藤', '王', '김', '李', 'محمد', 'فاطمة', 'अनीता', 'राहुल', 'Дмитрий', 'Ελένη', 'נועה',
    'สมชาย', 'Nguyễn', 'Ayşe', 'Sam 😀', 'Kai 🌊'];
  lasts text[] := ARRAY[
    'Smith', 'Johnson', 'Williams', 'Brown', 'Jones', 'Miller', 'Davis', 'Wilson', 'Anderson',
    'Taylor', 'Thomas', 'Moore', 'Jackson', 'Martin', 'Lee', 'Thompson', 'White', 'Harris',
    'García', 'Rodríguez', 'Martínez', 'Hernández', 'López', 'González', 'Álvarez', 'Muñoz',
    'Ørsted', 'Lefèvre', 'Ångström', 'Wiśniewski', 'Müller', 'Ó Briain', 'Dvořák',
    '花子', '芳', '민준', '小龙', 'الأحمد', 'الزهراء', 'देसाई', 'वर्मा', 'Иванов',
    'Παπαδοπούλου', 'כהן', 'ใจดี', 'Văn An', 'Yılmaz', '🦷', 'Rivers'];
  dental text[] := ARRAY['Cleaning', 'Teeth whitening', 'Dental implants', 'Invisalign',
    'Braces consultation', 'Emergency toothache', 'Root canal', 'Crown', 'Veneers',
    'Wisdom teeth', 'Pediatric checkup', 'Dentures', 'New patient exam'];
  therapy text[] := ARRAY['Individual therapy', 'Couples counseling', 'Family therapy',
    'Anxiety', 'Depression', 'Teen counseling', 'Grief support', 'EMDR', 'ADHD assessment',
    'Telehealth session'];
  pages text[] := ARRAY['/', '/services', '/contact', '/book', '/new-patients', '/insurance',
    '/about', '/blog/what-to-expect', '/es/', '/es/servicios'];
  p uuid;
  k text;
  n integer;
  i integer;
  v_first text;
  v_name text;
  v_phone text;
  v_email text;
  v_service text;
  v_es boolean;
  v_at timestamptz;
  v_pname text;
  v_host text;
  v_msgs jsonb;
  v_turn timestamptz;
  v_id bigint;
  v_age double precision;
  r double precision;
  v_status text;

BEGIN
  IF EXISTS (SELECT 1 FROM lumen.leads WHERE practice_id = bsd) THEN
    RAISE NOTICE 'demo leads already loaded; nothing to do';
    RETURN;
  END IF;
  PERFORM setseed(0.2026);
  k_bsd := lumen.ingest_key_new(bsd);
  k_hft := lumen.ingest_key_new(hft);

  FOR p, k, n, v_pname, v_host IN
    VALUES (bsd, k_bsd, 3000, 'Bright Smile', 'brightsmile.test'),
           (hft, k_hft, 300, 'Harbor Family Therapy', 'harbortherapy.test')
  LOOP
    FOR i IN 1 .. n LOOP
      v_first := firsts[1 + floor(random() * array_length(firsts, 1))::integer];
      v_name := v_first || ' ' || lasts[1 + floor(random() * array_length(lasts, 1))::integer];
      r := random();
      v_phone := CASE WHEN r < 0.45 THEN format('+1 (%s) 555-%s', 200 + floor(random() * 799)::integer,
                                                lpad(floor(random() * 10000)::integer::text, 4, '0'))
                      WHEN r < 0.75 THEN format('%s.555.%s', 200 + floor(random() * 799)::integer,
                                                lpad(floor(random() * 10000)::integer::text, 4, '0'))
                      WHEN r < 0.85 THEN format('+52 55 %s %s', 1000 + floor(random() * 8999)::integer,
                                                1000 + floor(random() * 8999)::integer)
                      END;
      v_email := CASE WHEN random() < 0.7
                      THEN format('visitor%s.%s@example.test', i, lower(substr(md5(v_name), 1, 5))) END;
      v_service := CASE WHEN p = bsd THEN dental[1 + floor(random() * array_length(dental, 1))::integer]
                        ELSE therapy[1 + floor(random() * array_length(therapy, 1))::integer] END;
      v_es := random() < 0.25;
      -- more leads lately: the age is skewed towards now
      v_age := power(random(), 1.4) * 90 * 86400 + 1800;
      v_at := now() - v_age * interval '1 second';
      v_turn := v_at - interval '4 minutes';
      v_msgs := jsonb_build_array(
        jsonb_build_object('from', 'bot', 'at', v_turn,
          'text', CASE WHEN v_es THEN format('¡Hola! Soy el asistente de %s. ¿En qué puedo ayudarle?', v_pname)
                       ELSE format('Hi! I''m the %s assistant. How can I help you today?', v_pname) END),
        jsonb_build_object('from', 'visitor', 'at', v_turn + interval '40 seconds',
          'text', CASE WHEN v_es THEN format('Hola, quisiera una cita para %s.', lower(v_service))
                       ELSE format('Hi, I''d like to ask about %s.', lower(v_service)) END),
        jsonb_build_object('from', 'bot', 'at', v_turn + interval '45 seconds',
          'text', CASE WHEN v_es THEN 'Claro. ¿Cuál es la mejor manera de contactarle?'
                       ELSE 'Of course. What''s the best way to reach you?' END),
        jsonb_build_object('from', 'visitor', 'at', v_turn + interval '90 seconds',
          'text', CASE WHEN v_phone IS NOT NULL AND v_es THEN format('Mi teléfono es %s.', v_phone)
                       WHEN v_phone IS NOT NULL THEN format('You can call me at %s', v_phone)
                       WHEN v_es THEN format('Por correo, por favor: %s', coalesce(v_email, 'no tengo'))
                       ELSE format('Email is best: %s', coalesce(v_email, 'actually, I will call you')) END));
      IF random() < 0.5 THEN
        v_msgs := v_msgs || jsonb_build_array(
          jsonb_build_object('from', 'visitor', 'at', v_turn + interval '2 minutes',
            'text', CASE WHEN v_es THEN '¿Aceptan seguro médico? ¿Y tienen citas el sábado?'
                         ELSE 'Do you take my insurance? And are you open on Saturdays?' END),
          jsonb_build_object('from', 'bot', 'at', v_turn + interval '2 minutes 5 seconds',
            'text', CASE WHEN v_es THEN 'Nuestro equipo lo confirmará cuando le llame.'
                         ELSE 'Our team will confirm your coverage and hours when they call.' END));
      END IF;
      v_msgs := v_msgs || jsonb_build_array(
        jsonb_build_object('from', 'bot', 'at', v_turn + interval '3 minutes',
          'text', CASE WHEN v_es THEN format('Gracias, %s. Alguien de recepción le contactará pronto.', v_first)
                       ELSE format('Thanks, %s! Someone from our front desk will get back to you shortly.', v_first) END));
      v_id := ingest.lead_capture(k, jsonb_strip_nulls(jsonb_build_object(
        'visitor_id', 'v-' || substr(md5(p::text || i), 1, 12),
        'name', CASE WHEN random() < 0.95 THEN v_name END,
        'phone', v_phone, 'email', v_email, 'service', v_service,
        'page_url', 'https://' || v_host || pages[1 + floor(random() * array_length(pages, 1))::integer],
        'captured_at', v_at, 'transcript', v_msgs)));

      -- What staff did with it: the older, the likelier handled.
      r := random();
      v_status := CASE WHEN v_age < 3600 * 6 THEN CASE WHEN r < 0.8 THEN 'new' ELSE 'contacted' END
                       WHEN r < 0.12 THEN 'new'
                       WHEN r < 0.47 THEN 'contacted'
                       WHEN r < 0.72 THEN 'booked'
                       WHEN r < 0.9 THEN 'not_interested'
                       ELSE 'spam' END;
      IF v_status <> 'new' OR random() < 0.1 THEN
        UPDATE lumen.leads
           SET status = v_status,
               first_response_at = least(now(), captured_at + (2 + random() * 600) * interval '1 minute'),
               assigned_to = CASE WHEN random() < 0.4
                                  THEN CASE WHEN p = hft THEN owner_hft
                                            WHEN random() < 0.6 THEN admin_bsd ELSE owner_bsd END END,
               updated_at = least(now(), captured_at + (10 + random() * 900) * interval '1 minute')
         WHERE id = v_id;
      END IF;
    END LOOP;
  END LOOP;

  -- The fixed leads (see the head of this file).
  v_id := ingest.lead_capture(k_bsd, jsonb_build_object(
    'visitor_id', 'v-ana-maria', 'name', 'Ana María Pérez', 'phone', '+1 312 555 0142',
    'email', 'ana.perez@example.test', 'service', 'Teeth whitening',
    'page_url', 'https://brightsmile.test/es/servicios', 'captured_at', now() - interval '2 minutes',
    'transcript', jsonb_build_array(
      jsonb_build_object('from', 'bot', 'at', now() - interval '5 minutes',
                         'text', '¡Hola! Soy el asistente de Bright Smile. ¿En qué puedo ayudarle?'),
      jsonb_build_object('from', 'visitor', 'at', now() - interval '4 minutes',
                         'text', 'Hola, quisiera blanquearme los dientes antes de mi boda en diciembre.'),
      jsonb_build_object('from', 'bot', 'at', now() - interval '3 minutes 50 seconds',
                         'text', '¡Felicidades! ¿Cuál es la mejor manera de contactarle?'),
      jsonb_build_object('from', 'visitor', 'at', now() - interval '3 minutes',
                         'text', 'Mi teléfono es +1 312 555 0142, después de las 5 pm por favor.'))));
  v_id := ingest.lead_capture(k_bsd, jsonb_build_object(
    'visitor_id', 'v-priya', 'name', 'Priya Sharma प्रिया शर्मा', 'phone', '+1 (646) 555-0199',
    'service', 'Emergency toothache', 'page_url', 'https://brightsmile.test/contact',
    'captured_at', now() - interval '20 minutes',
    'transcript', jsonb_build_array(
      jsonb_build_object('from', 'visitor', 'at', now() - interval '22 minutes',
                         'text', 'My tooth is killing me, can someone see me today?'),
      jsonb_build_object('from', 'bot', 'at', now() - interval '21 minutes',
                         'text', 'I''m sorry to hear that. Our front desk will call you right away.'))));
  v_id := ingest.lead_capture(k_bsd, jsonb_build_object(
    'visitor_id', 'v-zhang', 'name', 'Zhang Wei 张伟', 'phone', '+1 415 555 0188',
    'email', 'zhang.wei@example.test', 'service', 'Dental implants',
    'page_url', 'https://brightsmile.test/services', 'captured_at', now() - interval '3 hours',
    'transcript', jsonb_build_array(
      jsonb_build_object('from', 'visitor', 'text', '你好, do you do implants? How much do they cost?'),
      jsonb_build_object('from', 'bot', 'text', 'We do! Prices depend on the exam; the team will call you.'))));
  UPDATE lumen.leads SET status = 'contacted', assigned_to = admin_bsd,
         first_response_at = now() - interval '2 hours 30 minutes',
         updated_at = now() - interval '2 hours 30 minutes'
   WHERE id = v_id;
  INSERT INTO lumen.lead_notes (practice_id, lead_id, author_id, at, body)
  VALUES (bsd, v_id, admin_bsd, now() - interval '2 hours 30 minutes', 'Left a voicemail.');
  v_id := ingest.lead_capture(k_hft, jsonb_build_object(
    'visitor_id', 'v-grace', 'name', 'Grace O''Malley', 'phone', '+1 (617) 555-0123',
    'email', 'grace@example.test', 'service', 'Couples counseling',
    'page_url', 'https://harbortherapy.test/book', 'captured_at', now() - interval '10 minutes',
    'transcript', jsonb_build_array(
      jsonb_build_object('from', 'visitor', 'text', 'We''re looking for a counselor for the two of us. Evenings?'),
      jsonb_build_object('from', 'bot', 'text', 'Thank you for reaching out. A therapist will contact you.'))));

  -- The hostile ones: what a chatbot may pass on from anyone on the web.
  v_id := ingest.lead_capture(k_bsd, jsonb_build_object(
    'name', E'\033]0;pwned\007Mallory', 'phone', '+1 555 0100', 'service', 'Cleaning',
    'captured_at', now() - interval '60 minutes',
    'transcript', jsonb_build_array(jsonb_build_object('from', 'visitor',
      'text', E'\033[2J\033[31mYour terminal is mine\033[0m \007'))));
  v_id := ingest.lead_capture(k_bsd, jsonb_build_object(
    'name', 'Bidi Trickster', 'phone', '+1 555 0101',
    'service', E'Whitening \u202Egnineetw\u202C', 'captured_at', now() - interval '62 minutes',
    'transcript', jsonb_build_array(jsonb_build_object('from', 'visitor',
      'text', E'Please call \u202E0010 555 1+\u202C'))));
  v_id := ingest.lead_capture(k_bsd, jsonb_build_object(
    'name', 'Long Talker', 'service', 'Braces consultation', 'email', 'long.talker@example.test',
    'captured_at', now() - interval '63 minutes',
    'transcript', jsonb_build_array(jsonb_build_object('from', 'visitor',
      'text', left(repeat('I have a lot to say about my teeth. ', 300), 10232) || 'The end.'))));
  v_id := ingest.lead_capture(k_bsd, jsonb_build_object(
    'name', '=HYPERLINK("http://evil.test","Click") Eve', 'email', '=1+1@example.test',
    'phone', '+1 555 0103', 'service', 'Veneers', 'captured_at', now() - interval '64 minutes'));
END
$leads$;
