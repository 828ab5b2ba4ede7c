-- Every table carries the organisation id, and every primary and unique key starts with it, so that the
-- tables can be sharded by organisation and no query has to span organisations.

CREATE TABLE organizations (
    id           uuid        PRIMARY KEY,
    name         text        NOT NULL,
    plan         text        NOT NULL CHECK (plan IN ('free', 'pro', 'enterprise')),
    scim_enabled boolean     NOT NULL DEFAULT false,
    created_at   timestamptz NOT NULL,
    updated_at   timestamptz NOT NULL
);

-- Only a SHA-256 of each token is kept; the token itself is shown once, when it is created.
CREATE TABLE scim_tokens (
    org_id       uuid        NOT NULL REFERENCES organizations (id),
    id           uuid        NOT NULL,
    token_hash   bytea       NOT NULL,
    description  text        NOT NULL,
    created_at   timestamptz NOT NULL,
    expires_at   timestamptz,
    last_used_at timestamptz,
    revoked_at   timestamptz,
    PRIMARY KEY (org_id, id)
);

-- A SCIM User is a person's membership of one organisation. attributes holds the canonical SCIM
-- attributes (never a password); the columns beside it are what lookups and constraints need.
CREATE TABLE scim_users (
    org_id      uuid        NOT NULL REFERENCES organizations (id),
    id          uuid        NOT NULL,
    user_name   text        NOT NULL,
    external_id text,
    active      boolean     NOT NULL,
    attributes  jsonb       NOT NULL,
    version     bigint      NOT NULL,
    created_at  timestamptz NOT NULL,
    updated_at  timestamptz NOT NULL,
    PRIMARY KEY (org_id, id)
);

-- userName is unique per organisation in any letter case.
CREATE UNIQUE INDEX scim_users_org_user_name_key ON scim_users (org_id, lower(user_name));
