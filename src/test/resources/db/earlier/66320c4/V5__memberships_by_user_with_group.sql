-- Loading the index reads every membership in user order, each user's groups together. With the
-- group id in the index that read is an index-only scan in the index's order (nothing sorted or
-- hashed, no table pages read). It serves what the index it replaces served: a user's groups, and
-- removing a deleted user's memberships.
CREATE INDEX scim_group_members_user_group ON scim_group_members (org_id, user_id, group_id);
DROP INDEX scim_group_members_user;
