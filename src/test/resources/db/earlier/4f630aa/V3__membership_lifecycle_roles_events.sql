-- The KMS side of a membership: set-up state, invitations, key material, roles, provisioning events.

-- 'invited': provisioned, no keys yet; 'accepted': the person created their keys on their device.
-- Independent of the SCIM active flag.
ALTER TABLE scim_users ADD COLUMN setup_state text NOT NULL DEFAULT 'invited'
    CHECK (setup_state IN ('invited', 'accepted'));
ALTER TABLE scim_users ADD COLUMN role text NOT NULL DEFAULT 'member'
    CHECK (role IN ('admin', 'member', 'viewer', 'no-access'));

ALTER TABLE organizations ADD COLUMN default_role text NOT NULL DEFAULT 'member'
    CHECK (default_role IN ('admin', 'member', 'viewer', 'no-access'));

-- One row per invitation. The set-up token is made when the invitation is delivered; only its hash
-- is kept. Re-issuing voids the previous invitation.
CREATE TABLE invitations (
    org_id       uuid        NOT NULL REFERENCES organizations (id),
    id           uuid        NOT NULL,
    user_id      uuid        NOT NULL,
    created_at   timestamptz NOT NULL,
    token_hash   bytea,
    expires_at   timestamptz,
    delivered_at timestamptz,
    used_at      timestamptz,
    voided_at    timestamptz,
    PRIMARY KEY (org_id, id)
);
CREATE INDEX invitations_outbox ON invitations (org_id, created_at) WHERE delivered_at IS NULL AND voided_at IS NULL;
CREATE INDEX invitations_user ON invitations (org_id, user_id);

-- Opaque key material the person's device made: the server cannot decrypt the private key.
CREATE TABLE account_keys (
    org_id                uuid        NOT NULL,
    user_id               uuid        NOT NULL,
    public_key            bytea       NOT NULL,
    encrypted_private_key bytea       NOT NULL,
    kdf_salt              bytea       NOT NULL,
    kdf_params            jsonb       NOT NULL,
    created_at            timestamptz NOT NULL,
    PRIMARY KEY (org_id, user_id)
);

-- IdP group name (in lower case) to organisation role.
CREATE TABLE group_role_mappings (
    org_id     uuid NOT NULL REFERENCES organizations (id),
    group_name text NOT NULL,
    role       text NOT NULL CHECK (role IN ('admin', 'member', 'viewer', 'no-access')),
    PRIMARY KEY (org_id, group_name)
);

-- What every SCIM request did or why it was refused, for admins debugging an IdP mapping.
CREATE TABLE scim_events (
    org_id        uuid        NOT NULL,
    id            uuid        NOT NULL,
    at            timestamptz NOT NULL,
    token_id      uuid,
    operation     text        NOT NULL,
    resource_type text,
    resource_id   text,
    status        int         NOT NULL,
    outcome       text        NOT NULL CHECK (outcome IN ('success', 'refused')),
    detail        text,
    PRIMARY KEY (org_id, id)
);
