-- 017: the daily audit checkpoint through the outbox (DESIGN.md, "Threat
-- model": a superuser can rewrite history; the chain shows it against any
-- head verified or sent out earlier).  Once a day `lumen notify` calls
-- notify.checkpoints() (db/api/95_checkpoint.sql), which writes, for each
-- practice that is not closed, one audit.checkpoint message with the head
-- of its chain (seq and hash, as `lumen audit verify` prints them) to its
-- Owner by email and to its webhooks.  A head that has left the database
-- is one a later rewrite cannot take back.
--
-- This file: the outbox kind, the table of each practice's last
-- checkpoint, and the deliverer's view of the practices (it names every
-- practice it checkpoints).  Stands on 016 (notify_scope_all, the outbox's
-- channels) and 007 (the chain and its heads).
SET LOCAL ROLE lumen_owner;
SET LOCAL search_path = lumen, ext, pg_temp;

ALTER TABLE outbox DROP CONSTRAINT outbox_kind_check;
ALTER TABLE outbox ADD CONSTRAINT outbox_kind_check
  CHECK (kind IN ('member.invite', 'member.remove', 'member.role_change', 'practice.transfer',
                  'mfa.enroll', 'mfa.disable', 'password.change', 'session.revoke_all',
                  'lead.new', 'login.new_origin', 'notify.failed', 'notify.test',
                  'audit.checkpoint'));

-- Each practice's last checkpoint: when it was written and the head it
-- carried.  One row per practice, replaced each day; the primary key is
-- what makes two deliverers calling at once write one (INSERT ... ON
-- CONFLICT ... WHERE it is 24 hours old).
CREATE TABLE audit_checkpoints (
  practice_id uuid PRIMARY KEY REFERENCES practices (id) ON DELETE CASCADE,
  sent_at     timestamptz NOT NULL,
  head_seq    bigint NOT NULL CHECK (head_seq >= 0),
  head_hash   bytea NOT NULL CHECK (octet_length(head_hash) = 32)
);
ALTER TABLE audit_checkpoints ENABLE ROW LEVEL SECURITY;
ALTER TABLE audit_checkpoints FORCE ROW LEVEL SECURITY;
CREATE POLICY audit_checkpoints_scope ON audit_checkpoints
  USING (practice_id = current_practice() OR notify_scope_all());
REVOKE ALL ON audit_checkpoints FROM PUBLIC;

-- The deliverer reads every practice's name and whether it is closed
-- (only inside the notify.* functions, with lumen.notify_scope = 'all':
-- 016's rule).  Read only; a client's view of practices is unchanged.
CREATE POLICY practices_notify ON practices FOR SELECT
  USING (notify_scope_all());
RESET ROLE;
