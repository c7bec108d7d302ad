-- 016: notifications (issue 11): the practice's endpoints (signed
-- webhooks and the email recipients of lead alerts), the outbox grown for
-- delivery by `lumen notify`, and the deliverer's own login role.
--
-- The contract agreed between backend, deliverer and screens is
-- /work/spec-notify.md; the reference is db/API.md, "Notifications".  The
-- functions are in db/api/90_notify.sql (repeatable): the writers, the
-- rendering, schema notify (the deliverer's) and the Owner's api.*.  This
-- file holds the tables, the role and schema, the row-level security and
-- the two triggers.
--
-- It stands on 013 (the outbox, outbox_put, attempts with a secret and
-- info), 009 (a login role of its own and a schema for it, as lumen_ingest
-- and ingest) and 004 (secret_seal/secret_open).
--
-- lumen_notify  LOGIN NOINHERIT.  USAGE on schema notify and EXECUTE on its
--               functions (SECURITY DEFINER): claim due rows, report how
--               each went, read counts.  No table, no api function, nothing
--               in lumen.  The webhooks' secrets never leave the database:
--               notify.claim answers the signature, not the key.

DO $$
BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'lumen_notify') THEN
    CREATE ROLE lumen_notify LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOBYPASSRLS NOINHERIT;
  END IF;
  -- Roles are cluster-wide, CONNECT is per database (and is not copied by
  -- createdb -T), as lumen_ingest's (009).
  EXECUTE format('GRANT CONNECT ON DATABASE %I TO lumen_notify', current_database());
END
$$;

-- The deliverer's schema, made by the migrator as 009 made ingest.
CREATE SCHEMA notify AUTHORIZATION lumen_owner;
REVOKE ALL ON SCHEMA notify FROM PUBLIC;
GRANT USAGE ON SCHEMA notify TO lumen_notify;

SET LOCAL ROLE lumen_owner;
SET LOCAL search_path = lumen, ext, pg_temp;

-- Functions lumen_owner makes in notify are executable by lumen_notify
-- only (001 revoked EXECUTE from PUBLIC for all of lumen_owner's; 008 gives
-- lumen_api those in api, not these).
ALTER DEFAULT PRIVILEGES FOR ROLE lumen_owner IN SCHEMA notify
  GRANT EXECUTE ON FUNCTIONS TO lumen_notify;

-- ===========================================================================
-- The deliverer sees every practice.  Row-level security (forced) keys the
-- tables below on the practice in the context, as every practice table;
-- the notify.* functions also see every practice's rows: each sets
-- lumen.notify_scope = 'all' for its own duration (notify_scope_enter and
-- _leave, db/api/90_notify.sql: a function's SET clause may not name a
-- custom setting without a superuser's grant) and the policy believes it
-- only when the connection's login role is lumen_notify or a member of it
-- (a superuser is a member of every role).
-- Any role may SET lumen.notify_scope itself; a client's login role is no
-- member of lumen_notify, so for an api function it changes nothing.
-- Built-ins only, named in pg_catalog, no SET clause: the planner may
-- inline it into the policies as it does current_practice().
-- ===========================================================================
CREATE FUNCTION notify_scope_all() RETURNS boolean
LANGUAGE sql STABLE
AS $$
  SELECT coalesce(pg_catalog.current_setting('lumen.notify_scope', true), '') = 'all'
         AND pg_catalog.pg_has_role(session_user, 'lumen_notify', 'MEMBER')
$$;

-- ===========================================================================
-- A URL an Owner enters (a webhook, the lead link): what is wrong with it,
-- or NULL.  http or https (lower case), printable ASCII only (no spaces,
-- no control characters; a non-ASCII host is given in its xn-- form, other
-- characters percent-encoded), at most 2048 characters, a host (a name, an
-- IPv4 address or an [IPv6] one), an optional port 1..65535, and no user
-- name or password (they would be logged, and `user@host` reads as
-- another host to a person).  The deliverer checks where the host resolves
-- to before every delivery; this only keeps nonsense out.
-- ===========================================================================
CREATE FUNCTION notify_url_problem(p_url text) RETURNS text
LANGUAGE plpgsql IMMUTABLE SET search_path = lumen, ext, pg_temp
AS $$
DECLARE
  v_auth text;
  v_port text;
BEGIN
  IF p_url IS NULL OR p_url = '' THEN
    RETURN 'missing';
  END IF;
  IF length(p_url) > 2048 THEN
    RETURN 'at most 2048 characters';
  END IF;
  IF p_url !~ '^[!-~]+$' THEN
    RETURN 'no spaces, control characters or non-ASCII characters (percent-encode them)';
  END IF;
  IF p_url !~ '^https?://' THEN
    RETURN 'must start with https:// or http://';
  END IF;
  v_auth := substring(p_url FROM '^https?://([^/?#]*)');
  IF v_auth LIKE '%@%' THEN
    RETURN 'no user name or password in the URL';
  END IF;
  IF v_auth ~ '^\[' THEN
    IF v_auth !~ '^\[[0-9A-Fa-f:.]*:[0-9A-Fa-f:.]*\](:[0-9]*)?$' THEN
      RETURN 'not a valid host';
    END IF;
    v_port := substring(v_auth FROM '\]:([0-9]*)$');
  ELSE
    IF split_part(v_auth, ':', 1) = '' THEN
      RETURN 'no host';
    END IF;
    IF v_auth !~ '^[A-Za-z0-9_-]+(\.[A-Za-z0-9_-]+)*\.?(:[0-9]*)?$' THEN
      RETURN 'not a valid host';
    END IF;
    v_port := substring(v_auth FROM ':([0-9]*)$');
  END IF;
  IF v_port IS NOT NULL THEN
    IF v_port !~ '^[0-9]{1,5}$' THEN
      RETURN 'port: 1 to 65535';
    ELSIF v_port::integer NOT BETWEEN 1 AND 65535 THEN
      RETURN 'port: 1 to 65535';
    END IF;
  END IF;
  RETURN NULL;
END
$$;

-- ===========================================================================
-- Webhooks: per practice, Owner-entered, at most 10 not removed (the api
-- says so; api.notify_webhook_add).  Disabled by a 410 from the receiver
-- (disabled_reason 'HTTP 410 Gone') until the Owner enables it again;
-- removed for good (kept: its outbox rows name it).
-- ===========================================================================
CREATE TABLE notify_webhooks (
  id              uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  practice_id     uuid NOT NULL REFERENCES practices (id) ON DELETE CASCADE,
  url             text NOT NULL CHECK (notify_url_problem(url) IS NULL),
  description     text CHECK (length(description) BETWEEN 1 AND 200),
  created_at      timestamptz NOT NULL DEFAULT now(),
  created_by      uuid REFERENCES accounts (id) ON DELETE SET NULL,
  disabled_at     timestamptz,
  disabled_reason text CHECK (length(disabled_reason) <= 200),
  removed_at      timestamptz
);
-- One live endpoint per URL and practice ('exists').
CREATE UNIQUE INDEX notify_webhooks_url ON notify_webhooks (practice_id, url) WHERE removed_at IS NULL;

-- Secrets: `whsec_` + base64 of 32 random bytes, sealed (secret_seal, 004):
-- a dump of the table yields no key.  Several are active at once: a
-- rotation adds one and gives the old ones 24 hours (expires_at), during
-- which every delivery is signed with each (Standard Webhooks: several
-- `v1,` signatures), so the receiver can switch without losing one.
-- practice_id repeats the webhook's, for row-level security.
CREATE TABLE notify_webhook_secrets (
  id            uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  practice_id   uuid NOT NULL REFERENCES practices (id) ON DELETE CASCADE,
  webhook_id    uuid NOT NULL REFERENCES notify_webhooks (id) ON DELETE CASCADE,
  secret_sealed bytea NOT NULL,
  created_at    timestamptz NOT NULL DEFAULT now(),
  expires_at    timestamptz                  -- NULL: active until a rotation
);
CREATE INDEX notify_webhook_secrets_webhook ON notify_webhook_secrets (webhook_id, created_at);

-- The email recipients of lead alerts (and of a test): at most 20 not
-- removed per practice (the api says so), one per address.
CREATE TABLE notify_emails (
  id          uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  practice_id uuid NOT NULL REFERENCES practices (id) ON DELETE CASCADE,
  email       ext.citext NOT NULL
              CHECK (length(email) <= 254 AND email ~ '^[^@[:space:]]+@[^@[:space:]]+$'),
  created_at  timestamptz NOT NULL DEFAULT now(),
  created_by  uuid REFERENCES accounts (id) ON DELETE SET NULL,
  removed_at  timestamptz
);
CREATE UNIQUE INDEX notify_emails_email ON notify_emails (practice_id, email) WHERE removed_at IS NULL;

-- The link a lead alert carries: NULL, or an https URL of at most 500
-- characters, in which {lead_id} stands for the (first) lead's id.
ALTER TABLE practices ADD COLUMN lead_link text
  CHECK (lead_link IS NULL OR (length(lead_link) <= 500 AND lead_link ~ '^https://'
                               AND notify_url_problem(lead_link) IS NULL));

-- ===========================================================================
-- Where each account has signed in from: the pair (the address the server
-- saw, 'local' for a Unix socket; the first word of the origin the client
-- reported, '' when none).  A sign-in from a pair the account has not
-- used before writes login.new_origin to the account (db/api/90_notify.sql,
-- notify_origin_seen); the first pair ever is recorded silently.  The 50
-- most recent pairs are kept.  Row-level security on the account in the
-- context, as its sessions.
-- ===========================================================================
CREATE TABLE account_origins (
  account_id    uuid NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
  server_addr   text NOT NULL CHECK (length(server_addr) BETWEEN 1 AND 64),
  reported_addr text NOT NULL DEFAULT '' CHECK (length(reported_addr) <= 255),
  first_seen    timestamptz NOT NULL DEFAULT now(),
  last_seen     timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (account_id, server_addr, reported_addr)
);
CREATE INDEX account_origins_recent ON account_origins (account_id, last_seen DESC);

-- ===========================================================================
-- The outbox grows what delivery needs.
--   channel        'email' (recipient: an address) or 'webhook' (webhook_id
--                  set, recipient: the webhook's id as text)
--   claim_token    the deliverer's current claim (notify.claim), with its
--   claimed_until  lease: a claim that lapsed may be taken again, and a
--                  report under a claim that is no longer the row's
--                  current one changes nothing
--   last_status    the last HTTP status (NULL: a transport error)
--   last_attempt_at, last_error_at   when it was last tried, last failed
-- New kinds: lead.new (a lead alert), login.new_origin (to the account),
-- notify.failed (to the practice's Owner), notify.test.
-- ===========================================================================
ALTER TABLE outbox DROP CONSTRAINT outbox_kind_check;
ALTER TABLE outbox ADD CONSTRAINT outbox_kind_check
  CHECK (kind IN ('member.invite', 'member.remove', 'member.role_change', 'practice.transfer',
                  'mfa.enroll', 'mfa.disable', 'password.change', 'session.revoke_all',
                  'lead.new', 'login.new_origin', 'notify.failed', 'notify.test'));
ALTER TABLE outbox ADD COLUMN channel text NOT NULL DEFAULT 'email'
  CHECK (channel IN ('email', 'webhook'));
ALTER TABLE outbox ADD COLUMN webhook_id uuid REFERENCES notify_webhooks (id) ON DELETE CASCADE;
ALTER TABLE outbox ADD COLUMN claim_token uuid;
ALTER TABLE outbox ADD COLUMN claimed_until timestamptz;
ALTER TABLE outbox ADD COLUMN last_status integer;
ALTER TABLE outbox ADD COLUMN last_attempt_at timestamptz;
ALTER TABLE outbox ADD COLUMN last_error_at timestamptz;
ALTER TABLE outbox ADD CONSTRAINT outbox_channel_webhook
  CHECK ((channel = 'webhook') = (webhook_id IS NOT NULL)
         AND (webhook_id IS NULL OR (recipient = webhook_id::text AND practice_id IS NOT NULL)));
ALTER TABLE outbox ADD CONSTRAINT outbox_claim CHECK ((claim_token IS NULL) = (claimed_until IS NULL));
ALTER TABLE outbox ADD CONSTRAINT outbox_last_error CHECK (length(last_error) <= 300);

-- A lead alert still waiting untouched, per destination (coalescing).
CREATE INDEX outbox_lead_waiting ON outbox (practice_id, channel, recipient, id)
  WHERE kind = 'lead.new' AND attempts = 0 AND claim_token IS NULL
    AND delivered_at IS NULL AND failed_at IS NULL;
-- A webhook's rows (its counts; failing them when it is gone).
CREATE INDEX outbox_webhook ON outbox (webhook_id, id) WHERE webhook_id IS NOT NULL;
-- An email recipient's rows (its counts).
CREATE INDEX outbox_recipient ON outbox (practice_id, recipient, id) WHERE channel = 'email';
-- The practice's failed and retrying rows, newest attempt first.
CREATE INDEX outbox_trouble ON outbox (practice_id, last_attempt_at DESC, id DESC)
  WHERE delivered_at IS NULL AND (failed_at IS NOT NULL OR attempts > 0);

-- The deliverer LISTENs on lumen_outbox: one wake-up per statement that
-- wrote rows, at commit (nothing on a rollback).  It carries nothing; any
-- role may LISTEN, and learns only that something was written somewhere.
CREATE FUNCTION outbox_wake() RETURNS trigger
LANGUAGE plpgsql SET search_path = lumen, ext, pg_temp
AS $$
BEGIN
  PERFORM pg_notify('lumen_outbox', '');
  RETURN NULL;
END
$$;
CREATE TRIGGER outbox_wake AFTER INSERT ON outbox FOR EACH STATEMENT EXECUTE FUNCTION outbox_wake();

-- A sign-in becomes a live session when its row is made with the factor
-- satisfied (no 2FA: attempt_open) or the factor is satisfied later
-- (api.mfa_verify): then the origin pair is recorded (notify_origin_seen,
-- db/api/90_notify.sql), in the same transaction.
CREATE FUNCTION sessions_live() RETURNS trigger
LANGUAGE plpgsql SET search_path = lumen, ext, pg_temp
AS $$
BEGIN
  PERFORM notify_origin_seen(NEW);
  RETURN NULL;
END
$$;
CREATE TRIGGER sessions_live_insert AFTER INSERT ON sessions
  FOR EACH ROW WHEN (NEW.mfa_satisfied) EXECUTE FUNCTION sessions_live();
CREATE TRIGGER sessions_live_factor AFTER UPDATE OF mfa_satisfied ON sessions
  FOR EACH ROW WHEN (NEW.mfa_satisfied AND NOT OLD.mfa_satisfied) EXECUTE FUNCTION sessions_live();

-- ===========================================================================
-- Row-level security, forced: the practice in the context, or (the
-- deliverer) every practice; account_origins the account in the context.
-- No grant to anyone but their owner.
-- ===========================================================================
ALTER TABLE notify_webhooks ENABLE ROW LEVEL SECURITY;
ALTER TABLE notify_webhooks FORCE ROW LEVEL SECURITY;
ALTER TABLE notify_webhook_secrets ENABLE ROW LEVEL SECURITY;
ALTER TABLE notify_webhook_secrets FORCE ROW LEVEL SECURITY;
ALTER TABLE notify_emails ENABLE ROW LEVEL SECURITY;
ALTER TABLE notify_emails FORCE ROW LEVEL SECURITY;
ALTER TABLE account_origins ENABLE ROW LEVEL SECURITY;
ALTER TABLE account_origins FORCE ROW LEVEL SECURITY;
CREATE POLICY notify_webhooks_scope ON notify_webhooks
  USING (practice_id = current_practice() OR notify_scope_all());
CREATE POLICY notify_webhook_secrets_scope ON notify_webhook_secrets
  USING (practice_id = current_practice() OR notify_scope_all());
CREATE POLICY notify_emails_scope ON notify_emails
  USING (practice_id = current_practice() OR notify_scope_all());
CREATE POLICY account_origins_scope ON account_origins
  USING (account_id = current_account());
DROP POLICY outbox_scope ON outbox;
CREATE POLICY outbox_scope ON outbox
  USING (practice_id = current_practice()
         OR (practice_id IS NULL AND current_practice() IS NULL)
         OR notify_scope_all());
REVOKE ALL ON notify_webhooks, notify_webhook_secrets, notify_emails, account_origins FROM PUBLIC;
RESET ROLE;
