-- Loading the index reads every membership in user order, each user's groups together. With the
-- group id in the index that read is an index-only scan in the index's order (nothing sorted or
-- hashed, no table pages read). It serves what the index it replaces served: a user's groups, and
-- removing a deleted user's memberships.
-- IF NOT EXISTS: a large deployment may build the index beforehand with CREATE INDEX CONCURRENTLY
-- (docs/deploy.md, "Upgrades"), so that this step does not hold membership writes while it builds.
CREATE INDEX IF NOT EXISTS scim_group_members_user_group ON scim_group_members (org_id, user_id, group_id);
DROP INDEX IF EXISTS scim_group_members_user;
