-- Notifications (issue 11): the outbox's writers, the rendering of every
-- message, the deliverer's functions (schema notify, for lumen_notify
-- only) and the Owner's api.notify_*.  Repeatable, as 10_session.sql (see
-- its head); the lumen.* helpers only these use are dropped and made again
-- here (lumen.outbox_put, 013's, is replaced in place).  Tables, the role,
-- the schema, row-level security and the triggers: migration 016.  The
-- contract agreed with the deliverer and the screens: /work/spec-notify.md;
-- reference: db/API.md, "Notifications".
--
-- Three rules shape it:
--  * A message is written in the transaction of the event that causes it
--    (a lead, a sign-in, an invite...), so it exists exactly when the event
--    committed; the deliverer only ever claims, reports and counts.
--  * For a healthcare vertical (every vertical but an explicit list) no
--    message carries a patient detail: a lead alert holds a count, the
--    services asked about, lead ids and a link into Lumen -- never a name,
--    phone, email, page URL, visitor id or transcript.  Rendering is SQL
--    (lumen.notify_render) so the tests read every message as it is sent.
--  * Secrets stay in the database: an invite code is unsealed only when
--    notify.claim renders the invitee's email; a webhook's keys only sign,
--    inside notify.claim, which answers the signatures.
--
-- The Owner's writes answer an attempt id, as the team's (80_team.sql, whose
-- helpers team_denied, team_audit and team_self_role they use): a role
-- without the right gets 'denied', audited and committed before the caller
-- can learn it.  Order of the checks: session, permission (denied),
-- step-up (LMU01), arguments (LMV01), the caller still the Owner (denied),
-- the target (not_found), the change.
SET LOCAL ROLE lumen_owner;
SET LOCAL search_path = lumen, ext, pg_temp;

-- ===========================================================================
-- Helpers.
-- ===========================================================================

-- Healthcare unless the vertical is one of these (unknown, or none, is
-- healthcare: the safe side).
DROP FUNCTION IF EXISTS lumen.vertical_is_healthcare(text);
CREATE FUNCTION lumen.vertical_is_healthcare(p_vertical text) RETURNS boolean
LANGUAGE sql IMMUTABLE SET search_path = lumen, ext, pg_temp
AS $$
  SELECT coalesce(lower(btrim(p_vertical)) NOT IN ('legal', 'real_estate', 'home_services', 'salon',
                                                    'fitness', 'automotive', 'hospitality', 'retail',
                                                    'education', 'professional_services'), true)
$$;

-- A payload as it may leave the database: without any key ending in
-- _sealed (a sealed secret, as an invite's code_sealed).
DROP FUNCTION IF EXISTS lumen.notify_payload_public(jsonb);
CREATE FUNCTION lumen.notify_payload_public(p jsonb) RETURNS jsonb
LANGUAGE sql IMMUTABLE SET search_path = lumen, ext, pg_temp
AS $$
  SELECT coalesce(jsonb_object_agg(e.key, e.value), '{}')
  FROM jsonb_each(coalesce(p, '{}')) e
  WHERE right(e.key, 7) <> '_sealed'
$$;

-- Text for a subject or a line: control characters (C0, DEL, C1) become a
-- space, NULL becomes ''.
DROP FUNCTION IF EXISTS lumen.notify_clean(text);
CREATE FUNCTION lumen.notify_clean(p text) RETURNS text
LANGUAGE sql IMMUTABLE SET search_path = lumen, ext, pg_temp
AS $$ SELECT regexp_replace(coalesce(p, ''), '[\u0001-\u001f\u007f-\u009f]', ' ', 'g') $$;

-- An error as the deliverer reports it, stored: control characters
-- replaced, at most 300 characters; none given: "HTTP <status>".
DROP FUNCTION IF EXISTS lumen.notify_error_text(text, integer);
CREATE FUNCTION lumen.notify_error_text(p_error text, p_status integer) RETURNS text
LANGUAGE sql IMMUTABLE SET search_path = lumen, ext, pg_temp
AS $$
  SELECT left(notify_clean(coalesce(nullif(btrim(p_error), ''),
                                    CASE WHEN p_status IS NOT NULL THEN 'HTTP ' || p_status ELSE 'error' END)),
              300)
$$;

-- An HTTP status worth keeping (100..599), else NULL.
DROP FUNCTION IF EXISTS lumen.notify_status_code(integer);
CREATE FUNCTION lumen.notify_status_code(p integer) RETURNS integer
LANGUAGE sql IMMUTABLE SET search_path = lumen, ext, pg_temp
AS $$ SELECT CASE WHEN p BETWEEN 100 AND 599 THEN p END $$;

-- The wait before the next attempt, by the attempts done (Standard
-- Webhooks' schedule): 1 -> 5 s, 2 -> 5 min, 3 -> 30 min, 4 -> 2 h,
-- 5 -> 5 h, 6 and 7 -> 10 h.  The caller adds the jitter.
DROP FUNCTION IF EXISTS lumen.notify_backoff(integer);
CREATE FUNCTION lumen.notify_backoff(p_attempts integer) RETURNS interval
LANGUAGE sql IMMUTABLE SET search_path = lumen, ext, pg_temp
AS $$
  SELECT CASE
    WHEN p_attempts <= 1 THEN interval '5 seconds'
    WHEN p_attempts = 2 THEN interval '5 minutes'
    WHEN p_attempts = 3 THEN interval '30 minutes'
    WHEN p_attempts = 4 THEN interval '2 hours'
    WHEN p_attempts = 5 THEN interval '5 hours'
    ELSE interval '10 hours'
  END
$$;

-- A row fails for good after this many attempts.
DROP FUNCTION IF EXISTS lumen.notify_max_attempts();
CREATE FUNCTION lumen.notify_max_attempts() RETURNS integer
LANGUAGE sql IMMUTABLE SET search_path = lumen, ext, pg_temp
AS $$ SELECT 8 $$;

-- A URL's host (and port) only: what an audit row may say of a webhook,
-- whose path or query may hold the receiver's own token.
DROP FUNCTION IF EXISTS lumen.notify_url_host(text);
CREATE FUNCTION lumen.notify_url_host(p_url text) RETURNS text
LANGUAGE sql IMMUTABLE SET search_path = lumen, ext, pg_temp
AS $$ SELECT substring(p_url FROM '^https?://([^/?#]*)') $$;

-- A time as messages show it: 2026-03-01T14:05:09Z.
DROP FUNCTION IF EXISTS lumen.notify_ts(timestamptz);
CREATE FUNCTION lumen.notify_ts(p timestamptz) RETURNS text
LANGUAGE sql STABLE SET search_path = lumen, ext, pg_temp
AS $$ SELECT to_char(p AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"') $$;

-- ===========================================================================
-- Writers.
-- ===========================================================================

-- One webhook row: to p_webhook, recipient its id, the payload without
-- sealed keys.  In p_practice's scope whatever the caller's is.
DROP FUNCTION IF EXISTS lumen.notify_put_webhook(uuid, text, uuid, jsonb);
CREATE FUNCTION lumen.notify_put_webhook(p_practice uuid, p_kind text, p_webhook uuid, p_payload jsonb)
RETURNS bigint
LANGUAGE plpgsql SET search_path = lumen, ext, pg_temp
AS $$
DECLARE
  v_saved text;
  v_id bigint;
BEGIN
  v_saved := practice_scope_enter(p_practice);
  INSERT INTO outbox (practice_id, kind, channel, webhook_id, recipient, payload)
  VALUES (p_practice, p_kind, 'webhook', p_webhook, p_webhook::text, notify_payload_public(p_payload))
  RETURNING id INTO v_id;
  PERFORM practice_scope_leave(v_saved);
  RETURN v_id;
END
$$;

-- 013's writer, which also fans a practice event (an invite, a removal, a
-- role change, a transfer, the daily audit checkpoint) out to every
-- active webhook of the practice (not disabled, not removed): one webhook
-- row each, its payload the email's without sealed keys, plus "email":
-- whom the event concerns (a member of staff, never a patient; not for a
-- checkpoint, which concerns the practice).  Answers the email row's id.
CREATE OR REPLACE FUNCTION lumen.outbox_put(p_practice uuid, p_kind text, p_recipient text, p_payload jsonb)
RETURNS bigint
LANGUAGE plpgsql SET search_path = lumen, ext, pg_temp
AS $$
DECLARE
  v_saved text;
  v_id bigint;
  v_hook uuid;
BEGIN
  v_saved := practice_scope_enter(p_practice);
  INSERT INTO outbox (practice_id, kind, recipient, payload)
  VALUES (p_practice, p_kind, btrim(p_recipient), coalesce(p_payload, '{}'))
  RETURNING id INTO v_id;
  IF p_practice IS NOT NULL
     AND p_kind IN ('member.invite', 'member.remove', 'member.role_change', 'practice.transfer',
                    'audit.checkpoint') THEN
    FOR v_hook IN SELECT w.id FROM notify_webhooks w
                  WHERE w.practice_id = p_practice AND w.disabled_at IS NULL AND w.removed_at IS NULL
                  ORDER BY w.created_at, w.id LOOP
      PERFORM notify_put_webhook(p_practice, p_kind, v_hook,
                                 CASE WHEN p_kind = 'audit.checkpoint' THEN '{}'::jsonb
                                      ELSE jsonb_build_object('email', btrim(p_recipient)) END
                                 || coalesce(p_payload, '{}'));
    END LOOP;
  END IF;
  PERFORM practice_scope_leave(v_saved);
  RETURN v_id;
END
$$;

-- A lead folded into a lead alert's payload: count + 1, its service among
-- the distinct services (at most 10), its id among the lead ids (at most
-- 100); for a practice that is not healthcare also its name (at most 10
-- names).  Nothing else of the lead, ever.
DROP FUNCTION IF EXISTS lumen.notify_lead_fold(jsonb, bigint, text, text, boolean);
CREATE FUNCTION lumen.notify_lead_fold(p jsonb, p_lead bigint, p_service text, p_name text,
                                       p_healthcare boolean)
RETURNS jsonb
LANGUAGE plpgsql IMMUTABLE SET search_path = lumen, ext, pg_temp
AS $$
DECLARE
  v_services jsonb := coalesce(p -> 'services', '[]');
  v_ids jsonb := coalesce(p -> 'lead_ids', '[]');
  v_names jsonb := coalesce(p -> 'names', '[]');
  v_service text := nullif(btrim(notify_clean(p_service)), '');
  v_name text := nullif(btrim(notify_clean(p_name)), '');
BEGIN
  IF v_service IS NOT NULL AND NOT v_services @> to_jsonb(v_service) AND jsonb_array_length(v_services) < 10 THEN
    v_services := v_services || to_jsonb(v_service);
  END IF;
  IF jsonb_array_length(v_ids) < 100 THEN
    v_ids := v_ids || to_jsonb(p_lead);
  END IF;
  p := p || jsonb_build_object('count', coalesce((p ->> 'count')::integer, 0) + 1,
                               'services', v_services, 'lead_ids', v_ids);
  IF p_healthcare THEN
    p := p - 'names';
  ELSIF v_name IS NOT NULL AND jsonb_array_length(v_names) < 10 THEN
    p := p || jsonb_build_object('names', v_names || to_jsonb(v_name));
  END IF;
  RETURN p;
END
$$;

-- A new lead (ingest.lead_capture, in its transaction): a lead alert to
-- every active email recipient and every active webhook of the practice.
-- An alert to the same destination that is still untouched (never tried,
-- not claimed) takes the lead in instead of a new row, so a burst of leads
-- is one message; one another transaction holds (a claim under way) is
-- skipped, not waited on, and a new row is written.  Answers how many
-- destinations were told.  The practice must be in the context (ingest's).
DROP FUNCTION IF EXISTS lumen.notify_lead_new(uuid, bigint, text, text);
CREATE FUNCTION lumen.notify_lead_new(p_practice uuid, p_lead bigint, p_service text, p_name text)
RETURNS integer
LANGUAGE plpgsql SET search_path = lumen, ext, pg_temp
AS $$
DECLARE
  v_saved text;
  p practices;
  v_health boolean;
  d record;
  v_id bigint;
  v_payload jsonb;
  n integer := 0;
BEGIN
  v_saved := practice_scope_enter(p_practice);
  SELECT * INTO p FROM practices x WHERE x.id = p_practice;
  IF NOT FOUND THEN
    PERFORM practice_scope_leave(v_saved);
    RETURN 0;
  END IF;
  v_health := vertical_is_healthcare(p.vertical);
  FOR d IN
    SELECT 'email'::text AS channel, e.email::text AS recipient, NULL::uuid AS webhook_id
    FROM notify_emails e WHERE e.practice_id = p_practice AND e.removed_at IS NULL
    UNION ALL
    SELECT 'webhook', w.id::text, w.id
    FROM notify_webhooks w
    WHERE w.practice_id = p_practice AND w.disabled_at IS NULL AND w.removed_at IS NULL
    ORDER BY 1, 2
  LOOP
    v_id := NULL;
    SELECT o.id, o.payload INTO v_id, v_payload FROM outbox o
    WHERE o.practice_id = p_practice AND o.channel = d.channel AND o.recipient = d.recipient
      AND o.kind = 'lead.new' AND o.attempts = 0 AND o.claim_token IS NULL
      AND o.delivered_at IS NULL AND o.failed_at IS NULL
    ORDER BY o.id DESC
    LIMIT 1
    FOR UPDATE SKIP LOCKED;
    IF v_id IS NOT NULL THEN
      UPDATE outbox o SET payload = notify_lead_fold(v_payload, p_lead, p_service, p_name, v_health)
      WHERE o.id = v_id;
    ELSE
      v_payload := notify_lead_fold(
        jsonb_build_object('practice_id', p.id, 'practice_name', p.name, 'count', 0,
                           'services', '[]'::jsonb, 'lead_ids', '[]'::jsonb,
                           'link', replace(p.lead_link, '{lead_id}', p_lead::text)),
        p_lead, p_service, p_name, v_health);
      IF d.channel = 'email' THEN
        INSERT INTO outbox (practice_id, kind, recipient, payload)
        VALUES (p_practice, 'lead.new', d.recipient, v_payload);
      ELSE
        PERFORM notify_put_webhook(p_practice, 'lead.new', d.webhook_id, v_payload);
      END IF;
    END IF;
    n := n + 1;
  END LOOP;
  PERFORM practice_scope_leave(v_saved);
  RETURN n;
END
$$;

-- Where a sign-in becomes a live session (the trigger sessions_live, 016):
-- its origin pair is recorded for the account; a pair the account has not
-- used before, when it had used at least one, writes login.new_origin to
-- the account's email (practice NULL).  The first pair ever is silent.
-- The 50 most recent pairs are kept.
DROP FUNCTION IF EXISTS lumen.notify_origin_seen(sessions);
CREATE FUNCTION lumen.notify_origin_seen(s sessions) RETURNS void
LANGUAGE plpgsql SET search_path = lumen, ext, pg_temp
AS $$
DECLARE
  v_saved text := current_setting('lumen.account_id', true);
  v_psaved text;
  v_server text := coalesce(host(s.server_addr), 'local');
  v_reported text := left(split_part(btrim(notify_clean(s.reported_origin)), ' ', 1), 255);
  v_had boolean;
  v_new boolean;
  v_email text;
  v_practice text;
BEGIN
  IF s.account_id IS NULL THEN
    RETURN;
  END IF;
  PERFORM set_config('lumen.account_id', s.account_id::text, true);
  -- Another sign-in of the account that records the same pair and has not
  -- committed yet makes this wait: it is given up after the lock timeout
  -- (that sign-in records the pair, and tells, itself), so a transaction
  -- held open cannot keep the account from signing in.
  BEGIN
    v_had := EXISTS (SELECT 1 FROM account_origins o WHERE o.account_id = s.account_id);
    INSERT INTO account_origins (account_id, server_addr, reported_addr)
    VALUES (s.account_id, v_server, v_reported)
    ON CONFLICT (account_id, server_addr, reported_addr) DO NOTHING
    RETURNING true INTO v_new;
    IF v_new IS NULL THEN
      UPDATE account_origins o SET last_seen = now()
      WHERE o.account_id = s.account_id AND o.server_addr = v_server AND o.reported_addr = v_reported;
    ELSE
      DELETE FROM account_origins o WHERE o.ctid IN (
        SELECT x.ctid FROM account_origins x WHERE x.account_id = s.account_id
        ORDER BY x.last_seen DESC, x.first_seen DESC OFFSET 50
        FOR UPDATE SKIP LOCKED);
    END IF;
  EXCEPTION WHEN lock_not_available THEN
    v_new := NULL;
  END;
  PERFORM set_config('lumen.account_id', coalesce(v_saved, ''), true);
  IF coalesce(v_new, false) AND v_had THEN
    SELECT a.email::text INTO v_email FROM accounts a WHERE a.id = s.account_id;
    IF s.practice_id IS NOT NULL THEN
      v_psaved := practice_scope_enter(s.practice_id);
      SELECT p.name INTO v_practice FROM practices p WHERE p.id = s.practice_id;
      PERFORM practice_scope_leave(v_psaved);
    END IF;
    PERFORM outbox_put(NULL, 'login.new_origin', v_email,
                       jsonb_build_object('account_id', s.account_id, 'session_id', s.id,
                                          'at', notify_ts(now()),
                                          'server_addr', v_server,
                                          'reported_origin', s.reported_origin,
                                          'client_version', s.client_version,
                                          'practice_name', v_practice));
  END IF;
END
$$;

-- A practice's row failed for good: one notify.failed to the practice's
-- Owner.  Never for a failed notify.failed (no loops) nor for an
-- account's row (practice NULL).  Answers the new row's id, or NULL.
DROP FUNCTION IF EXISTS lumen.notify_failed(outbox, text);
CREATE FUNCTION lumen.notify_failed(o outbox, p_error text) RETURNS bigint
LANGUAGE plpgsql SET search_path = lumen, ext, pg_temp
AS $$
DECLARE
  v_saved text;
  v_owner text;
  v_name text;
  v_dest text := o.recipient;
BEGIN
  IF o.practice_id IS NULL OR o.kind = 'notify.failed' THEN
    RETURN NULL;
  END IF;
  v_saved := practice_scope_enter(o.practice_id);
  SELECT a.email::text INTO v_owner FROM memberships m JOIN accounts a ON a.id = m.account_id
  WHERE m.practice_id = o.practice_id AND m.role = 'owner';
  SELECT p.name INTO v_name FROM practices p WHERE p.id = o.practice_id;
  IF o.channel = 'webhook' THEN
    SELECT w.url INTO v_dest FROM notify_webhooks w WHERE w.id = o.webhook_id;
  END IF;
  PERFORM practice_scope_leave(v_saved);
  IF v_owner IS NULL THEN
    RETURN NULL;
  END IF;
  RETURN outbox_put(o.practice_id, 'notify.failed', v_owner,
                    jsonb_build_object('practice_name', v_name, 'failed_kind', o.kind,
                                       'failed_message_id', o.message_id, 'channel', o.channel,
                                       'destination', v_dest, 'attempts', o.attempts,
                                       'error', p_error));
END
$$;

-- ===========================================================================
-- Rendering: what a row says, by email (subject, text) and by webhook
-- (body: Standard Webhooks' shape, {"type", "timestamp", "data"}, data the
-- payload without sealed keys).  Plain English; names of people, practices
-- and values are the payload's, control characters removed.  An invite's
-- email carries its code, unsealed here: only notify.claim calls this for
-- delivery (and nobody but the owner and a superuser may call it at all).
-- The webhook body depends only on the row, so every retry sends the same.
-- ===========================================================================
DROP FUNCTION IF EXISTS lumen.notify_render(outbox);
DROP FUNCTION IF EXISTS lumen.notify_render_parts(outbox);
CREATE FUNCTION lumen.notify_render_parts(o outbox, OUT r_subject text, OUT r_text text, OUT r_body text)
LANGUAGE plpgsql STABLE SET search_path = lumen, ext, pg_temp
AS $$
DECLARE
  p jsonb := coalesce(o.payload, '{}');
  v_practice text := notify_clean(p ->> 'practice_name');
  v_where text;
  v_code text;
  v_n integer;
  v_services text;
  v_role text;
  v_help constant text := E'\n\nIf this was not you, change your password and sign out everywhere'
                          ' (Lumen, tab 5 Security) at once.';
BEGIN
  r_body := jsonb_build_object('type', o.kind, 'timestamp', notify_ts(o.created_at),
                               'data', notify_payload_public(p))::text;
  -- when and where, for an account's own events
  v_where := format('at %s (the server saw %s%s)',
                    coalesce(nullif(notify_clean(p ->> 'at'), ''), notify_ts(o.created_at)),
                    coalesce(nullif(nullif(notify_clean(p ->> 'server_addr'), ''), 'local'), 'a local connection'),
                    coalesce('; the client reported ' || nullif(notify_clean(p ->> 'reported_origin'), ''), ''));
  CASE o.kind
  WHEN 'member.invite' THEN
    IF p ? 'code_sealed' THEN
      v_code := convert_from(secret_open(decode(p ->> 'code_sealed', 'hex')), 'UTF8');
    END IF;
    v_role := CASE p ->> 'role' WHEN 'admin' THEN 'an Admin' WHEN 'viewer' THEN 'a Viewer'
                                ELSE notify_clean(p ->> 'role') END;
    r_subject := format('You are invited to %s on Lumen', v_practice);
    r_text := format(E'%s invited you to join %s as %s in Lumen.\n\n'
                      'Your invite code: %s\n\n'
                      'To accept, run:\n\n    lumen accept-invite %s\n\n'
                      'The code works once and expires %s. '
                      'If you did not expect this invite, ignore this message.',
                     coalesce(nullif(notify_clean(p ->> 'invited_by'), ''), 'Someone'), v_practice, v_role,
                     coalesce(v_code, '(not available)'), coalesce(v_code, 'CODE'),
                     coalesce(notify_ts((p ->> 'expires_at')::timestamptz), 'in 7 days'));
  WHEN 'member.remove' THEN
    r_subject := format('You were removed from %s', v_practice);
    r_text := format(E'You are no longer a member of %s in Lumen. Your sessions there have ended.\n\n'
                      'If you think this is a mistake, ask the practice''s Owner.', v_practice);
  WHEN 'member.role_change' THEN
    r_subject := format('Your role at %s is now %s', v_practice, initcap(notify_clean(p ->> 'after')));
    r_text := format('Your role at %s in Lumen changed from %s to %s. It takes effect at once.',
                     v_practice, initcap(notify_clean(p ->> 'before')), initcap(notify_clean(p ->> 'after')));
  WHEN 'practice.transfer' THEN
    IF p ->> 'role' = 'owner' THEN
      r_subject := format('You are now the Owner of %s', v_practice);
      r_text := format('Ownership of %s in Lumen was transferred to you. You are now its Owner.', v_practice);
    ELSE
      r_subject := format('You transferred %s', v_practice);
      r_text := format('You transferred ownership of %s in Lumen. You are now an Admin of it.', v_practice);
    END IF;
  WHEN 'mfa.enroll' THEN
    r_subject := 'Two-factor authentication was turned on';
    r_text := format('Two-factor authentication was turned on for your Lumen account %s.', v_where) || v_help;
  WHEN 'mfa.disable' THEN
    r_subject := 'Two-factor authentication was turned off';
    r_text := format('Two-factor authentication was turned off for your Lumen account %s.', v_where) || v_help;
  WHEN 'password.change' THEN
    r_subject := 'Your Lumen password was changed';
    r_text := format('The password of your Lumen account was changed %s; %s other session(s) ended.',
                     v_where, coalesce(p ->> 'sessions_ended', '0')) || v_help;
  WHEN 'session.revoke_all' THEN
    r_subject := 'Your Lumen account was signed out everywhere';
    r_text := format('Every session of your Lumen account was signed out %s; %s session(s) ended.',
                     v_where, coalesce(p ->> 'sessions_ended', '0')) || v_help;
  WHEN 'login.new_origin' THEN
    r_subject := 'New sign-in to your Lumen account';
    r_text := format('Your Lumen account signed in from somewhere it has not signed in from before, %s%s%s.',
                     v_where,
                     coalesce(', with Lumen ' || nullif(notify_clean(p ->> 'client_version'), ''), ''),
                     coalesce(', into ' || nullif(notify_clean(p ->> 'practice_name'), ''), ''))
              || v_help;
  WHEN 'lead.new' THEN
    v_n := coalesce((p ->> 'count')::integer, 1);
    SELECT string_agg(notify_clean(x), ', ' ORDER BY i) INTO v_services
    FROM jsonb_array_elements_text(coalesce(p -> 'services', '[]')) WITH ORDINALITY AS s(x, i);
    r_subject := CASE WHEN v_n = 1 THEN format('New enquiry at %s', v_practice)
                      ELSE format('%s new enquiries at %s', v_n, v_practice) END;
    r_text := format('%s new %s%s. Open the inbox in Lumen (tab 2)%s',
                     v_n, CASE WHEN v_n = 1 THEN 'enquiry' ELSE 'enquiries' END,
                     coalesce(' (' || v_services || ')', ''),
                     coalesce(': ' || nullif(notify_clean(p ->> 'link'), ''), '.'));
    -- A practice that is not healthcare may see who: its payload holds
    -- names (only then: notify_lead_fold).
    IF p ? 'names' THEN
      SELECT E'\n\nFrom: ' || string_agg(notify_clean(x), ', ' ORDER BY i) INTO v_services
      FROM jsonb_array_elements_text(p -> 'names') WITH ORDINALITY AS s(x, i);
      r_text := r_text || coalesce(v_services, '');
    END IF;
  WHEN 'notify.failed' THEN
    r_subject := 'A Lumen notification could not be delivered';
    r_text := format(E'A %s message of %s by %s to %s could not be delivered after %s attempt(s): %s\n\n'
                      'Check the endpoint in Lumen (Settings, Notifications); nothing more will be tried for this message.',
                     notify_clean(p ->> 'failed_kind'), v_practice, notify_clean(p ->> 'channel'),
                     notify_clean(p ->> 'destination'), coalesce(p ->> 'attempts', '?'),
                     notify_clean(p ->> 'error'));
  WHEN 'audit.checkpoint' THEN
    r_subject := format('Audit log checkpoint for %s: row %s', v_practice, notify_clean(p ->> 'head_seq'));
    r_text := format(E'Audit log checkpoint for %s: row %s, hash %s (at %s).\n\n'
                      'Keep this: lumen audit verify compares the audit chain with the heads it has '
                      'verified, and the chain must still pass through row %s with this hash. If it '
                      'does not, the log was rewritten after this message was sent. '
                      'Nothing else needs to be done; the next checkpoint comes in a day.',
                     v_practice, notify_clean(p ->> 'head_seq'), notify_clean(p ->> 'head_hash'),
                     coalesce(nullif(notify_clean(p ->> 'at'), ''), notify_ts(o.created_at)),
                     notify_clean(p ->> 'head_seq'));
  WHEN 'notify.test' THEN
    r_subject := format('Lumen test notification for %s', v_practice);
    r_text := format('This is a test notification from Lumen for %s%s. Nothing needs to be done.',
                     v_practice, coalesce(', sent by ' || nullif(notify_clean(p ->> 'requested_by'), ''), ''));
  ELSE
    r_subject := format('Lumen: %s', notify_clean(o.kind));
    r_text := format('Lumen: %s.', notify_clean(o.kind));
  END CASE;
  r_subject := left(btrim(regexp_replace(r_subject, '\s+', ' ', 'g')), 200);
END
$$;

CREATE FUNCTION lumen.notify_render(o outbox, OUT subject text, OUT text text, OUT body text)
LANGUAGE sql STABLE SET search_path = lumen, ext, pg_temp
AS $$ SELECT r.r_subject, r.r_text, r.r_body FROM notify_render_parts(o) r $$;

-- The Standard Webhooks signatures of a delivery: "v1,<base64 HMAC-SHA256
-- over id.timestamp.body>" with each active secret of the webhook, the
-- newest first (the one without an end, then by end), space-separated;
-- the key is the base64-decoded part after "whsec_".  NULL when the
-- webhook has no active secret.
DROP FUNCTION IF EXISTS lumen.notify_sign(uuid, uuid, bigint, text);
CREATE FUNCTION lumen.notify_sign(p_webhook uuid, p_message uuid, p_ts bigint, p_body text) RETURNS text
LANGUAGE sql STABLE SET search_path = lumen, ext, pg_temp
AS $$
  SELECT string_agg('v1,' || encode(hmac(convert_to(p_message::text || '.' || p_ts || '.' || p_body, 'UTF8'),
                                         decode(substr(convert_from(secret_open(k.secret_sealed), 'UTF8'), 7),
                                                'base64'),
                                         'sha256'), 'base64'),
                    ' ' ORDER BY k.expires_at DESC NULLS FIRST, k.created_at DESC, k.id)
  FROM notify_webhook_secrets k
  WHERE k.webhook_id = p_webhook AND (k.expires_at IS NULL OR k.expires_at > now())
$$;

-- A new webhook secret: whsec_ + base64 of 32 random bytes.
DROP FUNCTION IF EXISTS lumen.notify_secret_new();
CREATE FUNCTION lumen.notify_secret_new() RETURNS text
LANGUAGE sql VOLATILE SET search_path = lumen, ext, pg_temp
AS $$ SELECT 'whsec_' || encode(gen_random_bytes(32), 'base64') $$;

-- The deliverer's view of every practice (016, notify_scope_all): entered
-- at the start of each notify.* function and left at its end, so that
-- nothing after it in the transaction sees more than its own practice.
-- (A function SET clause cannot name a custom setting without a
-- superuser's grant; an error rolls the setting back with the rest.)
DROP FUNCTION IF EXISTS lumen.notify_scope_enter();
CREATE FUNCTION lumen.notify_scope_enter() RETURNS text
LANGUAGE plpgsql SET search_path = lumen, ext, pg_temp
AS $$
DECLARE
  v_saved text := current_setting('lumen.notify_scope', true);
BEGIN
  PERFORM set_config('lumen.notify_scope', 'all', true);
  RETURN v_saved;
END
$$;

DROP FUNCTION IF EXISTS lumen.notify_scope_leave(text);
CREATE FUNCTION lumen.notify_scope_leave(p_saved text) RETURNS void
LANGUAGE plpgsql SET search_path = lumen, ext, pg_temp
AS $$
BEGIN
  PERFORM set_config('lumen.notify_scope', coalesce(p_saved, ''), true);
END
$$;

-- ===========================================================================
-- The deliverer (schema notify; lumen_notify only).  Each function runs
-- with lumen.notify_scope = 'all': row-level security (016) then shows it
-- every practice's rows, since its login role is lumen_notify.  Every
-- call is meant to run in a transaction of its own (autocommit): a claim
-- commits when the call does.
-- ===========================================================================

-- Claims up to p_limit due rows (undelivered, not failed, next attempt
-- due, no claim or a lapsed one) of the channels asked for, oldest due
-- first, skipping rows another transaction holds.  Each gets a new claim
-- (lease p_lease_s seconds) and one more attempt.  A webhook row whose
-- endpoint is disabled or removed is failed here and not answered; so is
-- a row whose last attempt was claimed and never reported (the Owner is
-- told of that one).
DROP FUNCTION IF EXISTS notify.claim(integer, text[], integer);
CREATE FUNCTION notify.claim(p_limit integer, p_channels text[] DEFAULT '{email,webhook}',
                             p_lease_s integer DEFAULT 60)
RETURNS TABLE (id bigint, claim uuid, message_id uuid, kind text, channel text, attempt integer,
               url text, recipient text, subject text, body text, webhook_timestamp bigint,
               webhook_signature text)
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = lumen, ext, pg_temp SET lock_timeout = '1s'
AS $$
#variable_conflict use_column
DECLARE
  v_scope text;
  o outbox;
  w notify_webhooks;
  r record;
  v_claim uuid;
  v_n integer := 0;
  v_skipped integer;
  v_ts bigint := floor(extract(epoch FROM now()))::bigint;
BEGIN
  PERFORM context_clear();
  v_scope := notify_scope_enter();
  IF p_limit IS NULL OR p_limit NOT BETWEEN 1 AND 100 THEN
    PERFORM fail('LMV01', 'limit: 1 to 100');
  END IF;
  IF p_lease_s IS NULL OR p_lease_s NOT BETWEEN 15 AND 600 THEN
    PERFORM fail('LMV01', 'lease_s: 15 to 600 seconds');
  END IF;
  IF p_channels IS NULL OR cardinality(p_channels) = 0 OR array_position(p_channels, NULL) IS NOT NULL
     OR NOT p_channels <@ ARRAY['email', 'webhook'] THEN
    PERFORM fail('LMV01', 'channels: email, webhook or both');
  END IF;
  LOOP
    v_skipped := 0;
    FOR o IN
      SELECT * FROM outbox x
      WHERE x.delivered_at IS NULL AND x.failed_at IS NULL AND x.next_attempt_at <= now()
        AND (x.claimed_until IS NULL OR x.claimed_until <= now())
        AND x.channel = ANY (p_channels)
      ORDER BY x.next_attempt_at, x.id
      LIMIT p_limit - v_n
      FOR UPDATE SKIP LOCKED
    LOOP
      w := NULL;
      -- Its last attempt was claimed and never reported (the deliverer
      -- died, or the message kills it): failed now, not tried forever.
      IF o.attempts >= notify_max_attempts() THEN
        UPDATE outbox x SET failed_at = now(), claim_token = NULL, claimed_until = NULL,
                            last_error = 'no report of the last attempt', last_error_at = now()
        WHERE x.id = o.id
        RETURNING * INTO o;
        PERFORM notify_failed(o, 'no report of the last attempt');
        v_skipped := v_skipped + 1;
        CONTINUE;
      END IF;
      IF o.channel = 'webhook' THEN
        SELECT * INTO w FROM notify_webhooks y WHERE y.id = o.webhook_id;
        IF w.removed_at IS NOT NULL OR w.disabled_at IS NOT NULL OR w.id IS NULL THEN
          UPDATE outbox x SET failed_at = now(), claim_token = NULL, claimed_until = NULL,
                              last_attempt_at = now(), last_status = NULL, last_error_at = now(),
                              last_error = CASE WHEN w.disabled_at IS NOT NULL AND w.removed_at IS NULL
                                                THEN 'endpoint disabled' ELSE 'endpoint removed' END
          WHERE x.id = o.id;
          v_skipped := v_skipped + 1;
          CONTINUE;
        END IF;
      END IF;
      v_claim := gen_random_uuid();
      UPDATE outbox x SET claim_token = v_claim, claimed_until = now() + make_interval(secs => p_lease_s),
                          attempts = x.attempts + 1, last_attempt_at = now()
      WHERE x.id = o.id
      RETURNING * INTO o;
      r := notify_render(o);
      id := o.id;
      claim := v_claim;
      message_id := o.message_id;
      kind := o.kind;
      channel := o.channel;
      attempt := o.attempts;
      recipient := o.recipient;
      subject := r.subject;
      IF o.channel = 'webhook' THEN
        url := w.url;
        body := r.body;
        webhook_timestamp := v_ts;
        webhook_signature := notify_sign(w.id, o.message_id, v_ts, r.body);
      ELSE
        url := NULL;
        body := r.text;
        webhook_timestamp := NULL;
        webhook_signature := NULL;
      END IF;
      RETURN NEXT;
      v_n := v_n + 1;
    END LOOP;
    -- Rows failed here left room: look again, until full or nothing left.
    EXIT WHEN v_skipped = 0 OR v_n >= p_limit;
  END LOOP;
  PERFORM notify_scope_leave(v_scope);
END
$$;

-- A 2xx: the row is delivered.  False, and nothing changed, when p_claim
-- is not the row's current claim (it lapsed and was claimed again, or the
-- row is done).
DROP FUNCTION IF EXISTS notify.delivered(bigint, uuid, integer);
CREATE FUNCTION notify.delivered(p_id bigint, p_claim uuid, p_status integer) RETURNS boolean
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = lumen, ext, pg_temp SET lock_timeout = '1s'
AS $$
DECLARE
  v_scope text;
  v_ok boolean;
BEGIN
  PERFORM context_clear();
  v_scope := notify_scope_enter();
  UPDATE outbox x SET delivered_at = now(), claim_token = NULL, claimed_until = NULL,
                      last_status = notify_status_code(p_status)
  WHERE x.id = p_id AND x.claim_token = p_claim AND x.delivered_at IS NULL AND x.failed_at IS NULL;
  v_ok := FOUND;
  PERFORM notify_scope_leave(v_scope);
  RETURN v_ok;
END
$$;

-- Anything but a 2xx or a webhook's 410: 'retry' (next attempt by the
-- schedule with ±10 % jitter, or after p_retry_after_s, a Retry-After,
-- clamped to 1 s .. 24 h), 'failed' (that was the last attempt: the
-- Owner is told), 'lost' (p_claim is not the row's current claim:
-- nothing changed).
DROP FUNCTION IF EXISTS notify.retry(bigint, uuid, integer, text, integer);
CREATE FUNCTION notify.retry(p_id bigint, p_claim uuid, p_status integer, p_error text,
                             p_retry_after_s integer DEFAULT NULL)
RETURNS text
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = lumen, ext, pg_temp SET lock_timeout = '1s'
AS $$
DECLARE
  v_scope text;
  o outbox;
  v_error text := notify_error_text(p_error, p_status);
  v_delay interval;
BEGIN
  PERFORM context_clear();
  v_scope := notify_scope_enter();
  SELECT * INTO o FROM outbox x
  WHERE x.id = p_id AND x.claim_token = p_claim AND x.delivered_at IS NULL AND x.failed_at IS NULL
  FOR UPDATE;
  IF NOT FOUND THEN
    PERFORM notify_scope_leave(v_scope);
    RETURN 'lost';
  END IF;
  IF o.attempts >= notify_max_attempts() THEN
    UPDATE outbox x SET failed_at = now(), claim_token = NULL, claimed_until = NULL,
                        last_status = notify_status_code(p_status), last_error = v_error,
                        last_error_at = now()
    WHERE x.id = o.id
    RETURNING * INTO o;
    PERFORM notify_failed(o, v_error);
    PERFORM notify_scope_leave(v_scope);
    RETURN 'failed';
  END IF;
  IF p_retry_after_s IS NOT NULL THEN
    v_delay := make_interval(secs => least(greatest(p_retry_after_s, 1), 86400));
  ELSE
    v_delay := notify_backoff(o.attempts) * (0.9 + 0.2 * random());
  END IF;
  UPDATE outbox x SET next_attempt_at = now() + v_delay, claim_token = NULL, claimed_until = NULL,
                      last_status = notify_status_code(p_status), last_error = v_error,
                      last_error_at = now()
  WHERE x.id = o.id;
  PERFORM notify_scope_leave(v_scope);
  RETURN 'retry';
END
$$;

-- A 410 from a webhook: the endpoint is disabled ('HTTP 410 Gone'), this
-- row fails and so do the endpoint's other undelivered rows (one another
-- transaction holds is left: claim fails it, the endpoint being
-- disabled); the Owner is told once, by whoever disabled it.  False, and
-- nothing changed, for a claim that is not the row's current one or a row
-- that is no webhook's.
DROP FUNCTION IF EXISTS notify.gone(bigint, uuid, integer);
CREATE FUNCTION notify.gone(p_id bigint, p_claim uuid, p_status integer) RETURNS boolean
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = lumen, ext, pg_temp SET lock_timeout = '1s'
AS $$
DECLARE
  v_scope text;
  o outbox;
  v_disabled integer;
BEGIN
  PERFORM context_clear();
  v_scope := notify_scope_enter();
  SELECT * INTO o FROM outbox x
  WHERE x.id = p_id AND x.claim_token = p_claim AND x.delivered_at IS NULL AND x.failed_at IS NULL
    AND x.channel = 'webhook'
  FOR UPDATE;
  IF NOT FOUND THEN
    PERFORM notify_scope_leave(v_scope);
    RETURN false;
  END IF;
  UPDATE notify_webhooks w SET disabled_at = now(), disabled_reason = 'HTTP 410 Gone'
  WHERE w.id = o.webhook_id AND w.disabled_at IS NULL;
  GET DIAGNOSTICS v_disabled = ROW_COUNT;
  UPDATE outbox x SET failed_at = now(), claim_token = NULL, claimed_until = NULL,
                      last_status = coalesce(notify_status_code(p_status), 410),
                      last_error = 'HTTP 410 Gone', last_error_at = now()
  WHERE x.id = o.id
  RETURNING * INTO o;
  WITH doomed AS (
    SELECT y.id FROM outbox y
    WHERE y.webhook_id = o.webhook_id AND y.id <> o.id AND y.delivered_at IS NULL AND y.failed_at IS NULL
    FOR UPDATE SKIP LOCKED
  )
  UPDATE outbox x SET failed_at = now(), claim_token = NULL, claimed_until = NULL,
                      last_error = 'endpoint disabled (HTTP 410 Gone)', last_error_at = now()
  FROM doomed d WHERE x.id = d.id;
  IF v_disabled > 0 THEN
    PERFORM notify_failed(o, 'HTTP 410 Gone: the endpoint said it is gone and was disabled');
  END IF;
  PERFORM notify_scope_leave(v_scope);
  RETURN true;
END
$$;

-- Seconds until the next row of the channels asked for is due (0: one is
-- due now; NULL: nothing is waiting).  A claimed row is due when its
-- lease lapses.
DROP FUNCTION IF EXISTS notify.next_due();
DROP FUNCTION IF EXISTS notify.next_due(text[]);
CREATE FUNCTION notify.next_due(p_channels text[] DEFAULT '{email,webhook}') RETURNS double precision
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = lumen, ext, pg_temp SET lock_timeout = '1s'
AS $$
DECLARE
  v_scope text;
  v timestamptz;
BEGIN
  PERFORM context_clear();
  v_scope := notify_scope_enter();
  SELECT min(greatest(x.next_attempt_at, x.claimed_until)) INTO v FROM outbox x
  WHERE x.delivered_at IS NULL AND x.failed_at IS NULL AND x.channel = ANY (coalesce(p_channels, '{}'));
  IF v IS NULL THEN
    PERFORM notify_scope_leave(v_scope);
    RETURN NULL;
  END IF;
  PERFORM notify_scope_leave(v_scope);
  RETURN greatest(0, extract(epoch FROM v - now()))::double precision;
END
$$;

-- Counts per kind and channel (every pair with any row): due (deliverable
-- now), waiting (a retry scheduled later, or claimed), failed, delivered,
-- and the latest error with its time.
DROP FUNCTION IF EXISTS notify.status();
CREATE FUNCTION notify.status()
RETURNS TABLE (kind text, channel text, due bigint, waiting bigint, failed bigint, delivered bigint,
               last_error text, last_error_at timestamptz)
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = lumen, ext, pg_temp SET lock_timeout = '1s'
AS $$
#variable_conflict use_column
DECLARE
  v_scope text;
BEGIN
  PERFORM context_clear();
  v_scope := notify_scope_enter();
  RETURN QUERY
    SELECT x.kind, x.channel,
           count(*) FILTER (WHERE x.delivered_at IS NULL AND x.failed_at IS NULL
                              AND x.next_attempt_at <= now()
                              AND (x.claimed_until IS NULL OR x.claimed_until <= now())),
           count(*) FILTER (WHERE x.delivered_at IS NULL AND x.failed_at IS NULL
                              AND (x.next_attempt_at > now() OR x.claimed_until > now())),
           count(*) FILTER (WHERE x.failed_at IS NOT NULL),
           count(*) FILTER (WHERE x.delivered_at IS NOT NULL),
           (array_agg(x.last_error ORDER BY x.last_error_at DESC, x.id DESC)
              FILTER (WHERE x.last_error IS NOT NULL))[1],
           max(x.last_error_at)
    FROM outbox x
    GROUP BY x.kind, x.channel
    ORDER BY x.kind, x.channel;
  PERFORM notify_scope_leave(v_scope);
END
$$;

-- Only the deliverer (the default privileges of 016 say so too; said
-- again because this file drops and re-creates them).
REVOKE ALL ON FUNCTION notify.claim(integer, text[], integer), notify.delivered(bigint, uuid, integer),
                       notify.retry(bigint, uuid, integer, text, integer), notify.gone(bigint, uuid, integer),
                       notify.next_due(text[]), notify.status() FROM PUBLIC;
GRANT EXECUTE ON FUNCTION notify.claim(integer, text[], integer), notify.delivered(bigint, uuid, integer),
                          notify.retry(bigint, uuid, integer, text, integer), notify.gone(bigint, uuid, integer),
                          notify.next_due(text[]), notify.status() TO lumen_notify;

-- ===========================================================================
-- The Owner's api.  Reads: practice.settings (others LMP01).  Writes: an
-- attempt id each, audited as notify.<verb>; a role without
-- practice.settings is 'denied' (audited, committed before it is told).
-- ===========================================================================

-- The counts of a set of outbox rows, for the lists.
DROP FUNCTION IF EXISTS lumen.notify_webhook_stats(uuid);
CREATE FUNCTION lumen.notify_webhook_stats(p_webhook uuid,
  OUT last_delivered_at timestamptz, OUT last_error text, OUT last_error_at timestamptz,
  OUT pending bigint, OUT failed bigint)
LANGUAGE sql STABLE SET search_path = lumen, ext, pg_temp
AS $$
  SELECT max(o.delivered_at),
         (array_agg(o.last_error ORDER BY o.last_error_at DESC, o.id DESC)
            FILTER (WHERE o.last_error IS NOT NULL))[1],
         max(o.last_error_at),
         count(*) FILTER (WHERE o.delivered_at IS NULL AND o.failed_at IS NULL),
         count(*) FILTER (WHERE o.failed_at IS NOT NULL)
  FROM outbox o WHERE o.webhook_id = p_webhook
$$;

DROP FUNCTION IF EXISTS lumen.notify_email_stats(uuid, text);
CREATE FUNCTION lumen.notify_email_stats(p_practice uuid, p_email text,
  OUT last_delivered_at timestamptz, OUT last_error text, OUT last_error_at timestamptz,
  OUT pending bigint, OUT failed bigint)
LANGUAGE sql STABLE SET search_path = lumen, ext, pg_temp
AS $$
  SELECT max(o.delivered_at),
         (array_agg(o.last_error ORDER BY o.last_error_at DESC, o.id DESC)
            FILTER (WHERE o.last_error IS NOT NULL))[1],
         max(o.last_error_at),
         count(*) FILTER (WHERE o.delivered_at IS NULL AND o.failed_at IS NULL),
         count(*) FILTER (WHERE o.failed_at IS NOT NULL)
  FROM outbox o
  WHERE o.practice_id = p_practice AND o.channel = 'email' AND o.recipient = p_email
    AND o.kind IN ('lead.new', 'notify.test')
$$;

-- The webhooks (not removed), oldest first.
DROP FUNCTION IF EXISTS api.notify_webhooks(text);
CREATE FUNCTION api.notify_webhooks(p_token text)
RETURNS TABLE (id uuid, url text, description text, created_at timestamptz, secrets integer,
               disabled_at timestamptz, disabled_reason text, last_delivered_at timestamptz,
               last_error text, last_error_at timestamptz, pending bigint, failed bigint)
LANGUAGE plpgsql SECURITY DEFINER SET search_path = lumen, ext, pg_temp SET lock_timeout = '1s'
AS $$
#variable_conflict use_column
DECLARE
  s sessions;
BEGIN
  s := session_check(p_token, 'practice');
  PERFORM require_permission(s, 'practice.settings');
  RETURN QUERY
    SELECT w.id, w.url, w.description, w.created_at,
           (SELECT count(*)::integer FROM notify_webhook_secrets k
            WHERE k.webhook_id = w.id AND (k.expires_at IS NULL OR k.expires_at > now())),
           w.disabled_at, w.disabled_reason,
           st.last_delivered_at, st.last_error, st.last_error_at, st.pending, st.failed
    FROM notify_webhooks w
    CROSS JOIN LATERAL notify_webhook_stats(w.id) st
    WHERE w.practice_id = s.practice_id AND w.removed_at IS NULL
    ORDER BY w.created_at, w.id;
END
$$;

-- The email recipients (not removed), oldest first; their counts are of
-- lead alerts and tests.
DROP FUNCTION IF EXISTS api.notify_emails(text);
CREATE FUNCTION api.notify_emails(p_token text)
RETURNS TABLE (id uuid, email text, created_at timestamptz, last_delivered_at timestamptz,
               last_error text, last_error_at timestamptz, pending bigint, failed bigint)
LANGUAGE plpgsql SECURITY DEFINER SET search_path = lumen, ext, pg_temp SET lock_timeout = '1s'
AS $$
#variable_conflict use_column
DECLARE
  s sessions;
BEGIN
  s := session_check(p_token, 'practice');
  PERFORM require_permission(s, 'practice.settings');
  RETURN QUERY
    SELECT e.id, e.email::text, e.created_at,
           st.last_delivered_at, st.last_error, st.last_error_at, st.pending, st.failed
    FROM notify_emails e
    CROSS JOIN LATERAL notify_email_stats(e.practice_id, e.email::text) st
    WHERE e.practice_id = s.practice_id AND e.removed_at IS NULL
    ORDER BY e.created_at, e.id;
END
$$;

-- The practice's messages that failed for good or are waiting for a retry
-- after an error, newest attempt first (a removed webhook's left out).
DROP FUNCTION IF EXISTS api.notify_failures(text, integer);
CREATE FUNCTION api.notify_failures(p_token text, p_limit integer DEFAULT 20)
RETURNS TABLE (id bigint, message_id uuid, kind text, channel text, destination text, attempts integer,
               state text, last_error text, last_attempt_at timestamptz, next_attempt_at timestamptz)
LANGUAGE plpgsql SECURITY DEFINER SET search_path = lumen, ext, pg_temp SET lock_timeout = '1s'
AS $$
#variable_conflict use_column
DECLARE
  s sessions;
BEGIN
  s := session_check(p_token, 'practice');
  PERFORM require_permission(s, 'practice.settings');
  IF p_limit IS NULL OR p_limit NOT BETWEEN 1 AND 100 THEN
    PERFORM fail('LMV01', 'limit: 1 to 100');
  END IF;
  RETURN QUERY
    SELECT o.id, o.message_id, o.kind, o.channel,
           CASE WHEN o.channel = 'webhook' THEN w.url ELSE o.recipient END,
           o.attempts,
           CASE WHEN o.failed_at IS NOT NULL THEN 'failed' ELSE 'retrying' END,
           o.last_error, o.last_attempt_at,
           CASE WHEN o.failed_at IS NULL THEN o.next_attempt_at END
    FROM outbox o
    LEFT JOIN notify_webhooks w ON w.id = o.webhook_id
    WHERE o.practice_id = s.practice_id AND o.delivered_at IS NULL
      AND (o.failed_at IS NOT NULL OR (o.attempts > 0 AND o.last_error IS NOT NULL))
      AND w.removed_at IS NULL
    ORDER BY o.last_attempt_at DESC NULLS LAST, o.id DESC
    LIMIT p_limit;
END
$$;

-- The gate of the Owner's writes on one endpoint: the role's denial, a
-- missing id, then the denial of anyone but the Owner (each denial audited
-- and committed through team_denied before the caller reads it).  NULL:
-- go on.
DROP FUNCTION IF EXISTS lumen.notify_owner_gate(sessions, text, text, uuid);
CREATE FUNCTION lumen.notify_owner_gate(s sessions, p_action text, p_target_type text, p_id uuid)
RETURNS text
LANGUAGE plpgsql SET search_path = lumen, ext, pg_temp
AS $$
BEGIN
  IF role_if_permitted(s, 'practice.settings') IS NULL THEN
    RETURN team_denied(s, p_action, p_target_type, p_id::text, '{"reason": "role"}');
  END IF;
  IF p_id IS NULL THEN
    PERFORM fail('LMV01', 'id: missing');
  END IF;
  IF team_self_role(s) IS DISTINCT FROM 'owner' THEN
    RETURN team_denied(s, p_action, p_target_type, p_id::text, '{"reason": "not_owner"}');
  END IF;
  RETURN NULL;
END
$$;

-- A webhook of the session's practice, not removed, or NULL.
DROP FUNCTION IF EXISTS lumen.notify_webhook_of(sessions, uuid);
CREATE FUNCTION lumen.notify_webhook_of(s sessions, p_id uuid) RETURNS notify_webhooks
LANGUAGE sql STABLE SET search_path = lumen, ext, pg_temp
AS $$
  SELECT w.* FROM notify_webhooks w
  WHERE w.id = p_id AND w.practice_id = s.practice_id AND w.removed_at IS NULL
$$;

-- Add a webhook: step-up.  ok (affected 1; secret: its whsec_..., shown
-- once; info {"webhook_id"}) | denied | exists (that URL is already an
-- endpoint of the practice, enabled or not).  A URL that is none: LMV01
-- naming the problem; more than 10: LMV01.
DROP FUNCTION IF EXISTS api.notify_webhook_add(text, text, text);
CREATE FUNCTION api.notify_webhook_add(p_token text, p_url text, p_description text) RETURNS text
LANGUAGE plpgsql SECURITY DEFINER SET search_path = lumen, ext, pg_temp SET lock_timeout = '1s'
AS $$
DECLARE
  s sessions;
  v_url text := btrim(p_url);
  v_desc text := nullif(btrim(p_description), '');
  v_problem text;
  v_secret text;
  v_id uuid;
BEGIN
  s := session_check(p_token, 'practice');
  IF role_if_permitted(s, 'practice.settings') IS NULL THEN
    RETURN team_denied(s, 'notify.webhook_add', 'notify_webhook', NULL,
                         jsonb_build_object('reason', 'role', 'host', left(notify_url_host(v_url), 255)));
  END IF;
  PERFORM require_step_up(s);
  v_problem := notify_url_problem(v_url);
  IF v_problem IS NOT NULL THEN
    PERFORM fail('LMV01', 'url: ' || v_problem);
  END IF;
  IF v_desc IS NOT NULL AND v_desc ~ '[\u0001-\u001f\u007f-\u009f]' THEN
    PERFORM fail('LMV01', 'description: no control characters');
  END IF;
  IF length(v_desc) > 200 THEN
    PERFORM fail('LMV01', 'description: at most 200 characters');
  END IF;
  IF team_self_role(s) IS DISTINCT FROM 'owner' THEN
    RETURN team_denied(s, 'notify.webhook_add', 'notify_webhook', NULL, '{"reason": "not_owner"}');
  END IF;
  IF EXISTS (SELECT 1 FROM notify_webhooks w
             WHERE w.practice_id = s.practice_id AND w.url = v_url AND w.removed_at IS NULL) THEN
    RETURN attempt_record('notify.webhook_add', 'exists', s.account_id, s.id, p_affected => 0);
  END IF;
  IF (SELECT count(*) FROM notify_webhooks w
      WHERE w.practice_id = s.practice_id AND w.removed_at IS NULL) >= 10 THEN
    PERFORM fail('LMV01', 'url: at most 10 webhooks per practice: remove one first');
  END IF;
  INSERT INTO notify_webhooks (practice_id, url, description, created_by)
  VALUES (s.practice_id, v_url, v_desc, s.account_id)
  RETURNING notify_webhooks.id INTO v_id;
  v_secret := notify_secret_new();
  INSERT INTO notify_webhook_secrets (practice_id, webhook_id, secret_sealed)
  VALUES (s.practice_id, v_id, secret_seal(convert_to(v_secret, 'UTF8')));
  PERFORM team_audit(s, 'notify.webhook_add', 'success', 'notify_webhook', v_id::text,
                     jsonb_build_object('host', notify_url_host(v_url), 'description', v_desc));
  RETURN attempt_record('notify.webhook_add', 'ok', s.account_id, s.id, p_affected => 1,
                        p_secret => v_secret, p_info => jsonb_build_object('webhook_id', v_id));
END
$$;

-- A new secret for a webhook: step-up.  ok (secret: the new whsec_...;
-- the active ones stay valid for 24 hours more, every delivery signed
-- with each meanwhile; at most 10 active: older ones beyond that end now)
-- | not_found | denied.
DROP FUNCTION IF EXISTS api.notify_webhook_rotate(text, uuid);
CREATE FUNCTION api.notify_webhook_rotate(p_token text, p_id uuid) RETURNS text
LANGUAGE plpgsql SECURITY DEFINER SET search_path = lumen, ext, pg_temp SET lock_timeout = '1s'
AS $$
DECLARE
  s sessions;
  w notify_webhooks;
  v_secret text;
  v_old integer;
BEGIN
  s := session_check(p_token, 'practice');
  IF role_if_permitted(s, 'practice.settings') IS NULL THEN
    RETURN team_denied(s, 'notify.webhook_rotate', 'notify_webhook', p_id::text, '{"reason": "role"}');
  END IF;
  PERFORM require_step_up(s);
  IF p_id IS NULL THEN
    PERFORM fail('LMV01', 'id: missing');
  END IF;
  IF team_self_role(s) IS DISTINCT FROM 'owner' THEN
    RETURN team_denied(s, 'notify.webhook_rotate', 'notify_webhook', p_id::text, '{"reason": "not_owner"}');
  END IF;
  w := notify_webhook_of(s, p_id);
  IF w.id IS NULL THEN
    RETURN attempt_record('notify.webhook_rotate', 'not_found', s.account_id, s.id, p_affected => 0);
  END IF;
  UPDATE notify_webhook_secrets k SET expires_at = now() + interval '24 hours'
  WHERE k.webhook_id = w.id AND (k.expires_at IS NULL OR k.expires_at > now() + interval '24 hours');
  GET DIAGNOSTICS v_old = ROW_COUNT;
  v_secret := notify_secret_new();
  INSERT INTO notify_webhook_secrets (practice_id, webhook_id, secret_sealed)
  VALUES (s.practice_id, w.id, secret_seal(convert_to(v_secret, 'UTF8')));
  UPDATE notify_webhook_secrets k SET expires_at = now()
  WHERE k.id IN (SELECT x.id FROM notify_webhook_secrets x
                 WHERE x.webhook_id = w.id AND (x.expires_at IS NULL OR x.expires_at > now())
                 ORDER BY x.created_at DESC, x.id DESC OFFSET 10);
  PERFORM team_audit(s, 'notify.webhook_rotate', 'success', 'notify_webhook', w.id::text,
                     jsonb_build_object('host', notify_url_host(w.url), 'secrets_expiring', v_old));
  RETURN attempt_record('notify.webhook_rotate', 'ok', s.account_id, s.id, p_affected => 1,
                        p_secret => v_secret, p_info => jsonb_build_object('webhook_id', w.id));
END
$$;

-- Remove a webhook for good: ok | not_found | denied.  Its undelivered
-- rows fail ('endpoint removed'; one another transaction holds fails at
-- its next claim) and its secrets end.
DROP FUNCTION IF EXISTS api.notify_webhook_remove(text, uuid);
CREATE FUNCTION api.notify_webhook_remove(p_token text, p_id uuid) RETURNS text
LANGUAGE plpgsql SECURITY DEFINER SET search_path = lumen, ext, pg_temp SET lock_timeout = '1s'
AS $$
DECLARE
  s sessions;
  v_denied text;
  w notify_webhooks;
  v_failed integer;
BEGIN
  s := session_check(p_token, 'practice');
  v_denied := notify_owner_gate(s, 'notify.webhook_remove', 'notify_webhook', p_id);
  IF v_denied IS NOT NULL THEN
    RETURN v_denied;
  END IF;
  w := notify_webhook_of(s, p_id);
  IF w.id IS NULL THEN
    RETURN attempt_record('notify.webhook_remove', 'not_found', s.account_id, s.id, p_affected => 0);
  END IF;
  UPDATE notify_webhooks x SET removed_at = now() WHERE x.id = w.id;
  UPDATE notify_webhook_secrets k SET expires_at = now()
  WHERE k.webhook_id = w.id AND (k.expires_at IS NULL OR k.expires_at > now());
  WITH doomed AS (
    SELECT y.id FROM outbox y
    WHERE y.webhook_id = w.id AND y.delivered_at IS NULL AND y.failed_at IS NULL
    FOR UPDATE SKIP LOCKED
  )
  UPDATE outbox x SET failed_at = now(), claim_token = NULL, claimed_until = NULL,
                      last_error = 'endpoint removed', last_error_at = now()
  FROM doomed d WHERE x.id = d.id;
  GET DIAGNOSTICS v_failed = ROW_COUNT;
  PERFORM team_audit(s, 'notify.webhook_remove', 'success', 'notify_webhook', w.id::text,
                     jsonb_build_object('host', notify_url_host(w.url), 'messages_dropped', v_failed));
  RETURN attempt_record('notify.webhook_remove', 'ok', s.account_id, s.id, p_affected => 1);
END
$$;

-- Enable a webhook a 410 disabled: ok (affected 0 when it was not
-- disabled; no row) | not_found | denied.  The rows that failed while it
-- was disabled stay failed.
DROP FUNCTION IF EXISTS api.notify_webhook_enable(text, uuid);
CREATE FUNCTION api.notify_webhook_enable(p_token text, p_id uuid) RETURNS text
LANGUAGE plpgsql SECURITY DEFINER SET search_path = lumen, ext, pg_temp SET lock_timeout = '1s'
AS $$
DECLARE
  s sessions;
  v_denied text;
  w notify_webhooks;
BEGIN
  s := session_check(p_token, 'practice');
  v_denied := notify_owner_gate(s, 'notify.webhook_enable', 'notify_webhook', p_id);
  IF v_denied IS NOT NULL THEN
    RETURN v_denied;
  END IF;
  w := notify_webhook_of(s, p_id);
  IF w.id IS NULL THEN
    RETURN attempt_record('notify.webhook_enable', 'not_found', s.account_id, s.id, p_affected => 0);
  END IF;
  IF w.disabled_at IS NULL THEN
    RETURN attempt_record('notify.webhook_enable', 'ok', s.account_id, s.id, p_affected => 0);
  END IF;
  UPDATE notify_webhooks x SET disabled_at = NULL, disabled_reason = NULL WHERE x.id = w.id;
  PERFORM team_audit(s, 'notify.webhook_enable', 'success', 'notify_webhook', w.id::text,
                     jsonb_build_object('host', notify_url_host(w.url),
                                        'before', jsonb_build_object('disabled_at', w.disabled_at,
                                                                     'disabled_reason', w.disabled_reason)));
  RETURN attempt_record('notify.webhook_enable', 'ok', s.account_id, s.id, p_affected => 1);
END
$$;

-- Add an email recipient of lead alerts: ok (info {"email_id"}) | exists
-- (that address already, any case) | denied.  Not an email: LMV01; more
-- than 20: LMV01.
DROP FUNCTION IF EXISTS api.notify_email_add(text, text);
CREATE FUNCTION api.notify_email_add(p_token text, p_email text) RETURNS text
LANGUAGE plpgsql SECURITY DEFINER SET search_path = lumen, ext, pg_temp SET lock_timeout = '1s'
AS $$
DECLARE
  s sessions;
  v_email text;
  v_id uuid;
BEGIN
  s := session_check(p_token, 'practice');
  IF role_if_permitted(s, 'practice.settings') IS NULL THEN
    RETURN team_denied(s, 'notify.email_add', 'notify_email', NULL,
                         jsonb_build_object('reason', 'role', 'email', left(p_email, 254)));
  END IF;
  v_email := team_email(p_email);
  IF team_self_role(s) IS DISTINCT FROM 'owner' THEN
    RETURN team_denied(s, 'notify.email_add', 'notify_email', NULL, '{"reason": "not_owner"}');
  END IF;
  IF EXISTS (SELECT 1 FROM notify_emails e
             WHERE e.practice_id = s.practice_id AND e.email = v_email::ext.citext AND e.removed_at IS NULL) THEN
    RETURN attempt_record('notify.email_add', 'exists', s.account_id, s.id, p_affected => 0);
  END IF;
  IF (SELECT count(*) FROM notify_emails e WHERE e.practice_id = s.practice_id AND e.removed_at IS NULL) >= 20 THEN
    PERFORM fail('LMV01', 'email: at most 20 recipients per practice: remove one first');
  END IF;
  INSERT INTO notify_emails (practice_id, email, created_by)
  VALUES (s.practice_id, v_email, s.account_id)
  RETURNING notify_emails.id INTO v_id;
  PERFORM team_audit(s, 'notify.email_add', 'success', 'notify_email', v_id::text,
                     jsonb_build_object('email', v_email));
  RETURN attempt_record('notify.email_add', 'ok', s.account_id, s.id, p_affected => 1,
                        p_info => jsonb_build_object('email_id', v_id));
END
$$;

-- Remove an email recipient: ok | not_found | denied.  Its lead alerts
-- and tests not yet delivered fail ('recipient removed').
DROP FUNCTION IF EXISTS api.notify_email_remove(text, uuid);
CREATE FUNCTION api.notify_email_remove(p_token text, p_id uuid) RETURNS text
LANGUAGE plpgsql SECURITY DEFINER SET search_path = lumen, ext, pg_temp SET lock_timeout = '1s'
AS $$
DECLARE
  s sessions;
  v_denied text;
  e notify_emails;
  v_failed integer;
BEGIN
  s := session_check(p_token, 'practice');
  v_denied := notify_owner_gate(s, 'notify.email_remove', 'notify_email', p_id);
  IF v_denied IS NOT NULL THEN
    RETURN v_denied;
  END IF;
  SELECT * INTO e FROM notify_emails x
  WHERE x.id = p_id AND x.practice_id = s.practice_id AND x.removed_at IS NULL;
  IF NOT FOUND THEN
    RETURN attempt_record('notify.email_remove', 'not_found', s.account_id, s.id, p_affected => 0);
  END IF;
  UPDATE notify_emails x SET removed_at = now() WHERE x.id = e.id;
  WITH doomed AS (
    SELECT y.id FROM outbox y
    WHERE y.practice_id = s.practice_id AND y.channel = 'email' AND y.recipient = e.email::text
      AND y.kind IN ('lead.new', 'notify.test') AND y.delivered_at IS NULL AND y.failed_at IS NULL
    FOR UPDATE SKIP LOCKED
  )
  UPDATE outbox x SET failed_at = now(), claim_token = NULL, claimed_until = NULL,
                      last_error = 'recipient removed', last_error_at = now()
  FROM doomed d WHERE x.id = d.id;
  GET DIAGNOSTICS v_failed = ROW_COUNT;
  PERFORM team_audit(s, 'notify.email_remove', 'success', 'notify_email', e.id::text,
                     jsonb_build_object('email', e.email::text, 'messages_dropped', v_failed));
  RETURN attempt_record('notify.email_remove', 'ok', s.account_id, s.id, p_affected => 1);
END
$$;

-- A test message to one endpoint (the id of a webhook or of an email
-- recipient of the practice): ok | not_found | denied.  To a disabled
-- webhook it fails at its claim ('endpoint disabled'): enable it first.
DROP FUNCTION IF EXISTS api.notify_test(text, uuid);
CREATE FUNCTION api.notify_test(p_token text, p_id uuid) RETURNS text
LANGUAGE plpgsql SECURITY DEFINER SET search_path = lumen, ext, pg_temp SET lock_timeout = '1s'
AS $$
DECLARE
  s sessions;
  v_denied text;
  w notify_webhooks;
  v_email text;
  v_payload jsonb;
  v_row bigint;
BEGIN
  s := session_check(p_token, 'practice');
  v_denied := notify_owner_gate(s, 'notify.test', 'notify_endpoint', p_id);
  IF v_denied IS NOT NULL THEN
    RETURN v_denied;
  END IF;
  v_payload := jsonb_build_object('practice_id', s.practice_id,
                                  'practice_name', team_practice_name(s.practice_id),
                                  'requested_by', (SELECT a.display_name FROM accounts a WHERE a.id = s.account_id));
  w := notify_webhook_of(s, p_id);
  IF w.id IS NOT NULL THEN
    v_row := notify_put_webhook(s.practice_id, 'notify.test', w.id, v_payload);
    PERFORM team_audit(s, 'notify.test', 'success', 'notify_webhook', w.id::text,
                       jsonb_build_object('host', notify_url_host(w.url)));
  ELSE
    SELECT e.email::text INTO v_email FROM notify_emails e
    WHERE e.id = p_id AND e.practice_id = s.practice_id AND e.removed_at IS NULL;
    IF v_email IS NULL THEN
      RETURN attempt_record('notify.test', 'not_found', s.account_id, s.id, p_affected => 0);
    END IF;
    v_row := outbox_put(s.practice_id, 'notify.test', v_email, v_payload);
    PERFORM team_audit(s, 'notify.test', 'success', 'notify_email', p_id::text,
                       jsonb_build_object('email', v_email));
  END IF;
  RETURN attempt_record('notify.test', 'ok', s.account_id, s.id, p_affected => 1,
                        p_info => jsonb_build_object('message_id',
                                                     (SELECT o.message_id FROM outbox o WHERE o.id = v_row)));
END
$$;

-- The link a lead alert carries: an https URL of at most 500 characters,
-- {lead_id} standing for the lead's id; NULL or '' clears it.  ok
-- (affected 0 when unchanged; no row) | denied.  A link that is none: LMV01.
DROP FUNCTION IF EXISTS api.notify_lead_link_set(text, text);
CREATE FUNCTION api.notify_lead_link_set(p_token text, p_link text) RETURNS text
LANGUAGE plpgsql SECURITY DEFINER SET search_path = lumen, ext, pg_temp SET lock_timeout = '1s'
AS $$
DECLARE
  s sessions;
  v_link text := nullif(btrim(p_link), '');
  v_problem text;
  v_before text;
BEGIN
  s := session_check(p_token, 'practice');
  IF role_if_permitted(s, 'practice.settings') IS NULL THEN
    RETURN team_denied(s, 'notify.lead_link_set', 'practice', s.practice_id::text,
                         jsonb_build_object('reason', 'role', 'after', left(v_link, 500)));
  END IF;
  IF v_link IS NOT NULL THEN
    IF length(v_link) > 500 THEN
      PERFORM fail('LMV01', 'link: at most 500 characters');
    END IF;
    v_problem := notify_url_problem(v_link);
    IF v_problem IS NOT NULL THEN
      PERFORM fail('LMV01', 'link: ' || v_problem);
    END IF;
    IF v_link !~ '^https://' THEN
      PERFORM fail('LMV01', 'link: must start with https://');
    END IF;
  END IF;
  IF team_self_role(s) IS DISTINCT FROM 'owner' THEN
    RETURN team_denied(s, 'notify.lead_link_set', 'practice', s.practice_id::text, '{"reason": "not_owner"}');
  END IF;
  -- No lock of the practice's row beyond the UPDATE's own (FOR NO KEY
  -- UPDATE, which a lead's foreign-key check does not wait on); the
  -- Owner's own calls already take turns (team_self_role).
  SELECT p.lead_link INTO v_before FROM practices p WHERE p.id = s.practice_id;
  IF v_before IS NOT DISTINCT FROM v_link THEN
    RETURN attempt_record('notify.lead_link_set', 'ok', s.account_id, s.id, p_affected => 0);
  END IF;
  UPDATE practices p SET lead_link = v_link WHERE p.id = s.practice_id;
  PERFORM team_audit(s, 'notify.lead_link_set', 'success', 'practice', s.practice_id::text,
                     jsonb_build_object('before', v_before, 'after', v_link));
  RETURN attempt_record('notify.lead_link_set', 'ok', s.account_id, s.id, p_affected => 1);
END
$$;
