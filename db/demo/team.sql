-- Demo team data (issue 9): one pending invite in Bright Smile Dental, so
-- that the Team tab's invites are not empty and `lumen accept-invite` can
-- be tried on the demo.  Loaded after demo.sql, as a superuser, by `make
-- demo-db` (scripts/demo-db.sh) and by tests/run.sh into lumen_demo.
-- Loading it again adds nothing: not while any invite to that email exists
-- in the practice (pending, used, revoked) or the email is a member.
--
-- FIXED INVITE that tests may rely on: to newhire@brightsmile.test, as a
-- Viewer, sent by Olivia Owner (owner@brightsmile.test) at the load,
-- expiring 7 days later, code
--   NEWH-IRE2-BRIG-HTSM-ILED-EMOI-NVIT-E222
-- (demo data only: a real code is random, shown once and stored only as
-- lumen.invite_code_hash of it, as this one is).  No account exists for
-- that email, so accepting it makes one.
INSERT INTO lumen.invites (practice_id, email, role, code_hash, invited_by, created_at, expires_at)
SELECT 'a1000000-0000-4000-8000-000000000001', 'newhire@brightsmile.test', 'viewer',
       lumen.invite_code_hash('NEWH-IRE2-BRIG-HTSM-ILED-EMOI-NVIT-E222'),
       'c1000000-0000-4000-8000-000000000001', now(), now() + interval '7 days'
WHERE NOT EXISTS (SELECT 1 FROM lumen.invites i
                  WHERE i.practice_id = 'a1000000-0000-4000-8000-000000000001'
                    AND i.email = 'newhire@brightsmile.test')
  AND NOT EXISTS (SELECT 1 FROM lumen.memberships m JOIN lumen.accounts a ON a.id = m.account_id
                  WHERE m.practice_id = 'a1000000-0000-4000-8000-000000000001'
                    AND a.email = 'newhire@brightsmile.test');

-- Notifications (issue 11): Bright Smile's lead alerts go to its front
-- desk by email, and carry a link into its own lead page
-- (practices.lead_link, {lead_id} standing for the lead's id).  No
-- webhook: its URL would go nowhere.  Loading again adds nothing: not
-- while that address is a recipient, nor once a link is set.
INSERT INTO lumen.notify_emails (practice_id, email, created_by)
SELECT 'a1000000-0000-4000-8000-000000000001', 'frontdesk@brightsmile.test',
       'c1000000-0000-4000-8000-000000000001'
WHERE NOT EXISTS (SELECT 1 FROM lumen.notify_emails e
                  WHERE e.practice_id = 'a1000000-0000-4000-8000-000000000001'
                    AND e.email = 'frontdesk@brightsmile.test' AND e.removed_at IS NULL);
UPDATE lumen.practices SET lead_link = 'https://brightsmile.test/lumen/leads/{lead_id}'
WHERE id = 'a1000000-0000-4000-8000-000000000001' AND lead_link IS NULL;
