-- 010: the audit log viewer (issue 8): read grants for reading the log, and
-- the indexes that let it page through ten million rows of one practice,
-- newest first, under each filter.
--
-- The contract agreed with the client and the screens is /work/spec-audit.md
-- (summed up in db/API.md, "The audit log viewer").  The api functions are
-- in db/api/60_audit.sql (repeatable).  Reading the log is an audited read
-- like the inbox's (009): *_open writes the audit.view / audit.export row
-- and a read grant; the rows come with the grant once it has committed.
--
-- Nothing here, or anywhere in Lumen, deletes audit rows (db/API.md,
-- "Retention").

SET LOCAL ROLE lumen_owner;
SET LOCAL search_path = lumen, ext, pg_temp;

-- ===========================================================================
-- Read grants of two more kinds.
-- ===========================================================================
ALTER TABLE read_grants DROP CONSTRAINT read_grants_kind_check;
ALTER TABLE read_grants ADD CONSTRAINT read_grants_kind_check
  CHECK (kind IN ('lead.list', 'lead.view', 'lead.export', 'audit.view', 'audit.export'));

-- ===========================================================================
-- Indexes on audit.audit_log, made by its owner.  Every page the viewer
-- draws is "the newest rows of one practice in [from, to) that pass the
-- filter, from a key on": each index below is (practice, what a filter
-- fixes, at, id), so that the page walks one index backwards from the key
-- and stops at the limit.  A filter of several values (outcomes, the
-- actions of a prefix, the emails an actor substring matches) runs one
-- such walk per value and merges them (lumen.audit_page_sql).
--   no filter          audit_log_at (practice_id, at, id), 003, backwards
--   actor (account id) audit_log_actor
--   actor (email text) audit_log_actor_email (also finds the emails a
--                      substring matches, one probe per distinct email)
--   action, prefix     audit_log_action (text_pattern_ops: the distinct
--                      actions of a prefix are found on it too)
--   outcome            audit_log_outcome
--   target type:id     audit_log_target_at
--   target type        audit_log_target_type
-- The export reads by id: audit_log_chain (practice_id, id), 003.
-- Free text (q) has no index: it filters the rows of the range.
-- ===========================================================================
RESET ROLE;
SET LOCAL ROLE lumen_audit;
CREATE INDEX audit_log_actor ON audit.audit_log (practice_id, actor_id, at, id);
CREATE INDEX audit_log_actor_email ON audit.audit_log (practice_id, actor_email, at, id);
CREATE INDEX audit_log_action ON audit.audit_log (practice_id, action text_pattern_ops, at, id);
CREATE INDEX audit_log_outcome ON audit.audit_log (practice_id, outcome, at, id);
CREATE INDEX audit_log_target_at ON audit.audit_log (practice_id, target_type, target_id, at, id);
CREATE INDEX audit_log_target_type ON audit.audit_log (practice_id, target_type, at, id);
RESET ROLE;
