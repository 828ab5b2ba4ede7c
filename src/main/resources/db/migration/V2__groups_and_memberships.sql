-- Groups keep their attributes in one row and their members as one row per membership, so that a
-- membership change costs in proportion to the change, never to the size of the group.

CREATE TABLE scim_groups (
    org_id       uuid        NOT NULL REFERENCES organizations (id),
    id           uuid        NOT NULL,
    display_name text        NOT NULL,
    external_id  text,
    attributes   jsonb       NOT NULL,
    version      bigint      NOT NULL,
    created_at   timestamptz NOT NULL,
    updated_at   timestamptz NOT NULL,
    PRIMARY KEY (org_id, id)
);

-- displayName is unique per organisation in any letter case.
CREATE UNIQUE INDEX scim_groups_org_display_name_key ON scim_groups (org_id, lower(display_name));

-- No foreign keys: their per-row triggers would double the cost of a 1,000-member PATCH. The same
-- guarantees come from set-based statements instead: an add locks the users it adds (FOR KEY SHARE)
-- in one statement, and deleting a user or a group deletes its row first (waiting for such adds)
-- and then its memberships, in the same transaction.
CREATE TABLE scim_group_members (
    org_id   uuid NOT NULL,
    group_id uuid NOT NULL,
    user_id  uuid NOT NULL,
    PRIMARY KEY (org_id, group_id, user_id)
);

-- A user's groups, and removing a deleted user's memberships.
CREATE INDEX scim_group_members_user ON scim_group_members (org_id, user_id);
