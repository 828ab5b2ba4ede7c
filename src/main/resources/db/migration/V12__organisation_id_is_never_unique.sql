-- PostgreSQL estimates how many rows an organisation has from the number of organisations ANALYZE
-- sees in its sample. A database of many small organisations (trials, a few people each), or one where
-- few rows are left per organisation after deletes, shows each organisation once: ANALYZE then takes
-- org_id for unique, and "org_id = $1" for one row. Every index that starts with org_id then costs
-- the planner the same as the primary key, and it took one of the others with the organisation alone
-- and the key as a filter: a lookup of one person read all of the organisation's people (thousands
-- of buffers for a GET), the outbox's backlog count read them for each waiting invitation (seconds
-- for each organisation, every 15 s), a group's members were read through the (org_id, user_id) index.
-- Fixed here as a share of the rows (0.5%: two hundred rows per organisation where ANALYZE knows no
-- better), only on the tables with more than one index that starts with org_id. Twenty were not enough
-- where another index had been rebuilt since deletes left the primary key's pages: reading the
-- organisation through it still cost the planner less. Against ANALYZE's own estimate on a thousand
-- organisations of a thousand people each, every statement kept its plan; an organisation of many
-- rows is a most common value in the statistics once analysed, and its estimates come from there.
-- Undone, should it ever be wanted, by ALTER TABLE ... ALTER COLUMN org_id RESET (n_distinct) and ANALYZE.
--
-- Each statement takes the lock autovacuum takes (reads and writes go on). A VACUUM or a CREATE INDEX
-- CONCURRENTLY under way holds it too: rather than wait for one of those for as long as it runs,
-- the migration gives up after 30 s, and with it the start; the next start tries again.
SET LOCAL lock_timeout = '30s';
ALTER TABLE scim_users ALTER COLUMN org_id SET (n_distinct = -0.005);
ALTER TABLE scim_groups ALTER COLUMN org_id SET (n_distinct = -0.005);
ALTER TABLE scim_group_members ALTER COLUMN org_id SET (n_distinct = -0.005);
ALTER TABLE invitations ALTER COLUMN org_id SET (n_distinct = -0.005);
-- The setting takes effect at the next ANALYZE: now, rather than whenever autovacuum next looks, for
-- each table that has statistics already. One without (a new database's, empty) is left to
-- autovacuum: analysed empty, it would be planned as empty until analysed again.
DO $$
DECLARE
    t text;
BEGIN
    FOREACH t IN ARRAY ARRAY['scim_users', 'scim_groups', 'scim_group_members', 'invitations'] LOOP
        IF EXISTS (SELECT 1 FROM pg_stats s JOIN pg_class c ON c.relname = s.tablename
                   JOIN pg_namespace n ON n.oid = c.relnamespace AND n.nspname = s.schemaname
                   WHERE c.oid = t::regclass) THEN
            EXECUTE format('ANALYZE %I', t);
        END IF;
    END LOOP;
END
$$;
