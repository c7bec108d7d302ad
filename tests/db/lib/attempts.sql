-- Shared by the pgTAP files (\ir lib/attempts.sql after BEGIN): the guess
-- functions answer an attempt id whose outcome api.attempt_result tells
-- only after a commit, and a pgTAP file runs in one transaction that it
-- rolls back.  These helpers make the attempt through the api and read its
-- outcome with lumen.attempt_open(id, false), which is the same reading
-- without the commit check (tests/db/hostile.t covers that check).  They
-- return what the api returned before issue 13, so the tests read the same.

CREATE FUNCTION pg_temp.api_login(p_email text, p_key bytea, p_client jsonb DEFAULT '{}')
RETURNS TABLE (status text, token text, session_id uuid, mfa_required boolean, retry_after_s integer)
LANGUAGE sql AS $$
  SELECT r.status, r.token, r.session_id, coalesce(r.mfa_required, false), r.retry_after_s
  FROM lumen.attempt_open(api.login(p_email, p_key, p_client), false) r
$$;

CREATE FUNCTION pg_temp.api_mfa_verify(p_token text, p_code text)
RETURNS TABLE (status text, recovery_codes_left integer)
LANGUAGE sql AS $$
  SELECT r.status, r.recovery_codes_left
  FROM lumen.attempt_open(api.mfa_verify(p_token, p_code), false) r
$$;

CREATE FUNCTION pg_temp.api_unlock(p_token text, p_key bytea, p_code text DEFAULT NULL)
RETURNS TABLE (status text, retry_after_s integer)
LANGUAGE sql AS $$
  SELECT r.status, r.retry_after_s
  FROM lumen.attempt_open(api.unlock(p_token, p_key, p_code), false) r
$$;
