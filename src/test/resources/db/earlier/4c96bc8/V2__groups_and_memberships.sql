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

-- Deleting a group or a user removes its memberships in the same transaction.
CREATE TABLE scim_group_members (
    org_id   uuid NOT NULL,
    group_id uuid NOT NULL,
    user_id  uuid NOT NULL,
    PRIMARY KEY (org_id, group_id, user_id),
    FOREIGN KEY (org_id, group_id) REFERENCES scim_groups (org_id, id) ON DELETE CASCADE,
    FOREIGN KEY (org_id, user_id) REFERENCES scim_users (org_id, id) ON DELETE CASCADE
);

-- A user's groups, and the cascade when a user is deleted.
CREATE INDEX scim_group_members_user ON scim_group_members (org_id, user_id);
