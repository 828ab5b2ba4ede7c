-- PostgreSQL estimates how many rows an organisation has from the number of organisations ANALYZE
-- sees in its sample. A database of many small organisations (trials, a few people each), or one where
-- few rows are left per organisation after deletes, shows each organisation once: ANALYZE then takes
-- org_id for unique, and "org_id = $1" for one row. Every index that starts with org_id then costs
-- the planner the same as the primary key, and it took one of the others with the organisation alone
-- and the key as a filter: a lookup of one person read all of the organisation's people (thousands
-- of buffers for a GET), the outbox's backlog count read them for each waiting invitation (seconds
-- for each organisation, every 15 s), a group's members were read through the (org_id, user_id) index.
-- Fixed here as a share of the rows (5%: twenty rows per organisation where ANALYZE knows no better),
-- only on the tables with more than one index that starts with org_id; an organisation of many rows
-- is a most common value in the statistics once analysed, and its estimates come from there.
ALTER TABLE scim_users ALTER COLUMN org_id SET (n_distinct = -0.05);
ALTER TABLE scim_groups ALTER COLUMN org_id SET (n_distinct = -0.05);
ALTER TABLE scim_group_members ALTER COLUMN org_id SET (n_distinct = -0.05);
ALTER TABLE invitations ALTER COLUMN org_id SET (n_distinct = -0.05);
-- The setting takes effect at the next ANALYZE: now, rather than whenever autovacuum next looks, for
-- each table ANALYZE has looked at before. One it has not (a new database's, empty) is left to
-- autovacuum: analysed empty, it would be planned as empty until analysed again.
DO $$
DECLARE
    t text;
BEGIN
    FOREACH t IN ARRAY ARRAY['scim_users', 'scim_groups', 'scim_group_members', 'invitations'] LOOP
        IF EXISTS (SELECT 1 FROM pg_stats WHERE schemaname = current_schema() AND tablename = t) THEN
            EXECUTE format('ANALYZE %I', t);
        END IF;
    END LOOP;
END
$$;
