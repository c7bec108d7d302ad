-- The daily audit checkpoint (DESIGN.md, "Threat model"; tables: migration
-- 017): notify.checkpoints(), which `lumen notify` calls when it starts
-- and about once an hour.  Repeatable, as 10_session.sql (see its head).
-- The message is an ordinary outbox row (lumen.outbox_put: the Owner's
-- email and the practice's webhooks), rendered by lumen.notify_render and
-- delivered, retried and failed as every other (db/api/90_notify.sql).
SET LOCAL ROLE lumen_owner;
SET LOCAL search_path = lumen, ext, pg_temp;

-- For each practice that is not closed and whose last checkpoint is 24
-- hours old or more (or that has none): its chain sealed, then one
-- audit.checkpoint to its Owner by email and to each active webhook,
-- payload {practice_id, practice_name, head_seq, head_hash (64 hex, as
-- lumen audit verify prints it), at}; the head recorded in
-- audit_checkpoints.  Answers how many practices it wrote one for.
-- Idempotent within the 24 hours: the row of audit_checkpoints is taken
-- by INSERT ... ON CONFLICT DO UPDATE ... WHERE it is old enough, so of
-- two deliverers calling at once one writes (the other waits for its row
-- and then finds it fresh, or gives the practice up after the lock
-- timeout; the next call, an hour later, finds it fresh).
DROP FUNCTION IF EXISTS notify.checkpoints();
CREATE FUNCTION notify.checkpoints() RETURNS integer
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = lumen, ext, pg_temp SET lock_timeout = '1s'
AS $$
DECLARE
  v_scope text;
  v_saved text;
  p record;
  v_seq bigint;
  v_hash bytea;
  v_mine boolean;
  v_owner text;
  v_payload jsonb;
  v_hook uuid;
  n integer := 0;
BEGIN
  PERFORM context_clear();
  v_scope := notify_scope_enter();
  FOR p IN SELECT x.id, x.name FROM practices x
           WHERE x.closed_at IS NULL
             AND NOT EXISTS (SELECT 1 FROM audit_checkpoints c
                             WHERE c.practice_id = x.id AND c.sent_at > now() - interval '24 hours')
           ORDER BY x.id LOOP
    BEGIN
      v_saved := practice_scope_enter(p.id);
      -- Every committed row linked first (another transaction sealing the
      -- chain just now: its head as it stands, a true head all the same).
      PERFORM audit.seal(p.id);
      SELECT h.last_seq, h.last_hash INTO v_seq, v_hash
      FROM audit.audit_chain_heads h WHERE h.practice_id = p.id;
      v_seq := coalesce(v_seq, 0);
      v_hash := coalesce(v_hash, decode(repeat('00', 32), 'hex'));
      v_mine := NULL;
      INSERT INTO audit_checkpoints AS c (practice_id, sent_at, head_seq, head_hash)
      VALUES (p.id, now(), v_seq, v_hash)
      ON CONFLICT (practice_id) DO UPDATE
        SET sent_at = excluded.sent_at, head_seq = excluded.head_seq, head_hash = excluded.head_hash
        WHERE c.sent_at <= now() - interval '24 hours'
      RETURNING true INTO v_mine;
      IF v_mine THEN
        v_payload := jsonb_build_object('practice_id', p.id, 'practice_name', p.name,
                                        'head_seq', v_seq, 'head_hash', encode(v_hash, 'hex'),
                                        'at', notify_ts(now()));
        SELECT a.email::text INTO v_owner FROM memberships m JOIN accounts a ON a.id = m.account_id
        WHERE m.practice_id = p.id AND m.role = 'owner';
        IF v_owner IS NOT NULL THEN
          PERFORM outbox_put(p.id, 'audit.checkpoint', v_owner, v_payload);     -- and the webhooks
        ELSE
          FOR v_hook IN SELECT w.id FROM notify_webhooks w
                        WHERE w.practice_id = p.id AND w.disabled_at IS NULL AND w.removed_at IS NULL
                        ORDER BY w.created_at, w.id LOOP
            PERFORM notify_put_webhook(p.id, 'audit.checkpoint', v_hook, v_payload);
          END LOOP;
        END IF;
        n := n + 1;
      END IF;
      PERFORM practice_scope_leave(v_saved);
    EXCEPTION WHEN lock_not_available THEN
      NULL;     -- another deliverer holds this practice's checkpoint: its
                -- own, or the next call's
    END;
  END LOOP;
  PERFORM notify_scope_leave(v_scope);
  RETURN n;
END
$$;

-- Only the deliverer (016's default privileges say so too).
REVOKE ALL ON FUNCTION notify.checkpoints() FROM PUBLIC;
GRANT EXECUTE ON FUNCTION notify.checkpoints() TO lumen_notify;
RESET ROLE;
