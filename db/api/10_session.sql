-- The sign-in and session api: login_begin, logout, me.  Repeatable: run
-- again by `lumen db migrate`, after every migration, whenever this text
-- changes (client/migrate.h).  So each function is dropped and created
-- afresh (a return type may change) as lumen_owner, whose default
-- privileges (001) give EXECUTE to the client and to nobody else.
-- api.login, api.mfa_verify and api.unlock still live in the migrations
-- (005, 006).  Reference for the client: db/API.md.
SET LOCAL ROLE lumen_owner;
SET LOCAL search_path = lumen, ext, pg_temp;

-- Step 1 of sign-in: the salt and Argon2id limits to stretch the password
-- with.  For an unknown email: a salt derived from the email and a server
-- secret (stable, unpredictable) and the default limits, the same shape as
-- an account with default limits.
DROP FUNCTION IF EXISTS api.login_begin(text);
CREATE FUNCTION api.login_begin(p_email text)
RETURNS TABLE (salt bytea, opslimit bigint, memlimit bigint)
LANGUAGE plpgsql SECURITY DEFINER SET search_path = lumen, ext, pg_temp SET lock_timeout = '1s'
AS $$
#variable_conflict use_column
DECLARE
  v_email text;
  v_fake bytea;
BEGIN
  PERFORM context_clear();
  v_email := email_norm(p_email);
  -- Computed for every email, so both answers cost the same.
  v_fake := substr(hmac(convert_to(v_email, 'UTF8'),
                        (SELECT s.email_salt_key FROM server_secret s), 'sha256'), 1, 16);
  RETURN QUERY
    SELECT a.pw_salt, a.pw_opslimit, a.pw_memlimit
    FROM accounts a WHERE a.email = v_email::ext.citext;
  IF NOT FOUND THEN
    RETURN QUERY SELECT v_fake, 2::bigint, 67108864::bigint;
  END IF;
END
$$;

-- Sign out: revokes the session.  Also while a second factor is owed and on
-- a locked (idle-expired) session: signing out always ends it.
DROP FUNCTION IF EXISTS api.logout(text);
CREATE FUNCTION api.logout(p_token text) RETURNS void
LANGUAGE plpgsql SECURITY DEFINER SET search_path = lumen, ext, pg_temp SET lock_timeout = '1s'
AS $$
DECLARE
  s sessions;
  v_email text;
BEGIN
  s := session_check(p_token, 'end');
  UPDATE sessions x SET revoked_at = now(), revoked_why = 'logout' WHERE x.id = s.id;
  SELECT a.email::text INTO v_email FROM accounts a WHERE a.id = s.account_id;
  PERFORM audit_account_event(s.account_id, s.practice_id, 'logout', 'success', v_email, s.id,
                              s.reported_origin, '{}');
END
$$;

-- Who is signed in, where, as what, and what the role may do.  Practice,
-- its name and zone and the role are NULL until a practice is chosen.
-- idle_timeout_s / absolute_timeout_s are the session's limits in seconds
-- (the idle lock of the client uses the first).
DROP FUNCTION IF EXISTS api.me(text);
CREATE FUNCTION api.me(p_token text)
RETURNS TABLE (account_id uuid, email text, display_name text, practice_id uuid,
               practice_name text, practice_timezone text, role text, mfa_enabled boolean,
               idle_timeout_s integer, absolute_timeout_s integer, session_id uuid,
               permissions text[])
LANGUAGE plpgsql SECURITY DEFINER SET search_path = lumen, ext, pg_temp SET lock_timeout = '1s'
AS $$
#variable_conflict use_column
DECLARE
  s sessions;
BEGIN
  s := session_check(p_token, 'account');
  RETURN QUERY
    SELECT a.id, a.email::text, a.display_name, p.id, p.name, p.timezone, m.role, a.mfa_enabled,
           extract(epoch FROM s.idle_timeout)::integer,
           extract(epoch FROM s.absolute_expires_at - s.created_at)::integer,
           s.id, role_permissions(m.role)
    FROM accounts a
    LEFT JOIN memberships m ON m.account_id = a.id AND m.practice_id = s.practice_id
    LEFT JOIN practices p ON p.id = m.practice_id
    WHERE a.id = s.account_id;
END
$$;
