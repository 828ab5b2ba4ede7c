-- An organisation is erased in two steps. One short transaction sets deleted_at: from its commit the
-- organisation is unreachable (every read of it asks for deleted_at IS NULL) and every instance forgets
-- it. Its rows then go in bounded batches, each table by its primary key, which starts with the
-- organisation id; the organisation's row goes last, and with it the erasure. An erasure a crash cut
-- short is found here and finished by any instance.
ALTER TABLE organizations ADD COLUMN deleted_at timestamptz;
-- The one read that spans organisations: the erasures still to finish, a handful at most.
CREATE INDEX organizations_erasing ON organizations (id) WHERE deleted_at IS NOT NULL;
