-- 012: free text over leads that an index serves under row-level security.
--
-- 009 put a GIN trigram index on leads over lead_search_text(...), and the
-- list filtered with "lead_search_text(...) LIKE $10".  Under the forced
-- row-level security of leads, the planner may not evaluate a condition
-- before the policy's unless every function in it is LEAKPROOF (it could
-- otherwise leak rows of another practice through an error or a side
-- channel), and textlike, lower and || are not.  So the api never used
-- the index: a rare search term read every lead of the practice (3.2 s a
-- page at a million leads, `make bench`), while the same query as a
-- superuser took 26 ms.  Marking built-ins LEAKPROOF is a superuser's
-- global change and not ours to make.
--
-- The search text moves to a table of its own, lead_search: lead id,
-- practice and the text, kept by triggers on leads, with the trigram
-- index.  The list asks it for candidate ids (practice and LIKE, served by
-- the index; it has no row-level security of its own) and takes the rows
-- from leads as before, under leads' policy: "l.id IN (SELECT lead_id
-- FROM lead_search WHERE practice_id = $1 AND text LIKE $10)" joins on the
-- primary key, and bigint equality is leakproof.  Nothing of lead_search
-- reaches a caller but ids that leads' own policy then filters, and only
-- lumen_owner (the api functions' owner) may read it.
SET LOCAL ROLE lumen_owner;
SET LOCAL search_path = lumen, ext, pg_temp;

CREATE TABLE lead_search (
  lead_id     bigint PRIMARY KEY REFERENCES leads (id) ON DELETE CASCADE,
  practice_id uuid NOT NULL,
  text        text NOT NULL
);
CREATE INDEX lead_search_trgm ON lead_search USING gin (text ext.gin_trgm_ops);
REVOKE ALL ON lead_search FROM PUBLIC;

INSERT INTO lead_search (lead_id, practice_id, text)
SELECT l.id, l.practice_id, lead_search_text(l.name, l.phone, l.email, l.service)
FROM leads l;

-- Kept in step with the lead: made with it, changed with its four fields,
-- gone with it (the foreign key).
CREATE FUNCTION lead_search_keep() RETURNS trigger
LANGUAGE plpgsql SET search_path = lumen, ext, pg_temp
AS $$
BEGIN
  INSERT INTO lead_search (lead_id, practice_id, text)
  VALUES (NEW.id, NEW.practice_id, lead_search_text(NEW.name, NEW.phone, NEW.email, NEW.service))
  ON CONFLICT (lead_id) DO UPDATE SET practice_id = EXCLUDED.practice_id, text = EXCLUDED.text;
  RETURN NULL;
END
$$;
CREATE TRIGGER leads_search_keep AFTER INSERT OR UPDATE OF practice_id, name, phone, email, service
  ON leads FOR EACH ROW EXECUTE FUNCTION lead_search_keep();

DROP INDEX leads_search;
RESET ROLE;
