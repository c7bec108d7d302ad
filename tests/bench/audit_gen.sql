-- make bench, the audit part (tests/bench/audit.sh): audit rows of Bright
-- Smile Dental made in bulk, with a valid chain.  As the superuser, on the
-- bench's throwaway cluster only.  psql variables:
--   step   prepare | rows | chain | analyze | indexes
--   bsd    the practice            t0, span  the first time, the whole span
--   lo hi  the rows' numbers (1 .. n over the whole bench) for step rows
--
-- prepare: the helpers below (schema bench), and the secondary indexes of
--   audit.audit_log dropped, their definitions kept in bench.indexes
--   (rebuilt by step indexes: building an index once is much faster than
--   growing eight of them row by row).  The primary key and
--   audit_log_chain stay.
-- rows: rows lo .. hi, inserted in one transaction with the triggers that
--   stamp each row with the time of its insert and queue it for sealing
--   off (db/demo/audit.sql does the same for the demo's backdated history;
--   only a superuser can), so that the rows keep their times and the
--   chain step links them.  Row g is at t0 + (g - 1 + jitter) * span / n, so
--   time follows id and the rows of a bench fill [t0, t0 + span) evenly
--   (about 25,000 a day at 10M over 13 months).  Six actors (the three
--   demo accounts and three made-up staff); what each row is follows from
--   a hash of g: sign-ins (a failed password now and then), the inbox
--   read and changed (a Viewer's changes and audit reads denied), the log
--   read, sign-outs; 5,000 lead targets.
-- chain: links every row of the practice after the chain's head, in id
--   order, set-wise: the hash of each row is a running aggregate over the
--   rows in id order (bench.chain, whose step is sha256(prev || canonical)),
--   computed by one window -- no statement per row as audit.seal's loop.
--   The canonical bytes are bench.canonical_rows': migration 007's
--   audit.canonical written so that the planner inlines it (audit.field and
--   audit.canonical carry SET search_path, and audit.field is IMMUTABLE
--   over the STABLE convert_to: neither is inlined, so a row is 14 calls of
--   SQL functions, about 1 ms here, most of audit.seal's time a row);
--   audit.sh checks that both give the same bytes on a sample of rows, and
--   lumen audit verify re-computes the chain in the client anyway.
-- analyze: ANALYZE of the log and the chain (api.audit_chain's plan needs
--   their statistics).
-- indexes: the dropped indexes built again, VACUUM ANALYZE (the visibility
--   map that index-only scans need, as autovacuum would set it on a log
--   that is only appended to).
\set ON_ERROR_STOP 1
SET synchronous_commit = off;
SET jit = off;
SET maintenance_work_mem = '1GB';
SET client_min_messages = warning;
SELECT :'step' = 'prepare' AS is_prepare, :'step' = 'rows' AS is_rows,
       :'step' = 'chain' AS is_chain, :'step' = 'analyze' AS is_analyze,
       :'step' = 'indexes' AS is_indexes \gset

\if :is_prepare
CREATE SCHEMA bench;
-- audit.field and audit.canonical of migration 007 for a UTF8 database:
-- each field's text made once (LATERAL ... OFFSET 0: the planner would
-- otherwise put each expression in three times), the fields joined as text
-- and converted to bytes once (a text's octet_length is its UTF-8 byte
-- length here), with no SET clause, so that bench.f is inlined.
CREATE FUNCTION bench.f(p text) RETURNS text LANGUAGE sql IMMUTABLE AS $$
  SELECT CASE WHEN p IS NULL THEN E'~\n' ELSE octet_length(p)::text || ':' || p || E'\n' END
$$;
CREATE VIEW bench.canonical_rows AS
  SELECT a.id, a.practice_id,
         convert_to(E'lumen-audit-v1\n' || bench.f(v.id) || bench.f(v.at) || bench.f(v.practice_id)
                    || bench.f(v.actor_id) || bench.f(v.actor_email) || bench.f(v.session_id)
                    || bench.f(v.action) || bench.f(v.target_type) || bench.f(v.target_id)
                    || bench.f(v.outcome) || bench.f(v.server_addr) || bench.f(v.reported_origin)
                    || bench.f(v.detail), 'UTF8') AS canonical
  FROM audit.audit_log a,
       LATERAL (SELECT a.id::text AS id,
                       to_char(a.at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') AS at,
                       a.practice_id::text AS practice_id, a.actor_id::text AS actor_id,
                       a.actor_email, a.session_id::text AS session_id, a.action, a.target_type,
                       a.target_id, a.outcome,
                       CASE WHEN a.server_addr IS NOT NULL THEN format('%s', a.server_addr) END
                         AS server_addr,
                       a.reported_origin, a.detail::text AS detail
                OFFSET 0) v;
-- One link: the state is the previous row's hash (the chain's head before
-- the first row).
CREATE FUNCTION bench.link(s bytea, c bytea, head bytea) RETURNS bytea
LANGUAGE plpgsql IMMUTABLE AS $$ BEGIN RETURN sha256(coalesce(s, head) || c); END $$;
CREATE AGGREGATE bench.chain(bytea, bytea) (SFUNC = bench.link, STYPE = bytea);

CREATE TABLE bench.indexes AS
  SELECT c.relname AS name, pg_get_indexdef(i.indexrelid) AS def
  FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid
  WHERE i.indrelid = 'audit.audit_log'::regclass AND NOT i.indisprimary
    AND c.relname <> 'audit_log_chain';
SELECT format('DROP INDEX audit.%I', name) FROM bench.indexes \gexec
\endif

\if :is_rows
BEGIN;
ALTER TABLE audit.audit_log DISABLE TRIGGER audit_log_stamp, DISABLE TRIGGER audit_log_queue;
INSERT INTO audit.audit_log (at, practice_id, actor_id, actor_email, session_id, action,
                             target_type, target_id, outcome, server_addr, reported_origin, detail)
SELECT at, :'bsd', actor_id, email, session_id,
       (ARRAY['login.success', 'login.failure', 'lead.list', 'lead.view', 'lead.update',
              'audit.view', 'logout'])[k + 1],
       CASE WHEN k IN (0, 1, 6) THEN 'account' WHEN k IN (3, 4) THEN 'lead' END,
       CASE WHEN k IN (0, 1, 6) THEN actor_id::text
            WHEN k IN (3, 4) THEN 'b1000000-0000-4000-8000-' || lpad((h % 5000)::text, 12, '0') END,
       CASE WHEN k = 1 THEN 'failure' WHEN k IN (4, 5) AND a = 2 THEN 'denied' ELSE 'success' END,
       '192.0.2.10'::inet, '198.51.100.' || (20 + a),
       (ARRAY['{"method": "password"}', '{"reason": "password"}',
              '{"filter": {"status": ["new"]}}', '{}',
              '{"after": {"status": "contacted"}, "before": {"status": "new"}}',
              '{"from": "2026-01-01T06:00:00.000000Z", "to": "2026-01-31T06:00:00.000000Z", "filter": {}}',
              '{}']::jsonb[])[k + 1]
FROM (
  SELECT :'t0'::timestamptz + (g - 1 + ((g * 40503) % 997) / 997.0) * (:'span'::interval / :n) AS at,
         ('c1000000-0000-4000-8000-00000000000' || (1 + h % 6))::uuid AS actor_id,
         (ARRAY['owner', 'admin', 'viewer', 'hygienist', 'frontdesk', 'billing'])[1 + h % 6]
           || '@brightsmile.test' AS email,
         h % 6 AS a, h / 6 AS h,
         -- 0 login.success 1 login.failure 2 lead.list 3 lead.view
         -- 4 lead.update 5 audit.view 6 logout
         (ARRAY[0, 1, 2, 3, 3, 3, 3, 4, 4, 5, 6, 2, 3, 3])[1 + (h / 11) % 14] AS k,
         ('d1000000-0000-4000-8000-' || lpad((g / 25)::text, 12, '0'))::uuid AS session_id
  FROM generate_series(:lo::bigint, :hi::bigint) g,
       LATERAL (SELECT g * 2654435761 % 4294967291 AS h) r
) x;
ALTER TABLE audit.audit_log ENABLE TRIGGER audit_log_stamp, ENABLE TRIGGER audit_log_queue;
COMMIT;
\endif

\if :is_chain
BEGIN;
SELECT last_id AS head_id, last_seq AS head_seq, encode(last_hash, 'hex') AS head_hash
FROM audit.audit_chain_heads WHERE practice_id = :'bsd' FOR UPDATE \gset
SELECT count(*) = 0 AS nothing_pending FROM audit.audit_pending WHERE practice_id = :'bsd' \gset
\if :nothing_pending
\else
  \warn 'audit_gen: rows of the practice wait to be sealed; chain them first (audit.seal)'
  \quit
\endif
-- In id order; an index scan of the primary key reads the heap in order.
SET LOCAL enable_sort = off;
INSERT INTO audit.audit_chain (practice_id, seq, audit_id, prev_hash, hash)
SELECT :'bsd', :head_seq + x.n, x.id,
       coalesce(lag(x.hash) OVER (ORDER BY x.n), decode(:'head_hash', 'hex')), x.hash
FROM (SELECT c.id, row_number() OVER w AS n,
             bench.chain(c.canonical, decode(:'head_hash', 'hex')) OVER w AS hash
      FROM bench.canonical_rows c
      WHERE c.practice_id = :'bsd' AND c.id > :head_id
      WINDOW w AS (ORDER BY c.id ROWS UNBOUNDED PRECEDING)) x;
UPDATE audit.audit_chain_heads h
SET last_seq = c.seq, last_id = c.audit_id, last_hash = c.hash
FROM (SELECT seq, audit_id, hash FROM audit.audit_chain
      WHERE practice_id = :'bsd' ORDER BY seq DESC LIMIT 1) c
WHERE h.practice_id = :'bsd';
COMMIT;
\endif

\if :is_analyze
ANALYZE audit.audit_log;
ANALYZE audit.audit_chain;
\endif

\if :is_indexes
SET max_parallel_maintenance_workers = 2;
SELECT def FROM bench.indexes ORDER BY name \gexec
VACUUM (ANALYZE) audit.audit_log;
VACUUM (ANALYZE) audit.audit_chain;
\endif
