-- 004: the pieces of the second factor: TOTP (RFC 6238), base32 (how
-- authenticator apps exchange secrets), sealing secrets at rest, and
-- one-time recovery codes.
SET LOCAL ROLE lumen_owner;
SET LOCAL search_path = lumen, ext, pg_temp;

-- ---------------------------------------------------------------------------
-- Base32 (RFC 4648 alphabet, no padding on output; input may be lower case
-- and may carry spaces, hyphens or '=' padding, as people copy it).
-- ---------------------------------------------------------------------------
CREATE FUNCTION base32_encode(p bytea) RETURNS text
LANGUAGE plpgsql IMMUTABLE STRICT SET search_path = lumen, ext, pg_temp
AS $$
DECLARE
  alphabet constant text := 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
  buf bigint := 0;
  bits integer := 0;
  out text := '';
BEGIN
  FOR i IN 0 .. octet_length(p) - 1 LOOP
    buf := (buf << 8) | get_byte(p, i);
    bits := bits + 8;
    WHILE bits >= 5 LOOP
      bits := bits - 5;
      out := out || substr(alphabet, ((buf >> bits) & 31)::integer + 1, 1);
    END LOOP;
    buf := buf & ((1::bigint << bits) - 1);
  END LOOP;
  IF bits > 0 THEN
    out := out || substr(alphabet, ((buf << (5 - bits)) & 31)::integer + 1, 1);
  END IF;
  RETURN out;
END
$$;

CREATE FUNCTION base32_decode(p text) RETURNS bytea
LANGUAGE plpgsql IMMUTABLE STRICT SET search_path = lumen, ext, pg_temp
AS $$
DECLARE
  alphabet constant text := 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
  s text := upper(regexp_replace(p, '[[:space:]=-]', '', 'g'));
  buf bigint := 0;
  bits integer := 0;
  v integer;
  out bytea := '\x';
BEGIN
  FOR i IN 1 .. length(s) LOOP
    v := strpos(alphabet, substr(s, i, 1)) - 1;
    IF v < 0 THEN
      RAISE EXCEPTION USING ERRCODE = 'LMV01', MESSAGE = 'not a base32 string';
    END IF;
    buf := (buf << 5) | v;
    bits := bits + 5;
    IF bits >= 8 THEN
      bits := bits - 8;
      out := out || set_byte('\x00'::bytea, 0, ((buf >> bits) & 255)::integer);
      buf := buf & ((1::bigint << bits) - 1);
    END IF;
  END LOOP;
  RETURN out;
END
$$;

-- ---------------------------------------------------------------------------
-- RFC 6238 TOTP with HMAC-SHA-1 (RFC 4226 dynamic truncation).  The step is
-- an argument, not a clock, so that the RFC's test vectors (8 digits) can be
-- checked; production uses 6 digits and totp_step(now()).
-- ---------------------------------------------------------------------------
CREATE FUNCTION totp_step(p_at timestamptz) RETURNS bigint
LANGUAGE sql IMMUTABLE STRICT SET search_path = lumen, ext, pg_temp
AS $$ SELECT floor(extract(epoch FROM p_at) / 30)::bigint $$;

CREATE FUNCTION totp(p_secret bytea, p_step bigint, p_digits integer DEFAULT 6) RETURNS text
LANGUAGE plpgsql IMMUTABLE STRICT SET search_path = lumen, ext, pg_temp
AS $$
DECLARE
  h bytea;
  o integer;
  bin bigint;
BEGIN
  IF p_digits NOT BETWEEN 6 AND 8 THEN
    RAISE EXCEPTION USING ERRCODE = 'LMV01', MESSAGE = 'TOTP digits must be 6 to 8';
  END IF;
  h := hmac(int8send(p_step), p_secret, 'sha1');      -- 8-byte big-endian counter
  o := get_byte(h, 19) & 15;
  bin := ((get_byte(h, o) & 127)::bigint << 24)
       | (get_byte(h, o + 1)::bigint << 16)
       | (get_byte(h, o + 2)::bigint << 8)
       |  get_byte(h, o + 3)::bigint;
  RETURN lpad((bin % power(10, p_digits)::bigint)::text, p_digits, '0');
END
$$;

-- ---------------------------------------------------------------------------
-- Secrets at rest: iv (16 random bytes) || AES-256-CBC(secret, PKCS#7), keyed
-- by server_secret.seal_key.  A copy of the accounts table alone (a dump, a
-- replica's leak) then yields no second factors.  TOTP has to be verified
-- with the secret itself, so it is encrypted, not hashed.
-- ---------------------------------------------------------------------------
CREATE FUNCTION secret_seal(p bytea) RETURNS bytea
LANGUAGE plpgsql STRICT SET search_path = lumen, ext, pg_temp
AS $$
DECLARE
  iv bytea := gen_random_bytes(16);
BEGIN
  RETURN iv || encrypt_iv(p, (SELECT s.seal_key FROM server_secret s), iv, 'aes-cbc/pad:pkcs');
END
$$;

CREATE FUNCTION secret_open(p bytea) RETURNS bytea
LANGUAGE sql STABLE STRICT SET search_path = lumen, ext, pg_temp
AS $$
  SELECT decrypt_iv(substr(p, 17), s.seal_key, substr(p, 1, 16), 'aes-cbc/pad:pkcs')
  FROM server_secret s
$$;

-- ---------------------------------------------------------------------------
-- Recovery codes: ten per account, shown once at enrollment, each good for
-- one sign-in.  Ten base32 characters (50 bits) shown as XXXXX-XXXXX; stored
-- as SHA-256 over the account id and the code, so a leaked table cannot be
-- matched against codes of other accounts.
-- ---------------------------------------------------------------------------
CREATE TABLE recovery_codes (
  id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  account_id      uuid NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
  code_hash       bytea NOT NULL CHECK (octet_length(code_hash) = 32),
  created_at      timestamptz NOT NULL DEFAULT now(),
  used_at         timestamptz,
  used_session_id uuid,
  UNIQUE (account_id, code_hash)
);

-- What a person types, made comparable: case, spaces and hyphens ignored.
CREATE FUNCTION code_normalize(p text) RETURNS text
LANGUAGE sql IMMUTABLE SET search_path = lumen, ext, pg_temp
AS $$ SELECT upper(regexp_replace(coalesce(p, ''), '[[:space:]-]', '', 'g')) $$;

CREATE FUNCTION recovery_hash(p_account uuid, p_code text) RETURNS bytea
LANGUAGE sql IMMUTABLE SET search_path = lumen, ext, pg_temp
AS $$ SELECT digest(convert_to(p_account::text || ':' || code_normalize(p_code), 'UTF8'), 'sha256') $$;

-- Replaces the account's codes with ten fresh ones and returns them (the
-- only time they exist in clear).  Used by 2FA enrollment.
CREATE FUNCTION recovery_codes_issue(p_account uuid) RETURNS SETOF text
LANGUAGE plpgsql SET search_path = lumen, ext, pg_temp
AS $$
DECLARE
  v_code text;
  v_n integer := 0;
BEGIN
  DELETE FROM recovery_codes r WHERE r.account_id = p_account;
  WHILE v_n < 10 LOOP
    v_code := substr(base32_encode(gen_random_bytes(7)), 1, 10);
    INSERT INTO recovery_codes (account_id, code_hash)
    VALUES (p_account, recovery_hash(p_account, v_code))
    ON CONFLICT DO NOTHING;
    IF FOUND THEN
      v_n := v_n + 1;
      RETURN NEXT substr(v_code, 1, 5) || '-' || substr(v_code, 6, 5);
    END IF;
  END LOOP;
END
$$;
