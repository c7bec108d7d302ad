-- Demo data: the sign-ins printed by `make demo` (DESIGN.md, "Interfaces that
-- stay stable").  Loaded by `make demo-db`, as a superuser, into a migrated
-- database, and again after this file changed; loading it again adds what
-- is missing and changes nothing else.
--
-- Every demo password is "lumen-demo-2026".  Each account has its own fixed
-- 16-byte salt; the verifier is sha256(K) with
--   K = crypto_pwhash(32 bytes, "lumen-demo-2026", salt,
--                     opslimit 2, memlimit 67108864, crypto_pwhash_ALG_ARGON2ID13)
-- computed once with libsodium by a throwaway program (salts from
-- randombytes_buf).  The salt/K pairs are in db/demo/README-kdf.txt so that a
-- unit test can re-derive K and check it.
--
-- owner@brightsmile.test has 2FA on with the TOTP secret JBSWY3DPEHPK3PXP
-- (base32), sealed with this database's own key at load time, and ten
-- recovery codes, fixed: the codes are in db/demo/recovery-codes.txt (make
-- demo prints them), only their hashes are here.
-- owner@harbortherapy.test is also a Viewer of Bright Smile Dental: a member
-- of two practices, who gets the practice picker after signing in.

DO $demo$
BEGIN
  IF EXISTS (SELECT 1 FROM lumen.accounts
             WHERE email IN ('owner@brightsmile.test', 'admin@brightsmile.test',
                             'viewer@brightsmile.test', 'owner@harbortherapy.test')) THEN
    RAISE NOTICE 'demo data already loaded; nothing to do';
    RETURN;
  END IF;

  INSERT INTO lumen.practices (id, name, vertical, timezone) VALUES
    ('a1000000-0000-4000-8000-000000000001', 'Bright Smile Dental',   'dental',  'America/Chicago'),
    ('a2000000-0000-4000-8000-000000000002', 'Harbor Family Therapy', 'therapy', 'America/New_York');

  INSERT INTO lumen.accounts (id, email, display_name, pw_salt, pw_opslimit, pw_memlimit, pw_verifier) VALUES
    ('c1000000-0000-4000-8000-000000000001', 'owner@brightsmile.test', 'Olivia Owner',
     '\xdf6204ac7116cb2908af88af53f4611a', 2, 67108864,
     '\xb38a98547db2eda8492abc4cf13ac6fc56ef966650b7c968787c4d239a07a6ea'),
    ('c1000000-0000-4000-8000-000000000002', 'admin@brightsmile.test', 'Adam Admin',
     '\x99ac4436b49b85fae22c1ba1f97ff8e4', 2, 67108864,
     '\xbb3867aefd634d74f78cfa4c53154146f87429af9195d6bf5fbb4fad86e30d3b'),
    ('c1000000-0000-4000-8000-000000000003', 'viewer@brightsmile.test', 'Vera Viewer',
     '\xd27e611f82d66fdc6304d07a9fa8f09f', 2, 67108864,
     '\x7b2f01c47baab7946a22364d97f19549e09572f627d22d712e4e40613fcd04ec'),
    ('c2000000-0000-4000-8000-000000000004', 'owner@harbortherapy.test', 'Hannah Harbor',
     '\x90f931edefc58b2f303ebd5cea6a3eff', 2, 67108864,
     '\x15c974f738a8432a81d2e67454778d4bd26f1352700369f352a48ffb49e318e2');

  UPDATE lumen.accounts
     SET mfa_enabled = true,
         totp_secret_enc = lumen.secret_seal(lumen.base32_decode('JBSWY3DPEHPK3PXP'))
   WHERE id = 'c1000000-0000-4000-8000-000000000001';

  INSERT INTO lumen.memberships (practice_id, account_id, role) VALUES
    ('a1000000-0000-4000-8000-000000000001', 'c1000000-0000-4000-8000-000000000001', 'owner'),
    ('a1000000-0000-4000-8000-000000000001', 'c1000000-0000-4000-8000-000000000002', 'admin'),
    ('a1000000-0000-4000-8000-000000000001', 'c1000000-0000-4000-8000-000000000003', 'viewer'),
    ('a2000000-0000-4000-8000-000000000002', 'c2000000-0000-4000-8000-000000000004', 'owner');
END
$demo$;

-- Added after the first demo data: each part on its own, so that loading
-- this file again into demo data loaded before adds what is new (make
-- demo-db does when the file changed) and changes nothing else.
INSERT INTO lumen.memberships (practice_id, account_id, role) VALUES
  ('a1000000-0000-4000-8000-000000000001', 'c2000000-0000-4000-8000-000000000004', 'viewer')
ON CONFLICT DO NOTHING;

-- recovery_hash(owner, code) of each code in db/demo/recovery-codes.txt;
-- only where the owner has none, so codes used (or re-issued) stay so.
INSERT INTO lumen.recovery_codes (account_id, code_hash)
SELECT 'c1000000-0000-4000-8000-000000000001', h.code_hash
FROM (VALUES
  ('\xc0f779cf4a019380d5977e630d01b80cc2051dcc2b7929c3c180cc5607485f60'::bytea),
  ('\x079b0408bad474fb2a4371d1e68d3ab45b225eeb119b7762d9b652cde935ea38'::bytea),
  ('\x50d0294c06ea56c5a6e601dabdc697c333880fe4aac952972a4d839d644e283b'::bytea),
  ('\xd29414015000c69ca8702fd7f08c356c9a42ece9c64fede2828f3a5a32076159'::bytea),
  ('\xc128dbf0a9d38601e526fdbd89ce720a76e12f94469a0914cb2197f7f8e74415'::bytea),
  ('\x9733f076b6e7642f2a537ea4ca351d4e26a60a2a63727df0684a445138836953'::bytea),
  ('\xd6d2a678997f9c28a0f744fdb8620a29546a981817e520c96c2a705e6ceba27c'::bytea),
  ('\x2a909681001fba7b08531b9c41137fc93320f44d9821fb9da7957dfd697380d7'::bytea),
  ('\xc618d0e8ff9495637e1ddd9d0312bbbbcd7306ce940758a670e8cb1e5aca4d79'::bytea),
  ('\x351b3803d0b8266333683bf5276926d5f6129c8b217cef8d5bfc9fd39ff38bd0'::bytea)
) AS h (code_hash)
WHERE NOT EXISTS (SELECT 1 FROM lumen.recovery_codes r
                  WHERE r.account_id = 'c1000000-0000-4000-8000-000000000001');
