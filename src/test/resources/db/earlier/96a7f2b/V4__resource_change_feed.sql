-- Every committed change to a user, a group or a group's members, for the indexes of the other server
-- instances. A row is written in the transaction that made the change and carries the resource as it
-- is after it (its version, attributes and member delta), so that a reader applies it without another
-- read.
--
-- Positions handed out before commit (a sequence, a clock) are not commit order, so readers never ask
-- for "position > last". Each row records its transaction id instead, and a reader takes only rows
-- whose transaction id is below the oldest transaction still running (pg_snapshot_xmin): every such
-- transaction has ended, so no row can still appear below that horizon. Versions, which the row locks
-- serialise, put the changes to one resource in commit order.
CREATE TABLE resource_changes (
    org_id      uuid        NOT NULL,
    seq         bigint      GENERATED ALWAYS AS IDENTITY,
    xid         xid8        NOT NULL DEFAULT pg_current_xact_id(),
    kind        text        NOT NULL CHECK (kind IN ('user', 'user-deleted', 'group', 'group-deleted')),
    resource_id uuid        NOT NULL,
    -- The resource's version after the change; for a deletion, the deleted version plus one.
    version     bigint      NOT NULL,
    attributes  jsonb,
    created_at  timestamptz,
    updated_at  timestamptz,
    -- A group write's net membership change.
    added       uuid[],
    removed     uuid[],
    -- When the row was written, moments before its commit: what the readers' lag is measured from.
    at          timestamptz NOT NULL DEFAULT clock_timestamp(),
    PRIMARY KEY (org_id, seq)
);

-- The readers' one access path: the rows of every organisation from a transaction id on. This is the
-- one read that spans organisations, by design: every instance follows them all.
CREATE INDEX resource_changes_xid ON resource_changes (xid, seq);

-- The feed is pruned; per organisation, the highest transaction id pruned so far. A reader whose
-- position is not past it may have missed rows of that organisation and reloads it.
CREATE TABLE resource_changes_pruned (
    org_id  uuid   NOT NULL PRIMARY KEY,
    max_xid bigint NOT NULL
);
