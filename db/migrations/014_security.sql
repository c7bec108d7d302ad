-- 014: account security (issue 10): 2FA enrollment, recovery codes,
-- disabling 2FA, password change, the account's sessions.
--
-- The api functions are in db/api/70_security.sql (repeatable), with the
-- lumen.* helpers only they use; the contract agreed with the client and
-- the screens is /work/spec-team-sec.md, summed up in db/API.md
-- ("Account security").  What they stand on is in 013 (sessions_end, the
-- wake-up, the outbox, attempts with a secret).  Here only the one thing a
-- table must hold: an enrollment not yet confirmed.
--
-- Every function that takes a guess (a code to confirm enrollment or to
-- disable 2FA, the current password's key) answers an attempt id, as the
-- guesses of 007 do: the count and the audit row commit before the caller
-- can learn the outcome.
SET LOCAL ROLE lumen_owner;
SET LOCAL search_path = lumen, ext, pg_temp;

-- ---------------------------------------------------------------------------
-- A pending enrollment: the secret api.mfa_enroll_begin generated (sealed,
-- as totp_secret_enc is: secret_seal of 004) and when.  It lapses 10
-- minutes after totp_pending_at; a new begin replaces it; a confirmation
-- moves it to totp_secret_enc.  Nothing else reads it: an account with a
-- pending secret and 2FA off signs in with its password alone.
-- ---------------------------------------------------------------------------
ALTER TABLE accounts ADD COLUMN totp_pending_enc bytea;
ALTER TABLE accounts ADD COLUMN totp_pending_at timestamptz;
ALTER TABLE accounts ADD CONSTRAINT accounts_totp_pending
  CHECK ((totp_pending_enc IS NULL) = (totp_pending_at IS NULL));
RESET ROLE;
