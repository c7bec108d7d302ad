-- Demo data: the sign-ins printed by `make demo` (DESIGN.md, "Interfaces that
-- stay stable").  Loaded once by `make demo-db`, as a superuser, into a
-- migrated database; loading it again changes nothing.
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
-- (base32), sealed with this database's own key at load time.

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
