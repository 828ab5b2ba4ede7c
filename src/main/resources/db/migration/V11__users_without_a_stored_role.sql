-- scim_users.role (V3) was never written or read: a person's role is worked out when it is asked for,
-- from the role mappings of the groups they are in and the organisation's default role (README,
-- "group-role-mappings"). A column that always says 'member' would mislead anyone who reads the
-- table. No build reads it, so instances of the previous release keep working while this runs.
ALTER TABLE scim_users DROP COLUMN IF EXISTS role;
