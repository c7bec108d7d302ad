-- Shared by the lead pgTAP files (\ir lib/leads.sql after lib/attempts.sql).
-- A pgTAP file runs in one transaction, so a read grant is never committed
-- there and every grant reader would answer LMG01: pg_temp.committed marks
-- a grant as made by a committed transaction (xid 2, FrozenTransactionId,
-- which pg_xact_status calls committed).  tests/db/hostile.t checks the
-- real thing in autocommit.  A write's status is read as attempts.sql
-- reads a guess's, with lumen.attempt_open(id, false).

-- The stretched key K of a fixture account (the tests stand in for Argon2id).
CREATE FUNCTION pg_temp.key(p_email text) RETURNS bytea
LANGUAGE sql AS $$ SELECT ext.digest('key:' || lower(p_email), 'sha256') $$;

-- An account (made once) and its membership.
CREATE FUNCTION pg_temp.member(p_email text, p_practice uuid, p_role text) RETURNS uuid
LANGUAGE plpgsql AS $$
DECLARE v uuid;
BEGIN
  SELECT a.id INTO v FROM lumen.accounts a WHERE a.email = p_email::ext.citext;
  IF v IS NULL THEN
    INSERT INTO lumen.accounts (email, display_name, pw_salt, pw_verifier)
    VALUES (p_email, initcap(split_part(p_email, '@', 1)), ext.gen_random_bytes(16),
            ext.digest(pg_temp.key(p_email), 'sha256'))
    RETURNING id INTO v;
  END IF;
  INSERT INTO lumen.memberships (practice_id, account_id, role) VALUES (p_practice, v, p_role);
  RETURN v;
END
$$;

CREATE FUNCTION pg_temp.token(p_email text) RETURNS text
LANGUAGE sql AS $$ SELECT token FROM pg_temp.api_login(p_email, pg_temp.key(p_email), '{}') $$;

CREATE FUNCTION pg_temp.committed(p_grant text) RETURNS text
LANGUAGE sql AS $$
  UPDATE lumen.read_grants SET created_xid = '2'
   WHERE handle_hash = ext.digest(decode(p_grant, 'hex'), 'sha256');
  SELECT p_grant;
$$;

-- A write's answer as "status affected" (e.g. "ok 2", "denied 0").
CREATE FUNCTION pg_temp.change(p_attempt text) RETURNS text
LANGUAGE sql AS $$
  SELECT r.status || ' ' || coalesce(r.affected::text, '-') FROM lumen.attempt_open(p_attempt, false) r
$$;

-- Runs p_sql as p_role and answers 'ok' or the SQLSTATE it failed with.
CREATE FUNCTION pg_temp.sqlstate_as(p_role text, p_sql text) RETURNS text
LANGUAGE plpgsql AS $$
BEGIN
  BEGIN
    EXECUTE format('SET LOCAL ROLE %I', p_role);
    EXECUTE p_sql;
    RESET ROLE;
    RETURN 'ok';
  EXCEPTION WHEN OTHERS THEN
    RETURN SQLSTATE;
  END;
END
$$;

-- A lead straight into a practice (through ingest.lead_capture, with a key
-- of that practice): p_fields as the chatbot sends them.
CREATE FUNCTION pg_temp.lead(p_practice uuid, p_fields jsonb) RETURNS bigint
LANGUAGE sql AS $$ SELECT ingest.lead_capture(lumen.ingest_key_new(p_practice), p_fields) $$;

CREATE FUNCTION pg_temp.stale_step_up(p_token text) RETURNS void
LANGUAGE sql AS $$
  UPDATE lumen.sessions SET step_up_at = now() - interval '11 minutes'
   WHERE token_hash = ext.digest(decode(p_token, 'hex'), 'sha256');
$$;
